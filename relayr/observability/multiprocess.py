"""The PROMETHEUS_MULTIPROC_DIR bookkeeping gunicorn's hooks do.

Each worker writes its counters to ``counter_<pid>.db`` (and histograms to
``histogram_<pid>.db``). A dead worker's counts must stay in the totals, but
keeping its files would grow the directory, and every scrape's work, by two
files per recycled worker (``max_requests``). So when a worker exits the
master folds its files into ``*_archive.db`` and deletes them, under an
exclusive lock that scrapes take shared: a scrape sees the counts either in
the dead worker's file or in the archive, never both or neither.

No Django imports: this runs in gunicorn's master.
"""

import contextlib
import fcntl
import os
from pathlib import Path

from prometheus_client import multiprocess

LOCK_FILE = "archive.lock"  # not *.db: the collector reads every *.db file
SUMMED_KINDS = ("counter", "histogram", "summary")


def empty(directory):
    """Create the directory, or delete what an earlier server left in it."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


@contextlib.contextmanager
def _locked(directory, operation):
    with open(Path(directory) / LOCK_FILE, "a+b") as lock:
        fcntl.flock(lock, operation)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def reading(directory):
    """Hold while collecting: no archiving happens meanwhile."""
    return _locked(directory, fcntl.LOCK_SH)


def archive_dead_process(pid, directory):
    """Fold a dead worker's counts into the archive and drop its per-process gauges."""
    path = Path(directory)
    with _locked(directory, fcntl.LOCK_EX):
        multiprocess.mark_process_dead(pid, str(path))  # the live* gauges
        with contextlib.suppress(FileNotFoundError):
            os.remove(path / f"gauge_all_{pid}.db")  # one series per pid: stale once it is dead
        for kind in SUMMED_KINDS:
            dead = path / f"{kind}_{pid}.db"
            if not dead.exists():
                continue
            add_values(dead, path / f"{kind}_archive.db")
            dead.unlink()


def add_values(source, target):
    """Add every sample in the metrics file ``source`` to the one in ``target`` (created if missing).

    prometheus_client has no public API for this: its multiprocess mode
    expects a dead process's files to stay. This is the one place that uses
    its private ``mmap_dict`` module; tests/relayr/test_multiprocess.py pins
    the prometheus_client version it was checked against.
    """
    from prometheus_client.mmap_dict import MmapedDict

    archive = MmapedDict(str(target))
    try:
        for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(source)):
            archived, _ = archive.read_value(key)
            archive.write_value(key, archived + value, timestamp)
    finally:
        archive.close()
