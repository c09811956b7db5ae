"""`manage.py check --deploy` with production settings, configured as the chart does behind TLS."""

from harness.server import BASE_DIR
from tests.support.processes import run_django

DEPLOY_CHECK = ("manage.py", "check", "--deploy", "--fail-level", "WARNING")


def check_deploy(**env):
    return run_django(*DEPLOY_CHECK, settings="relayr.settings.prod", env=env, clean=True)


def test_no_warning_behind_tls():
    result = check_deploy(
        DJANGO_SECRET_KEY="k3y-" + "x" * 60,  # long and varied enough for security.W009
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_HSTS_SECONDS="31536000",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (2 silenced)." in result.stdout, result.stdout


def test_without_tls_the_check_says_what_is_missing():
    result = check_deploy(DJANGO_SECRET_KEY="k3y-" + "x" * 60)
    assert result.returncode == 1
    for warning in ("security.W004", "security.W012", "security.W016"):  # HSTS, session and CSRF cookies
        assert warning in result.stderr, result.stderr


def test_every_silenced_check_says_why():
    source = (BASE_DIR / "relayr" / "settings" / "prod.py").read_text()
    silenced = [line for line in source.splitlines() if line.strip().startswith('"security.')]
    assert silenced
    assert all("  # " in line and len(line.split("#", 1)[1].strip()) > 20 for line in silenced), silenced
