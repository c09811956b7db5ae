"""`make bench-mqtt`: consume_readings' sustained rate, publish-to-stored latency and memory.

Against MariaDB (BENCH_MQTT_DATABASE_URL, default relayr_bench_mqtt on
127.0.0.1) and a Mosquitto of its own on a free port (persistence on, saved at shutdown
and every 30 minutes, as Mosquitto does by default):

  import   the same rows through ``manage.py import_readings`` (NDJSON), the rate to compare with
  sustain  2 consumers, 4 publisher processes sending every row as fast as they can; rate = rows
           stored over the time from the first publish to the last row stored
  latency  1 publisher at --latency-rate readings/s; each reading's recorded_at is its publish
           time, and a poller notes when it appears in the table (poll interval added, not removed)
  memory   each consumer's RSS sampled every second during ``sustain``

    python -m bench.mqtt_ingest [--rows 400000] [--per-message 1] [--latency-seconds 30]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from harness.server import BASE_DIR
from tests.support.consumer import ConsumerProcess
from tests.support.mosquitto import Mosquitto

from .dataset import connect
from .mqtt_publish import CHUNK_LINES, mosquitto_pub, paced, publish_files, row

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_URL = "mysql://root@127.0.0.1:3306/relayr_bench_mqtt"
PUBLISHERS = 4
CONSUMERS = 2
POLL_SECONDS = 0.02
LOOK_BACK_SECONDS = 3
# Mosquitto's own default: the tests' broker saves every second, which with a backlog of
# hundreds of thousands of messages costs the broker more CPU than the consumers get.
BROKER_AUTOSAVE_SECONDS = 1800


class Database:
    def __init__(self, url):
        self.url = url
        server, name = connect(url, database=False)
        with server.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        server.close()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "relayr.settings.test"},
            check=True,
        )
        self.connection, _ = connect(url)
        self.connection.autocommit(True)

    def query(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def sensors(self, names):
        for name in names:
            self.query(
                "INSERT IGNORE INTO records_sensor (name, type, unit, location, is_active, created_at, updated_at) "
                "VALUES (%s, 'bench', 'u', '', 1, NOW(), NOW())",
                (name,),
            )
        ids = dict(self.query("SELECT name, id FROM records_sensor WHERE name IN %s", (names,)))
        return [ids[name] for name in names]

    def empty(self, ids):
        self.query("DELETE FROM records_reading WHERE sensor_id IN %s", (ids,))

    def count(self, ids):
        return self.query("SELECT COUNT(*) FROM records_reading WHERE sensor_id IN %s", (ids,))[0][0]


def wait_until_stored(consumers, db, ids, total, timeout):
    """When the consumers have stored ``total`` rows: their counters, then one count of the table to confirm.

    Counting the table itself every poll would read every stored row each time and
    compete with the consumers for the database.
    """
    deadline = time.monotonic() + timeout
    while True:
        stored = sum(consumer.metric("relayr_ingest_readings_stored_total") or 0 for consumer in consumers)
        if stored >= total:
            finished = time.monotonic()
            if db.count(ids) >= total:  # a redelivered message is counted by a consumer twice, stored once
                return finished
        if time.monotonic() > deadline:
            raise TimeoutError(f"{db.count(ids)} of {total} rows stored after {timeout} s")
        time.sleep(0.1)


def bench_import(db, names, ids, per_sensor):
    """import_readings on an NDJSON file of the same rows; None when the command is not there."""
    if not (BASE_DIR / "records/management/commands/import_readings.py").exists():
        return None
    db.empty(ids)
    with tempfile.NamedTemporaryFile("wb", suffix=".ndjson", delete=False) as spool:
        for name in names:
            for n in range(per_sensor):
                spool.write(orjson.dumps({"sensor": name, **row(n)}) + b"\n")
    env = {**os.environ, "DATABASE_URL": db.url, "DJANGO_SETTINGS_MODULE": "relayr.settings.test"}
    began = time.monotonic()
    command = [sys.executable, "manage.py", "import_readings", spool.name]
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, capture_output=True)  # noqa: S603 - fixed arguments
    elapsed = time.monotonic() - began
    os.unlink(spool.name)
    assert db.count(ids) == per_sensor * len(names)
    db.empty(ids)
    rows = per_sensor * len(names)
    return {"rows": rows, "seconds": round(elapsed, 2), "rate": round(rows / elapsed)}


def bench_sustain(db, broker, names, ids, per_sensor, per_message, lines_per_run):
    db.empty(ids)
    consumers = [ConsumerProcess(broker, db.url, env={"LOG_LEVEL": "WARNING"}).start() for _ in range(CONSUMERS)]
    rss = {index: [] for index in range(CONSUMERS)}
    done = threading.Event()

    def sample():
        while not done.wait(1.0):
            for index, consumer in enumerate(consumers):
                rss[index].append(consumer.rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    total = per_sensor * len(names)
    try:
        with tempfile.TemporaryDirectory(prefix="relayr-bench-mqtt-") as directory:
            began = time.monotonic()
            publish_files(broker, names, per_sensor, per_message, lines_per_run, directory)
            published = time.monotonic()
        finished = wait_until_stored(consumers, db, ids, total, timeout=max(600, total / 500))
        stored = [consumer.metric("relayr_ingest_readings_stored_total") for consumer in consumers]
    finally:  # a failed run leaves no consumer behind
        done.set()
        sampler.join()
        for consumer in consumers:
            consumer.close()
    return {
        "rows": total,
        "per_message": per_message,
        "publish_seconds": round(published - began, 2),
        "seconds": round(finished - began, 2),
        "rate": round(total / (finished - began)),
        "stored_by_consumer": stored,
        "rss_mb": {
            str(index): {
                "first": round(samples[min(5, len(samples) - 1)] / 2**20, 1) if samples else None,
                "max": round(max(samples) / 2**20, 1) if samples else None,
                "last": round(samples[-1] / 2**20, 1) if samples else None,
                "samples": len(samples),
            }
            for index, samples in rss.items()
        },
    }


def bench_latency(db, broker, name, sensor_id, rate, seconds):
    db.empty([sensor_id])
    consumers = [ConsumerProcess(broker, db.url, env={"LOG_LEVEL": "WARNING"}).start() for _ in range(CONSUMERS)]
    publisher = mosquitto_pub(broker, name)
    sent_count = [0]
    sent = threading.Thread(target=paced, args=(publisher, rate, seconds, sent_count), daemon=True)
    sent.start()
    # Two consumers commit side by side, so rows appear out of recorded_at order:
    # each poll looks back a few seconds past the newest row seen and skips rows already seen.
    seen, latencies, newest, quiet_since = set(), [], datetime(1000, 1, 1), None
    while True:
        polled = time.time()
        rows = db.query(
            "SELECT recorded_at FROM records_reading WHERE sensor_id = %s AND recorded_at > %s",
            (sensor_id, newest - timedelta(seconds=LOOK_BACK_SECONDS)),
        )
        fresh = [recorded_at for (recorded_at,) in rows if recorded_at not in seen]
        for recorded_at in fresh:
            seen.add(recorded_at)
            latencies.append(polled - recorded_at.replace(tzinfo=UTC).timestamp())
            newest = max(newest, recorded_at)
        if sent.is_alive() or fresh:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > LOOK_BACK_SECONDS:
            break
        time.sleep(POLL_SECONDS)
    for consumer in consumers:
        consumer.close()
    latencies.sort()

    def pick(q):
        return round(latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000, 1)

    return {
        "rate": rate,
        "seconds": seconds,
        "published": sent_count[0],
        "stored": len(latencies),
        "p50_ms": pick(0.5),
        "p99_ms": pick(0.99),
        "max_ms": round(latencies[-1] * 1000, 1),
        "poll_ms": POLL_SECONDS * 1000,
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=400_000, help="rows for import and sustain (default 400000)")
    parser.add_argument("--per-message", type=int, default=1, help="readings per MQTT message in sustain")
    parser.add_argument("--latency-rate", type=float, default=1000)
    parser.add_argument("--latency-seconds", type=float, default=30)
    parser.add_argument(
        "--lines-per-run", type=int, default=CHUNK_LINES, help="messages per mosquitto_pub run (see publish_files)"
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    db = Database(os.environ.get("BENCH_MQTT_DATABASE_URL", DEFAULT_URL))
    names = [f"mqtt-bench-{n}" for n in range(PUBLISHERS)]
    ids = db.sensors(names + ["mqtt-bench-latency"])
    per_sensor = args.rows // PUBLISHERS
    results = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count()}
    with Mosquitto(autosave_seconds=BROKER_AUTOSAVE_SECONDS) as broker:
        results["import"] = bench_import(db, names, ids[:-1], per_sensor)
        print("import ", results["import"], flush=True)
        results["sustain"] = bench_sustain(
            db, broker, names, ids[:-1], per_sensor, args.per_message, args.lines_per_run
        )
        print("sustain", results["sustain"], flush=True)
        results["latency"] = bench_latency(
            db, broker, "mqtt-bench-latency", ids[-1], args.latency_rate, args.latency_seconds
        )
        print("latency", results["latency"], flush=True)
    if results["import"]:
        results["sustain_vs_import"] = round(results["sustain"]["rate"] / results["import"]["rate"], 2)
    args.results_dir.mkdir(exist_ok=True)
    out = args.results_dir / f"mqtt-{results['started'][:19].replace(':', '')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
