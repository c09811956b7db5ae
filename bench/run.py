"""`make bench`: throughput and latency of relayr's read paths against their own limit.

Workloads (wrk, one at a time, each measured run after a warm-up):
  L   the bare WSGI app in bench/bare_app.py, same gunicorn configuration
  L3  W3's query and JSON in a bare WSGI app (bench/bare_readings.py), W3's limit
  L4  W4's statement and JSON in the same bare app: the floor under W4
  D3  W3's query and JSON in a Django view with no middleware (bench/django_readings.py): Django's floor
  W0  /livez through the full middleware stack
  W1  /api/v1/sensors/{id}, random existing ids
  W2  /api/v1/sensors?limit=100
  W3  /api/v1/sensors/{id}/readings?since=...&limit=100, random sensors and windows
  W4  /api/v1/sensors/{id}/aggregates?bucket=1h, 30 days from a random instant, limit 500 (its first page)
  W5  /api/v1/sensors/{id}/aggregates?bucket=1d&limit=100: a random sensor's whole history
W1-W5 run with default settings, again with the response cache off, and W3
once more against a small database to show that latency does not grow with
the table. Both databases' indexes are read into the buffer pool first
(dataset.prime; --buffer-pool-mb sizes the pool for the run, as bench-scale's
does: the 10-million set's index outgrows the server's default), and every
workload's measured time is split into rounds that interleave with the other
workloads' (see Bench.measure). A soak then checks the workers' memory.
Prints a table, writes it as JSON under bench/results/, and exits 1 when a
target is missed.

    python -m bench.run [--duration 10] [--rounds 2] [--warmup 2] [--buffer-pool-mb N] [--no-check]
"""

