"""Where the CPU went during a workload, per request: app, database, load generator.

On this machine all three share two cores, so a slower path may be the
database's or wrk's doing rather than the app's; these figures tell which.

- app: the gunicorn master and its workers. Live workers are read from
  /proc; recycled ones through the master's cutime/cstime, which the kernel
  adds up as the master reaps them, so recycling loses nothing.
- database: the local mariadbd (or mysqld) process, when there is one.
- wrk: this process's reaped children (RUSAGE_CHILDREN): the measured wrk
  run is the only child that ends between two snapshots.
"""

import os
import resource
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
DATABASE_PROCESSES = ("mariadbd", "mysqld")


def _times(pid):
    """(own CPU, reaped children's CPU) of ``pid`` in seconds, or (0, 0) once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0, 0.0
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime) / TICKS, (cutime + cstime) / TICKS


def _database_pid():
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() in DATABASE_PROCESSES:
                return int(entry.name)
        except OSError:
            continue  # gone meanwhile
    return None


class CpuMeter:
    """Snapshots of CPU seconds for one gunicorn server, the database and wrk."""

    def __init__(self, server):
        self.server = server
        self.database_pid = _database_pid()

    def snapshot(self):
        own, reaped = _times(self.server.master_pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "app": own + reaped + sum(_times(pid)[0] for pid in self.server.worker_pids()),
            "database": _times(self.database_pid)[0] if self.database_pid else None,
            "wrk": children.ru_utime + children.ru_stime,
        }

    def spent(self, before):
        """CPU seconds by part since the snapshot ``before`` (None where unknown)."""
        after = self.snapshot()
        return {part: None if after[part] is None else after[part] - before[part] for part in after}


def per_request(spent, requests):
    """Microseconds of CPU per request, by part, over runs (``spent``: one dict per run)."""
    totals = {part: [run[part] for run in spent] for part in spent[0]}
    return {
        part: None if None in values else round(sum(values) / max(requests, 1) * 1e6) for part, values in totals.items()
    }
