"""``manage.py consume_readings`` as a process, the way a pod runs it::

consumer = ConsumerProcess(broker, database_url).start()   # returns once subscribed
consumer.metric("relayr_ingest_readings_stored_total")
consumer.signal(signal.SIGKILL); consumer.wait(); consumer.start()   # same client id: same session
consumer.close()
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from harness.server import BASE_DIR, free_port

from .metrics import sample_sum


class ConsumerProcess:
    """``manage.py consume_readings`` with its own client id, health port and log file."""

    def __init__(self, broker, db_url, client_id=None, env=None):
        self.broker = broker
        self.db_url = db_url
        self.client_id = client_id or f"test-consumer-{uuid.uuid4().hex[:8]}"
        self.extra_env = env or {}
        self.process = None
        self._tmp = tempfile.TemporaryDirectory(prefix="relayr-consumer-")
        self.log_path = Path(self._tmp.name) / "consumer.log"
        self.runs = 0

    def start(self):
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relayr.settings.test",
            "DATABASE_URL": self.db_url,
            "MQTT_URL": self.broker.url,
            "MQTT_CLIENT_ID": self.client_id,
            "MQTT_HEALTH_PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **{name: str(value) for name, value in self.extra_env.items()},
        }
        self.runs += 1
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "consume_readings"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
            )
        self.wait_for(lambda: self.metric("relayr_ingest_subscribed") == 1, "subscribed", timeout=30)
        return self

    def metrics(self):
        return requests.get(f"http://127.0.0.1:{self.port}/metrics", timeout=2).text

    def metric(self, name, **labels):
        try:
            return sample_sum(self.metrics(), name, **labels)
        except requests.RequestException:
            if self.process.poll() is not None:
                raise RuntimeError(f"consumer exited with {self.process.returncode}:\n{self.output()}") from None
            return None

    def wait_for(self, predicate, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise TimeoutError(f"consumer not {what} after {timeout} s:\n{self.output()[-4000:]}")

    def signal(self, signum):
        self.process.send_signal(signum)

    def wait(self, timeout=60):
        return self.process.wait(timeout=timeout)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self):
        self.stop()
        self._tmp.cleanup()

    def rss_bytes(self):
        """The process's resident memory, from /proc (Linux)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0
