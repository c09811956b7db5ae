"""The README holds: its configuration table lists every variable the code reads, and
its commands work verbatim in a copy of the repository, as in a fresh clone."""

import os
import re
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from harness.server import free_port
from tests.support.metrics import sample_sum

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""\bget_(?:str|bool|int|float|list|origins)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
README = (ROOT / "README.md").read_text(encoding="utf-8")
OLD = 1_577_836_800  # 2020-01-01


def variables_read():
    names = set()
    for package in ("relayr", "records"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(READ.findall(path.read_text(encoding="utf-8")))
    return names


def section(title):
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(title, language="sh"):
    return re.findall(rf"```{language}\n(.*?)```", section(title), re.S)


def commands(title):
    """Each line of the section's sh blocks, without its trailing comment."""
    lines = [line for block in blocks(title) for line in block.splitlines() if line.strip()]
    return [re.sub(r"\s+#\s[^'\"]*$", "", line).strip() for line in lines]


def test_every_variable_is_documented():
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section("Configuration")))
    names = variables_read()
    assert len(names) > 20
    assert names - documented == set()


def test_readme_shows_the_two_commands_before_the_long_sections():
    assert "make run" in README and "make test" in README
    titles = re.findall(r"(?m)^## (.+)$", README)
    assert titles.index("Local development") < titles.index("API")
    assert titles.index("Deploy to Kubernetes") < titles.index("Performance")


# --- the commands, run in a copy of the repository -------------------------------------


@pytest.fixture
def fresh_clone(tmp_path):
    """The repository's files (committed or not, never ignored ones such as var/ or
    db.sqlite3) in a new folder, sharing this run's .venv as `make install` left it.

    A newcomer's commands use SQLite whatever this run's database: they run in the
    SQLite pass of `make test` only."""
    if os.environ.get("DATABASE_URL", "").startswith("mysql") or os.environ.get("DATABASE_HOST"):
        pytest.skip("the README's commands run in the SQLite pass")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    clone = tmp_path / "relayr"
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = clone / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            # Older than .venv/.installed: make sees the shared virtualenv as up to date.
            os.utime(target, (OLD, OLD))
    (clone / ".venv").symlink_to(ROOT / ".venv")
    return clone


def newcomer_env(tmp_path, **extra):
    """A shell as a new user has it: none of this test run's DJANGO_* or DATABASE_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PROMETHEUS_"))}
    env.update(TMPDIR=str(tmp_path), **{k: str(v) for k, v in extra.items()})
    return env


def run(line, clone, env, timeout=300):
    return subprocess.run(["bash", "-c", line], cwd=clone, env=env, capture_output=True, text=True, timeout=timeout)


def wait_for(url, timeout=120, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s")


def start(command, clone, env):
    """A server the README starts, in its own process group so ``stop`` ends all of it."""
    return subprocess.Popen(  # noqa: S603 - the README's own command
        command, cwd=clone, env=env, text=True, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()


@pytest.mark.slow
def test_local_development_commands_work_verbatim(fresh_clone, tmp_path):
    env = newcomer_env(tmp_path)
    lines = commands("Local development")
    assert any("manage.py runserver" in line for line in lines)
    for line in lines:
        if "manage.py runserver" in line:
            port = int(line.rsplit(":", 1)[1])
            line = line.replace(str(port), str(free_port()))
            server = start(["bash", "-c", f"exec {line}"], fresh_clone, env)
            try:
                address = line.rsplit(" ", 1)[1]
                wait_for(f"http://{address}/api/v1/sensors", process=server)
                assert requests.get(f"http://{address}/admin/login/", timeout=10).status_code == 200
            finally:
                output, _ = stop(server)
            assert "Traceback" not in output, output
            continue
        result = run(line, fresh_clone, env)
        assert result.returncode == 0, (line, result.stdout[-3000:], result.stderr[-3000:])
        assert "Traceback" not in result.stderr, (line, result.stderr)
        if "shell -c" in line:
            assert int(result.stdout.split()[-1]) >= 1200 + 3000


def readme_api_examples(port):
    lines = [line for line in commands("API") if line.startswith("curl ")]
    assert len(lines) >= 5
    return [line.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for line in lines]


@pytest.mark.slow
def test_make_run_serves_the_readme_examples_metrics_and_admin(fresh_clone, tmp_path):
    port = free_port()
    env = newcomer_env(tmp_path)
    server = start(["make", "run", f"PORT={port}"], fresh_clone, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/readyz", timeout=240, process=server)
        for line in readme_api_examples(port):
            result = run(line, fresh_clone, env, timeout=30)
            assert result.returncode == 0 and result.stdout.strip(), (line, result.stderr)
            assert "error" not in result.stdout.split("\r\n\r\n")[-1][:20], (line, result.stdout)
        metrics = requests.get(f"{base}/metrics", timeout=10).text
        counted = sample_sum(metrics, "django_http_requests_total_by_view_transport_method_total")
        assert counted >= len(readme_api_examples(port)), metrics[:2000]

        password = (fresh_clone / "var" / "admin_password").read_text().strip()
        browser = requests.Session()
        login = f"{base}/admin/login/"
        browser.get(login, timeout=10)
        token = browser.cookies["csrftoken"]
        form = {"username": "admin", "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
        page = browser.post(login, data=form, headers={"Referer": login}, timeout=10)
        assert page.url == f"{base}/admin/" and "Sensor records" in page.text
    finally:
        output, _ = stop(server)
    assert f"user admin, password {password}" in output
    assert "Traceback" not in output, output[-3000:]
    assert not list(tmp_path.glob("relayr-prometheus-*"))


@pytest.mark.slow
def test_make_run_on_a_taken_port_says_so_before_starting(fresh_clone, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(f"make run PORT={port}", fresh_clone, newcomer_env(tmp_path))
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use" in result.stdout + result.stderr
    assert "relayr on http" not in result.stdout and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("relayr-prometheus-*"))


@pytest.mark.slow
def test_make_run_explains_an_unreachable_database_without_showing_its_password(fresh_clone, tmp_path):
    url = f"mysql://relayr:hunter2-secret@127.0.0.1:{free_port()}/relayr"
    result = run("make run", fresh_clone, newcomer_env(tmp_path, DATABASE_URL=url, PORT=free_port()))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Local development" in output and "database unavailable" in output
    assert "Traceback" not in output and "hunter2-secret" not in output


def test_the_mysql_set_up_sql_is_what_ci_runs():
    """The README's SQL, with the password CI uses, is .ci/run's: one text to keep right."""
    [sql] = blocks("Local development", "sql")
    ci = (ROOT / ".ci" / "run").read_text()
    for statement in sql.strip().splitlines():
        assert statement.replace("'secret'", "'relayr-ci'") in ci, statement


def test_shell_lines_are_plain_commands():
    for line in commands("Local development") + commands("API"):
        assert shlex.split(line), line
