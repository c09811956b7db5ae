"""Run Django in a fresh process, as an operator or a pod would."""

import os
import subprocess
import sys

from harness.server import BASE_DIR


def run_django(*args, settings, env=None, clean=False, timeout=60):
    """``python *args`` in the repository with DJANGO_SETTINGS_MODULE=``settings``.

    ``clean`` drops every DATABASE_* and DJANGO_* variable inherited from the
    test run first, so only ``env`` configures the process (settings tests);
    otherwise the run's database stays in reach (commands against it).
    """
    inherited = os.environ.items()
    if clean:
        inherited = [(k, v) for k, v in inherited if not k.startswith(("DATABASE_", "DJANGO_"))]
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**dict(inherited), "DJANGO_SETTINGS_MODULE": settings, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
