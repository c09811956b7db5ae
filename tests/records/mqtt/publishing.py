"""Readings as devices publish them, and publishers running side by side."""

import threading
import time
from datetime import UTC, datetime, timedelta

import orjson

from tests.support.mosquitto import Publisher

T0 = datetime(2025, 6, 1, tzinfo=UTC)
TOPIC = "relayr/readings/{}"


def reading(n):
    """The n-th reading of a sensor: one a second from T0, value n."""
    return {"recorded_at": (T0 + timedelta(seconds=n)).isoformat(), "value": float(n)}


def expected(count):
    return [(T0 + timedelta(seconds=n), float(n)) for n in range(count)]


def publish(broker, sensor, count, start=0, rate=None, client_id=None):
    """``count`` single-reading messages to ``sensor``'s topic, at ``rate`` per second if given."""
    with Publisher(broker, client_id or f"pub-{sensor}") as publisher:
        began = time.monotonic()
        for n in range(start, start + count):
            publisher.send(TOPIC.format(sensor), orjson.dumps(reading(n)))
            if rate and n % 50 == 0:
                ahead = (n - start) / rate - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)
        publisher.flush(timeout=120)


def publish_in_parallel(broker, sensors, count, rate=None, start=0):
    """One publisher thread per sensor; returns the threads, started. ``join_all`` waits and re-raises."""
    errors = []

    def run(sensor):
        try:
            publish(broker, sensor, count, start=start, rate=rate)
        except Exception as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(sensor,), daemon=True) for sensor in sensors]
    for thread in threads:
        thread.start()
    threads.append(errors)
    return threads


def join_all(threads, timeout=180):
    *threads, errors = threads
    for thread in threads:
        thread.join(timeout)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a publisher did not finish"


def wait_until(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} not reached after {timeout} s")
