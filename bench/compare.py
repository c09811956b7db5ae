"""`make bench-compare`: each custom piece of relayr against Django's own, and
this tree against another (before/after), interleaved in one run.

    python -m bench.compare [--baseline PATH] [--duration 10] [--rounds 2]

Every server stays up and the workloads' runs interleave (bench.run's
Bench.measure), so a ratio compares two servers under the same machine
conditions. Workloads (W1-W3 as in bench.run; "nocache": API_CACHE_SECONDS=0):

  W0, W1, W2, W3, W1-W3 nocache    this tree, as `make bench` serves it
  W1/W2 django-cache                 Django's cache_page instead of the response cache
  W1-W3 orm                          the ORM's values_list() instead of the fixed SQL (both caches off)
  W1-W3 admin-middleware             API requests run Django's authentication and messages
                                     middleware too, as Django would (cache off)
  W0, W1-W3, W1-W3 nocache @base     served from --baseline (e.g. a worktree of main:
                                     its API lane called views itself)

Prints each comparison as a ratio of request rates (and CPU per request)
and writes bench/results/compare-*.json.
"""

import argparse
import json
import os
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from . import dataset, report
from .load import require_wrk
from .run import RESULTS_DIR, Bench, Workload
from .server import Server

ALTERNATIVE = "bench.alternatives:application"
# (name, compared with): a custom piece is kept when it beats Django's own by 10% or more.
COMPARISONS = [
    ("W1 django-cache", "W1"),
    ("W2 django-cache", "W2"),
    ("W1 orm", "W1 nocache"),
    ("W2 orm", "W2 nocache"),
    ("W3 orm", "W3 nocache"),
    ("W1 nocache", "W1 admin-middleware"),
    ("W2 nocache", "W2 admin-middleware"),
    ("W3 nocache", "W3 admin-middleware"),
]
BASELINE_COMPARED = ["W0", "W1", "W2", "W3", "W1 nocache", "W2 nocache", "W3 nocache"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/relayr_bench")
    )
    parser.add_argument("--baseline", type=Path, help="another checkout of relayr to serve side by side")
    parser.add_argument("--sensors", type=int, default=100, help="bench sensors, as in bench.run")
    parser.add_argument("--per-sensor", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4")))
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def workloads(servers, big, baseline):
    sensor, sensors_page = f"/api/v1/sensors/{big.sensor_ids[0]}", "/api/v1/sensors?limit=100"
    label = {"sensor": "/api/v1/sensors/{id}", "readings": "/api/v1/sensors/{id}/readings?since=...&limit=100"}

    def trio(suffix, server, names=("W1", "W2", "W3")):
        found = {
            "W1": Workload(f"W1{suffix}", server, sensor, label["sensor"], "sensor", big),
            "W2": Workload(f"W2{suffix}", server, sensors_page, sensors_page),
            "W3": Workload(f"W3{suffix}", server, sensor, label["readings"], "readings", big),
        }
        return [found[name] for name in names]

    found = [Workload("W0", servers["default"], "/livez", "/livez")]
    found += trio("", servers["default"]) + trio(" nocache", servers["nocache"])
    found += trio(" django-cache", servers["django-cache"], ("W1", "W2")) + trio(" orm", servers["orm"])
    found += trio(" admin-middleware", servers["admin-middleware"])
    if baseline:
        found.append(Workload("W0 @base", servers["base"], "/livez", "/livez"))
        found += trio(" @base", servers["base"]) + trio(" nocache @base", servers["base nocache"])
    return found


def start(stack, args):
    url, nocache = args.database_url, {"API_CACHE_SECONDS": "0"}
    specs = {
        "default": {},
        "nocache": {"env": nocache},
        "django-cache": {"app": ALTERNATIVE, "env": {**nocache, "BENCH_VARIANT": "django-cache"}},
        "orm": {"app": ALTERNATIVE, "env": {**nocache, "BENCH_VARIANT": "orm"}},
        "admin-middleware": {"app": ALTERNATIVE, "env": {**nocache, "BENCH_VARIANT": "admin-middleware"}},
    }
    if args.baseline:
        specs["base"] = {"root": args.baseline.resolve()}
        specs["base nocache"] = {"root": args.baseline.resolve(), "env": nocache}
    servers = {}
    for name, spec in specs.items():
        print(f"starting: {name}", flush=True)
        servers[name] = stack.enter_context(Server(url, **spec))
        servers[name].wait_until_ok("/readyz")
    return servers


def summarize(results, baseline):
    rows = []
    pairs = COMPARISONS + ([(name, f"{name} @base") for name in BASELINE_COMPARED] if baseline else [])
    for name, other in pairs:
        ratio = results[name]["rps"] / results[other]["rps"]
        cpu = f"{report.cpu_cells(results[name])} vs {report.cpu_cells(results[other])}"
        rows.append(
            f"| {name} | {other} | {results[name]['rps']:,.0f} | {results[other]['rps']:,.0f} | {ratio:.2f} | {cpu} |"
        )
    head = [
        "| workload | against | req/s | req/s | ratio | CPU us/request app / db / wrk |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    return "\n".join(head + rows)


def main(argv=None):
    args = parse_args(argv)
    os.environ["WEB_CONCURRENCY"] = str(args.workers)
    require_wrk()
    big = dataset.ensure(args.database_url, args.sensors, args.per_sensor)
    bench = Bench(args)
    with ExitStack() as stack:
        servers = start(stack, args)
        bench.measure(workloads(servers, big, args.baseline))
    table = summarize(bench.results, args.baseline)
    print()
    print(table)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.results_dir / f"compare-{stamp}.json"
    path.write_text(json.dumps({"finished_at": stamp, "workloads": bench.results, "table": table}, indent=2) + "\n")
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
