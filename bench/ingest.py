"""`make bench-ingest`: import_readings against MariaDB's own LOAD DATA LOCAL INFILE, side by side.

The same CSV of ROWS readings (100 bench sensors, one a minute) goes into
two empty tables with the readings table's indexes: LOAD DATA into a copy
made with CREATE TABLE ... LIKE (resolving each sensor's name by subquery,
as the file names sensors, not ids), and ``manage.py import_readings`` into
the real one, in a fresh process as an operator runs it. Rounds alternate
the two so that a busy neighbour on a shared machine slows both alike.
Prints one line per run and the ratio; exits 1 below the target.

    python -m bench.ingest [--rows 1000000] [--rounds 2] [--database-url mysql://...]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import MySQLdb

from . import dataset
from .run import RESULTS_DIR

LOCAL_INFILE_DISABLED = 3948  # MySQL's error when the server's local_infile is off
TARGET = 0.3  # import_readings' rate as a share of LOAD DATA's (issue 13)
SENSORS = 100
T0 = datetime(2024, 1, 1, tzinfo=UTC)
LOAD = """
LOAD DATA LOCAL INFILE %s INTO TABLE records_reading_load
CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '\\n' IGNORE 1 LINES
(@sensor, @recorded_at, value)
SET sensor_id = (SELECT id FROM records_sensor WHERE name = @sensor COLLATE utf8mb4_unicode_ci),
    recorded_at = CAST(REPLACE(REPLACE(@recorded_at, 'T', ' '), 'Z', '') AS DATETIME(6))
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_INGEST_DATABASE_URL", "mysql://root@127.0.0.1:3306/relayr_bench_ingest"),
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-check", action="store_true", help="exit 0 even below the target")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def write_csv(path, rows):
    per_sensor = -(-rows // SENSORS)
    with open(path, "w") as out:
        out.write("sensor,recorded_at,value\n")
        written = 0
        for n in range(per_sensor):
            stamp = (T0 + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for s in range(1, SENSORS + 1):
                if written == rows:
                    return
                out.write(f"bench-{s:05d},{stamp},{(n * 7 + s) % 1000 / 10}\n")
                written += 1


def manage(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "relayr.settings.prod"}
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=dataset.BASE_DIR, env=env, check=True, capture_output=True, text=True
    )


def prepare(url):
    server, name = dataset.connect(url, database=False)
    with server, server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    manage(url, "migrate", "--no-input", "--verbosity", "0")
    manage(url, "generate_readings", "--sensors", str(SENSORS), "--per-sensor", "0")


def run_load_data(url, path):
    """Seconds for LOAD DATA of the CSV into an empty copy of the readings table, and the rows it holds then."""
    connection, _ = dataset.connect(url, local_infile=True)
    with connection, connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS records_reading_load")
        cursor.execute("CREATE TABLE records_reading_load LIKE records_reading")
        began = time.monotonic()
        try:
            cursor.execute(LOAD, [str(path)])
        except MySQLdb.OperationalError as error:
            if error.args[0] != LOCAL_INFILE_DISABLED:
                raise
            sys.exit("bench-ingest: this server refuses LOAD DATA LOCAL INFILE (local_infile is off, MySQL's default)")
        connection.commit()
        seconds = time.monotonic() - began
        cursor.execute("SELECT COUNT(*) FROM records_reading_load")
        count = cursor.fetchone()[0]
        cursor.execute("DROP TABLE records_reading_load")
    return seconds, count


def run_import(url, path):
    """Seconds for import_readings of the CSV into the emptied readings table, and the rows it holds then."""
    connection, _ = dataset.connect(url)
    with connection, connection.cursor() as cursor:
        empty(cursor)
        began = time.monotonic()
        manage(url, "import_readings", str(path))
        seconds = time.monotonic() - began
        cursor.execute("SELECT COUNT(*) FROM records_reading")
        count = cursor.fetchone()[0]
        empty(cursor)
    return seconds, count


def empty(cursor):
    """The readings and their hourly rollups: TRUNCATE fires no trigger, so it empties both."""
    cursor.execute("TRUNCATE TABLE records_reading")
    cursor.execute("TRUNCATE TABLE records_readinghour")


def main(argv=None):
    args = parse_args(argv)
    prepare(args.database_url)
    runs = {"load_data": [], "import_readings": []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "readings.csv"
        write_csv(path, args.rows)
        print(f"bench-ingest: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB of CSV, {args.rounds} round(s)")
        for round_ in range(1, args.rounds + 1):
            for name, run in (("load_data", run_load_data), ("import_readings", run_import)):
                seconds, count = run(args.database_url, path)
                if count != args.rows:
                    sys.exit(f"bench-ingest: {name} stored {count:,} rows, expected {args.rows:,}")
                runs[name].append(seconds)
                print(f"  round {round_} {name:<16} {seconds:6.1f} s  {args.rows / seconds:>9,.0f} rows/s")
    best = {name: min(times) for name, times in runs.items()}
    ratio = best["load_data"] / best["import_readings"]
    verdict = "ok" if ratio >= TARGET else f"MISSED (target {TARGET})"
    print(f"import_readings runs at {ratio:.2f} x LOAD DATA's rate (best of each): {verdict}")
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {"rows": args.rows, "runs_seconds": runs, "ratio": round(ratio, 3), "target": TARGET}
    (args.results_dir / f"ingest-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    if ratio < TARGET and not args.no_check:
        sys.exit(1)


if __name__ == "__main__":
    main()
