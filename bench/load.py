"""Run wrk against a server and parse the JSON line bench/wrk/workload.lua prints."""

import json
import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk" / "workload.lua"


def require_wrk():
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed; `make bench` installs it (apt-get install wrk)")


def run_wrk(url, duration, mode="fixed", threads=2, connections=32, env=None):
    """One wrk run; returns its counts and latencies (milliseconds) plus requests/s."""
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=5s",
        f"--script={SCRIPT}",
        url,
    ]
    result = subprocess.run(  # noqa: S603 - fixed arguments
        command,
        env={**os.environ, "BENCH_MODE": mode, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=duration + 60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "socket_errors": socket_errors,
    }
