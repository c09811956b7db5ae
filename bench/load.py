"""Run wrk against a server, parse the JSON line bench/wrk/workload.lua prints,
and merge a workload's short runs into one result."""

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
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return {
        "requests": raw["requests"],
        "seconds": raw["duration_us"] / 1e6,
        "max_us": raw["max_us"],
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "socket_errors": socket_errors,
        "permille_us": raw["permille_us"],
    }


def combine(runs):
    """One result from several runs of a workload: counts added, rate over
    their total time, p50 and p99 of all their requests together.

    Each run's distribution is its 1,000 per-mille points, each point
    standing for a thousandth of that run's requests; for a single run this
    gives back wrk's own p50 and p99.
    """
    requests = sum(run["requests"] for run in runs)
    points = sorted((value, run["requests"] / 1000) for run in runs for value in run["permille_us"])
    return {
        "requests": requests,
        "rps": round(requests / sum(run["seconds"] for run in runs), 1),
        "p50_ms": round(_quantile(points, 0.50 * requests) / 1000, 2),
        "p99_ms": round(_quantile(points, 0.99 * requests) / 1000, 2),
        "max_ms": round(max(run["max_us"] for run in runs) / 1000, 2),
        "non_2xx_3xx": sum(run["non_2xx_3xx"] for run in runs),
        "socket_errors": sum(run["socket_errors"] for run in runs),
        "runs_rps": [round(run["requests"] / run["seconds"], 1) for run in runs],
    }


def _quantile(points, rank):
    """The first value whose cumulative weight reaches ``rank`` (wrk's own rule)."""
    total = 0.0
    for value, weight in points:
        total += weight
        if total >= rank - 1e-9:
            return value
    return points[-1][0] if points else 0
