"""`make bench-prune`: W3's p99 with and without prune_readings deleting at the same time.

The database holds W3's readings (100 sensors x 10,000, from 2024-01-01, as
in `make bench`) plus an older copy of them from 2020 for the prune to
delete. Rounds alternate: W3 alone, then W3 while ``prune_readings --before
2023-01-01`` runs in its own process (stopped with SIGTERM after the round,
as a CronJob deadline would). The old rows are topped up whenever the prune
gets near their end, so it is deleting for all of every round. Prints both
p99s and their ratio; exits 1 above the target.

    python -m bench.prune [--duration 10] [--rounds 2] [--database-url mysql://...]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import dataset
from .ingest import manage
from .load import combine, require_wrk, run_wrk
from .run import PAGE, RESULTS_DIR
from .server import Server

TARGET = 2.0  # W3's p99 while pruning, as a multiple of its p99 without (issue 13)
NEW_START, OLD_START, CUTOFF = "2024-01-01T00:00:00+00:00", "2020-01-01T00:00:00+00:00", "2023-01-01T00:00:00Z"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_PRUNE_DATABASE_URL", "mysql://root@127.0.0.1:3306/relayr_bench_prune"),
    )
    parser.add_argument("--sensors", type=int, default=100)
    parser.add_argument("--per-sensor", type=int, default=10_000, help="W3's readings per sensor, and as many old ones")
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per side, over all rounds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--no-check", action="store_true", help="exit 0 even above the target")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def old_rows(url):
    connection, _ = dataset.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM records_reading WHERE recorded_at < %s", [CUTOFF.rstrip("Z")])
        return cursor.fetchone()[0]


def top_up_old_rows(url, sensors, per_sensor):
    if old_rows(url) < sensors * per_sensor // 2:
        print("  generating the old readings for the prune to delete")
        counts = ["--sensors", str(sensors), "--per-sensor", str(per_sensor)]
        manage(url, "generate_readings", *counts, "--start", OLD_START)


def main(argv=None):
    args = parse_args(argv)
    require_wrk()
    os.environ.setdefault("WEB_CONCURRENCY", "4")
    url = args.database_url
    sensors, per_sensor = args.sensors, args.per_sensor
    data = dataset.ensure(url, sensors, per_sensor)
    first = int(datetime.fromisoformat(NEW_START).timestamp())
    w3 = dataset.Dataset(url, data.sensor_ids, sensors * per_sensor, first, first + (per_sensor - 1) * 60)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "relayr.settings.prod"}
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    runs = {"alone": [], "pruning": []}
    pruned = []
    seconds = max(args.duration // args.rounds, 1)
    with Server(url) as server:
        server.wait_until_ok("/readyz")
        target = f"{server.base_url}/api/v1/sensors/{w3.sensor_ids[0]}"

        def wrk(duration):
            return run_wrk(target, duration, mode="readings", env=w3.load_env(PAGE))

        if args.warmup:
            wrk(args.warmup)
        for round_ in range(1, args.rounds + 1):
            runs["alone"].append(wrk(seconds))
            top_up_old_rows(url, sensors, per_sensor)
            before = old_rows(url)
            command = [sys.executable, "manage.py", "prune_readings", "--before", CUTOFF]
            prune = subprocess.Popen(command, cwd=dataset.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
            deadline = time.monotonic() + 60
            while old_rows(url) == before and prune.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)  # measure only once it is deleting, past its start-up
            at_start, started = old_rows(url), time.monotonic()
            runs["pruning"].append(wrk(seconds))
            still_running = prune.poll() is None
            deleted, took = at_start - old_rows(url), time.monotonic() - started
            prune.send_signal(signal.SIGTERM)
            prune.wait(timeout=60)
            pruned.append({"deleted": deleted, "rows_per_s": round(deleted / took), "ran_throughout": still_running})
            print(
                f"  round {round_}: p99 alone {combine(runs['alone'][-1:])['p99_ms']} ms, "
                f"pruning {combine(runs['pruning'][-1:])['p99_ms']} ms; prune deleted {deleted:,} rows meanwhile"
            )
    alone, pruning = combine(runs["alone"]), combine(runs["pruning"])
    ratio = pruning["p99_ms"] / alone["p99_ms"]
    verdict = "ok" if ratio <= TARGET and all(p["ran_throughout"] for p in pruned) else f"MISSED (target {TARGET})"
    for name, result in (("alone", alone), ("while pruning", pruning)):
        print(
            f"W3 {name:<14}{result['rps']:>8,.0f} req/s  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms"
        )
    print(f"p99 while pruning is {ratio:.2f} x p99 alone: {verdict}")
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {"alone": alone, "pruning": pruning, "ratio": round(ratio, 3), "target": TARGET, "prune": pruned}
    (args.results_dir / f"prune-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    if verdict != "ok" and not args.no_check:
        sys.exit(1)


if __name__ == "__main__":
    main()
