"""The publishing side of `make bench-mqtt` (bench.mqtt_ingest): readings sent with mosquitto_pub."""

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

T0 = datetime(2024, 1, 1, tzinfo=UTC)
CHUNK_LINES = 20_000  # lines per mosquitto_pub run (see publish_files)


def row(n):
    return {"recorded_at": (T0 + timedelta(seconds=n)).isoformat(), "value": float(n)}


def mosquitto_pub(broker, sensor, stdin=subprocess.PIPE):
    """mosquitto_pub sending each line of its stdin as a message: a C client, so publishing is not the limit."""
    command = ["mosquitto_pub", "-p", str(broker.port), "-V", "5", "-q", "1", "-M", "500", "-l"]
    command += ["-t", f"relayr/readings/{sensor}"]
    return subprocess.Popen(command, stdin=stdin)  # noqa: S603 - fixed arguments


def publish_files(broker, names, per_sensor, per_message, lines_per_run, directory):
    """Every sensor's messages through mosquitto_pub, the sensors side by side.

    Each sensor's messages go in files of at most ``lines_per_run``, sent one after
    another by a mosquitto_pub each: fed 100,000 lines at once, bookworm's
    mosquitto_pub was disconnected partway ("out of memory" in the broker's
    log) and the rest of its lines were never sent. A publisher that fails
    stops the run with its exit status instead of leaving rows that never come.
    """
    chunks = {name: [] for name in names}
    for name in names:
        step = lines_per_run * per_message
        for first in range(0, per_sensor, step):
            path = Path(directory) / f"{name}-{first}.lines"
            with open(path, "wb") as out:
                for start in range(first, min(first + step, per_sensor), per_message):
                    rows = [row(n) for n in range(start, min(start + per_message, per_sensor))]
                    out.write(orjson.dumps(rows if per_message > 1 else rows[0]) + b"\n")
            chunks[name].append(path)

    def send(name):
        for path in chunks[name]:
            with open(path, "rb") as lines:
                status = mosquitto_pub(broker, name, stdin=lines).wait()
            if status != 0:
                raise RuntimeError(f"mosquitto_pub for {name} exited with {status} on {path.name}")

    with ThreadPoolExecutor(len(names)) as pool:
        for sent in [pool.submit(send, name) for name in names]:
            sent.result()


def paced(publisher, rate, seconds, count):
    """Lines to mosquitto_pub at ``rate`` a second; each reading's recorded_at is when it was written."""
    began, n = time.monotonic(), 0
    while time.monotonic() - began < seconds:
        message = {"recorded_at": datetime.now(UTC).isoformat(), "value": float(n)}
        publisher.stdin.write(orjson.dumps(message) + b"\n")
        publisher.stdin.flush()
        n += 1
        count[0] = n
        ahead = n / rate - (time.monotonic() - began)
        if ahead > 0:
            time.sleep(ahead)
    publisher.stdin.close()
    publisher.wait()
