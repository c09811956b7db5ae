"""The one private prometheus_client use (relayr.observability.multiprocess.add_values)."""

from importlib.metadata import version

import prometheus_client
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from relayr.observability.multiprocess import add_values
from tests.support.requirements import version_of

# The prometheus_client release add_values was checked against. A new pin
# fails here until someone checks that mmap_dict still reads and writes the
# same files (and that no public API does this yet), then updates this line.
CHECKED_VERSION = "0.26.0"


def test_prometheus_client_is_the_checked_version():
    assert version_of("prometheus-client") == CHECKED_VERSION
    assert version("prometheus-client") == CHECKED_VERSION


def _write(path, samples):
    values = MmapedDict(str(path))
    try:
        for labels, value in samples.items():
            key = mmap_key("requests_total", "requests_total", ["view"], [labels], "")
            values.write_value(key, value, 0.0)
    finally:
        values.close()


def _collected(directory):
    registry = prometheus_client.CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry, path=str(directory))
    return {
        sample.labels["view"]: sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if sample.name == "requests_total"
    }


def test_add_values_sums_a_dead_workers_counts_into_the_archive(tmp_path):
    archive = tmp_path / "counter_archive.db"
    for pid, samples in ((123, {"a": 2.0, "b": 5.0}), (456, {"a": 3.0})):
        dead = tmp_path / f"counter_{pid}.db"
        _write(dead, samples)
        add_values(dead, archive)
        dead.unlink()
    assert _collected(tmp_path) == {"a": 5.0, "b": 5.0}
