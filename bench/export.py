"""`make bench-export`: one sensor's whole history as CSV through relayr, against the mariadb client.

The same rows, side by side in one run: ``GET /api/v1/sensors/{id}/readings?format=csv``
from a gunicorn with the default settings, read to the end and thrown away,
and ``mariadb --batch --skip-column-names -e "SELECT recorded_at, value ..."``
piped to /dev/null. Rounds alternate the two so that a busy neighbour on a
shared machine slows both alike. Prints rows per second of each run and the
ratio of the best runs; exits 1 below the target.

    python -m bench.export [--rows 1000000] [--rounds 3] [--database-url mysql://...]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import dj_database_url
import requests

from . import dataset
from .run import RESULTS_DIR
from .server import Server

TARGET = 0.5  # relayr's CSV rows per second as a share of the mariadb client's (issue 12)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_EXPORT_DATABASE_URL", "mysql://root@127.0.0.1:3306/relayr_bench_export"),
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="readings of the one exported sensor")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-check", action="store_true", help="exit 0 even below the target")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def client_command(url, sensor_id):
    """The mariadb (or mysql) client's command line for the export's rows."""
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        sys.exit("bench-export needs the mariadb client: sudo apt-get install mariadb-client")
    config = dj_database_url.parse(url)
    command = [client, "--batch", "--skip-column-names", "-h", config["HOST"] or "127.0.0.1"]
    command += ["-P", str(config["PORT"] or 3306), "-u", config["USER"] or "root"]
    query = f"SELECT recorded_at, value FROM records_reading WHERE sensor_id={int(sensor_id)} ORDER BY recorded_at"  # noqa: S608
    env = {**os.environ, "MYSQL_PWD": config["PASSWORD"]} if config["PASSWORD"] else None
    return [*command, config["NAME"], "-e", query], env


def run_client(command, env):
    """Seconds for the client's output piped to /dev/null."""
    began = time.monotonic()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)  # noqa: S603
    return time.monotonic() - began


def run_export(server, sensor_id):
    """(seconds, data lines) for the CSV export read to its end."""
    lines = 0
    began = time.monotonic()
    with requests.get(server.url(f"/api/v1/sensors/{sensor_id}/readings?format=csv"), stream=True, timeout=600) as r:
        r.raise_for_status()
        for block in r.iter_content(1 << 20):
            lines += block.count(b"\n")
    return time.monotonic() - began, lines - 1  # the header line


def main(argv=None):
    args = parse_args(argv)
    data = dataset.ensure(args.database_url, 1, args.rows)
    sensor_id = data.sensor_ids[0]
    command, env = client_command(args.database_url, sensor_id)
    rows = int(subprocess.run(command, env=env, capture_output=True, check=True).stdout.count(b"\n"))  # noqa: S603
    runs = {"mariadb_client": [], "relayr_csv": []}
    print(f"bench-export: sensor {sensor_id}, {rows:,} readings, {args.rounds} round(s)")
    with Server(args.database_url) as server:
        server.wait_until_ok("/readyz")
        for round_ in range(1, args.rounds + 1):
            seconds = run_client(command, env)
            runs["mariadb_client"].append(seconds)
            print(f"  round {round_} mariadb client {seconds:6.2f} s  {rows / seconds:>10,.0f} rows/s", flush=True)
            seconds, exported = run_export(server, sensor_id)
            if exported != rows:
                sys.exit(f"bench-export: the CSV held {exported:,} rows, the client {rows:,}")
            runs["relayr_csv"].append(seconds)
            print(f"  round {round_} relayr CSV     {seconds:6.2f} s  {rows / seconds:>10,.0f} rows/s", flush=True)
        rss = server.worker_rss_mb()
    best = {name: min(times) for name, times in runs.items()}
    ratio = best["mariadb_client"] / best["relayr_csv"]
    verdict = "ok" if ratio >= TARGET else f"MISSED (target {TARGET})"
    print(f"relayr's CSV export runs at {ratio:.2f} x the mariadb client's rows/s (best of each): {verdict}")
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "rows": rows,
        "runs_seconds": runs,
        "rows_per_second": {name: round(rows / seconds) for name, seconds in best.items()},
        "ratio": round(ratio, 3),
        "target": TARGET,
        "worker_rss_mb_after": rss,
    }
    (args.results_dir / f"export-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    if ratio < TARGET and not args.no_check:
        sys.exit(1)


if __name__ == "__main__":
    main()
