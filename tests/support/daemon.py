"""A server a test runs in a temporary folder of its own, its output in a log file there.

Subclasses set ``name`` (the folder's prefix and the log's name) and call
``make_workdir()`` then ``spawn(command)`` in their ``start()``; stopping,
the log and the ``with`` block are the same for all of them.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path


class Daemon:
    name = "daemon"
    stop_timeout = 10  # seconds after SIGTERM before SIGKILL
    process = None

    def make_workdir(self):
        self.workdir = Path(tempfile.mkdtemp(prefix=f"relayr-{self.name}-"))
        return self.workdir

    def spawn(self, command):
        self._log = open(self.workdir / f"{self.name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def output(self):
        self._log.flush()
        return (self.workdir / f"{self.name}.log").read_text(errors="replace")
