"""The Makefile's checks on a new machine, before anything is installed."""

import subprocess

from harness.server import BASE_DIR

OLD_PYTHON = """#!/bin/sh
# Ubuntu 22.04's python3, as far as the Makefile can tell.
case "$*" in
  *version_info*) exit 1 ;;
  --version) echo "Python 3.10.12" ;;
  *) exit 1 ;;
esac
"""


def test_an_old_python_stops_make_with_the_fix(tmp_path):
    python = tmp_path / "python3"
    python.write_text(OLD_PYTHON)
    python.chmod(0o755)
    result = subprocess.run(
        ["make", "--no-print-directory", "system-deps", f"PYTHON={python}"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "relayr needs Python 3.11 or newer" in result.stdout and "Python 3.10.12" in result.stdout
    assert "make PYTHON=python3.11 run" in result.stdout