import argparse
import json
import os
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import dataset, report
from .cpu import CpuMeter, per_request
from .load import combine, require_wrk, run_wrk
from .server import Server

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PAGE = 100  # the readings page size W3 asks for
SOAK_LIMIT_S = 150  # keeps `make bench` within 10 minutes on a slow machine; the JSON says how many ran


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=env("BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/relayr_bench"))
    parser.add_argument(
        "--small-database-url",
        default=env("BENCH_SMALL_DATABASE_URL", "mysql://root@127.0.0.1:3306/relayr_bench_small"),
    )
    parser.add_argument("--sensors", type=int, default=100, help="bench sensors in the large database")
    parser.add_argument("--per-sensor", type=int, default=10_000, help="readings per sensor in the large database")
    parser.add_argument("--small-sensors", type=int, default=10)
    parser.add_argument("--small-per-sensor", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per workload, over all rounds")
    parser.add_argument("--rounds", type=int, default=2, help="runs per workload, interleaved with the others'")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each measured run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--soak-requests", type=int, default=50_000, help="requests in the memory soak")
    parser.add_argument("--soak-checkpoint", type=int, default=10_000, help="requests before the baseline RSS")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(env("WEB_CONCURRENCY", "4")),
        help="WEB_CONCURRENCY for every server, L included (default 4: the chart's 2 per CPU, 2 CPUs here)",
    )
    parser.add_argument(
        "--buffer-pool-mb", type=int, help="InnoDB's buffer pool for the run (the server's own if unset)"
    )
    parser.add_argument("--no-check", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


@dataclass
class Workload:
    name: str
    server: Server
    path: str  # the URL wrk is given
    label: str  # the path as the table shows it
    mode: str = "fixed"
    data: dataset.Dataset | None = None
    runs: list = field(default_factory=list)
    cpu: list = field(default_factory=list)


class Bench:
    def __init__(self, args):
        self.args = args
        self.results = {}

    def run_once(self, workload, seconds):
        """A warm-up, then one measured wrk run of ``workload``."""
        # Windows start anywhere a full page still follows, so every dataset serves equal pages.
        env = workload.data.load_env(PAGE) if workload.data is not None else {}
        common = {"threads": self.args.threads, "connections": self.args.connections, "mode": workload.mode, "env": env}
        if self.args.warmup:
            run_wrk(workload.server.url(workload.path), self.args.warmup, **common)
        meter = CpuMeter(workload.server)
        before = meter.snapshot()
        result = run_wrk(workload.server.url(workload.path), seconds, **common)
        workload.cpu.append(meter.spent(before))
        workload.runs.append(result)
        rps = result["requests"] / result["seconds"]
        print(f"  {workload.name:<11} {rps:>9,.0f} req/s", flush=True)

    def measure(self, workloads):
        """Every workload in turn, ``--rounds`` times, every other round in reverse.

        All servers stay up, so the runs of different workloads interleave:
        a machine that speeds up or slows down during the benchmark (as
        a shared one does: README, Performance) moves
        W0 and the workloads compared with it alike, and a steady drift
        cancels out of the ratios (W0 W1 W2 W3, then W3 W2 W1 W0).
        """
        seconds = max(1, round(self.args.duration / self.args.rounds))
        for round_number in range(self.args.rounds):
            print(f"round {round_number + 1} of {self.args.rounds}")
            for workload in workloads if round_number % 2 == 0 else reversed(workloads):
                self.run_once(workload, seconds)
        print("all rounds")
        for workload in workloads:
            result = combine(workload.runs)
            result["path"] = workload.label
            result["cpu_us_per_request"] = per_request(workload.cpu, result["requests"])
            self.results[workload.name] = result
            latency = f"p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms"
            errors, cpu = result["non_2xx_3xx"] + result["socket_errors"], report.cpu_cells(result)
            print(f"  {workload.name:<11} {result['rps']:>9,.0f} req/s  {latency}  errors {errors}  cpu us {cpu}")

    def run(self):
        args = self.args
        self.big = dataset.ensure(args.database_url, args.sensors, args.per_sensor)
        self.small = dataset.ensure(args.small_database_url, args.small_sensors, args.small_per_sensor)
        began = time.monotonic()
        sensor = "/api/v1/sensors/{id}"
        readings = "/api/v1/sensors/{id}/readings?since=...&limit=100"
        sensors_page = "/api/v1/sensors?limit=100"
        hourly = "/api/v1/sensors/{id}/aggregates?bucket=1h&since=...&until=+30d&limit=500"
        daily = "/api/v1/sensors/{id}/aggregates?bucket=1d&limit=100"
        big_id, small_id = self.big.sensor_ids[0], self.small.sensor_ids[0]

        with ExitStack() as servers:
            print("starting: default settings (cold start), the bare apps, cache off, the small database")
            default = servers.enter_context(Server(args.database_url))
            ready_path, cold_start = default.wait_until_ok("/readyz")
            bare = servers.enter_context(Server(args.database_url, app="bench.bare_app:application"))
            bare.wait_until_ok("/")
            bare_readings = servers.enter_context(Server(args.database_url, app="bench.bare_readings:application"))
            bare_readings.wait_until_ok(f"/api/v1/sensors/{big_id}/readings?since=2000-01-01T00:00:00Z")
            bare_readings.wait_until_ok(f"/api/v1/sensors/{big_id}/aggregates?since=2000-01-01T00:00:17Z")
            django_readings = servers.enter_context(Server(args.database_url, app="bench.django_readings:application"))
            django_readings.wait_until_ok(f"/api/v1/sensors/{big_id}/readings?since=2000-01-01T00:00:00Z")
            nocache = servers.enter_context(Server(args.database_url, env={"API_CACHE_SECONDS": "0"}))
            nocache.wait_until_ok(ready_path)
            small = servers.enter_context(Server(args.small_database_url))
            small.wait_until_ok(ready_path)
            for data in (self.big, self.small):
                dataset.prime(data.url)
            self.measure(
                [
                    Workload("L", bare, "/", "bare WSGI, 11-byte body"),
                    Workload("W0", default, "/livez", "/livez"),
                    Workload("W1", default, f"/api/v1/sensors/{big_id}", sensor, "sensor", self.big),
                    Workload("W2", default, sensors_page, sensors_page),
                    Workload("W3", default, f"/api/v1/sensors/{big_id}", readings, "readings", self.big),
                    Workload("W4", default, f"/api/v1/sensors/{big_id}", hourly, "hourly", self.big),
                    Workload("W5", default, f"/api/v1/sensors/{big_id}", daily, "daily", self.big),
                    Workload("L3", bare_readings, f"/api/v1/sensors/{big_id}", "readings, bare", "readings", self.big),
                    Workload("L4", bare_readings, f"/api/v1/sensors/{big_id}", "hourly, bare", "hourly", self.big),
                    Workload(
                        "D3", django_readings, f"/api/v1/sensors/{big_id}", "readings, Django", "readings", self.big
                    ),
                    Workload("W1 nocache", nocache, f"/api/v1/sensors/{big_id}", sensor, "sensor", self.big),
                    Workload("W2 nocache", nocache, sensors_page, sensors_page),
                    Workload("W3 nocache", nocache, f"/api/v1/sensors/{big_id}", readings, "readings", self.big),
                    Workload("W4 nocache", nocache, f"/api/v1/sensors/{big_id}", hourly, "hourly", self.big),
                    Workload("W5 nocache", nocache, f"/api/v1/sensors/{big_id}", daily, "daily", self.big),
                    Workload("W3 small", small, f"/api/v1/sensors/{small_id}", readings, "readings", self.small),
                ]
            )
            rss_default = default.worker_rss_mb()

        print(f"memory soak: {args.soak_requests:,} mixed W1-W3 requests, worker recycling off")
        with Server(args.database_url, env={"GUNICORN_MAX_REQUESTS": "0"}) as server:
            server.wait_until_ok(ready_path)
            memory = self.soak(server)
        memory["after_default_workloads_mb"] = rss_default

        return {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - began, 1),
            "cpus": os.cpu_count(),
            "wrk": {
                "threads": args.threads,
                "connections": args.connections,
                "duration_s": args.duration,
                "rounds": args.rounds,
            },
            "datasets": {
                "large": {"sensors": len(self.big.sensor_ids), "readings": self.big.readings},
                "small": {"sensors": len(self.small.sensor_ids), "readings": self.small.readings},
            },
            "cold_start": {"path": ready_path, "seconds": round(cold_start, 2)},
            "workloads": self.results,
            "memory": memory,
        }

    def soak(self, server):
        """Mixed load in short rounds; worker RSS once past the checkpoint and at the end."""
        args = self.args
        done, errors, at_checkpoint = 0, 0, None
        round_seconds = 2 if args.soak_requests >= 10_000 else 1
        deadline = time.monotonic() + SOAK_LIMIT_S
        while done < args.soak_requests and time.monotonic() < deadline:
            result = run_wrk(
                f"{server.base_url}/api/v1/sensors/{self.big.sensor_ids[0]}",
                round_seconds,
                mode="mixed",
                threads=args.threads,
                connections=args.connections,
                env=self.big.load_env(PAGE),
            )
            done += result["requests"]
            errors += result["non_2xx_3xx"] + result["socket_errors"]
            if at_checkpoint is None and done >= args.soak_checkpoint:
                at_checkpoint = {"requests": done, "rss_mb": server.worker_rss_mb()}
                print(f"  after {done:,} requests: {at_checkpoint['rss_mb']} MB")
        final = {"requests": done, "rss_mb": server.worker_rss_mb()}
        print(f"  after {done:,} requests: {final['rss_mb']} MB")
        return {"checkpoint": at_checkpoint, "final": final, "errors": errors}


def main(argv=None):
    args = parse_args(argv)
    # Every Server copies os.environ: L and W0-W3 run the same worker count.
    os.environ["WEB_CONCURRENCY"] = str(args.workers)
    require_wrk()
    with dataset.buffer_pool(args.database_url, args.buffer_pool_mb) as pool_bytes:
        summary = Bench(args).run()
    summary["buffer_pool_bytes"] = pool_bytes
    summary["targets"] = report.targets(summary)
    print()
    print(report.table(summary))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (args.results_dir / name).write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nwritten: {args.results_dir / f'bench-{stamp}.json'}")
    missed = [target for target in summary["targets"] if not target["met"]]
    if missed and not args.no_check:
        sys.exit(1)


if __name__ == "__main__":
    main()
