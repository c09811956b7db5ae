"""Kubernetes probes.

- /livez: the process can serve requests. Touches nothing outside the process.
- /readyz: whether the Service should send this pod requests. 503 naming the
  failing check when migrations are pending, or when this pod cannot reach the
  database while a peer can (its own path is broken); 200 with status
  "degraded" when no peer reaches it either (a shared outage: staying in the
  Service keeps clients getting relayr's JSON). /healthz is the same, for the
  earlier service's probe paths.
- /readyz/local: this pod's own checks only; what peers ask (relayr.observability.peers).
"""

import dataclasses
import logging

from django.db import DatabaseError
from django.http import HttpResponse
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import HealthCheckException, ServiceUnavailable

from relayr.db.migrations import describe, unapplied_migrations
from relayr.db.tls import tls_problem
from relayr.http.errors import error_response
from relayr.http.responses import json_body

from . import peers

logger = logging.getLogger(__name__)

LIVE_BODY = json_body({"status": "ok"})
NO_STORE = "no-store"


@dataclasses.dataclass
class Database(checks.Database):
    """django-health-check's SELECT 1, saying what is wrong when TLS is."""

    def run(self):
        try:
            super().run()
        except ServiceUnavailable as exc:
            if reason := tls_problem(exc.__cause__):
                raise ServiceUnavailable(reason) from exc
            raise


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration in the code is applied to the database.

    django-health-check 4.8 has no migrations check. Once all are applied a
    process stops asking: migrations only move forward while it runs (the
    migration Job runs before new pods start), so the probe stays one query.
    """

    alias: str = "default"

    def run(self):
        if _migrations_applied.get(self.alias):
            return
        try:
            pending = unapplied_migrations()
        except DatabaseError as exc:
            raise ServiceUnavailable("database unavailable") from exc
        if pending:
            raise ServiceUnavailable(describe(pending))
        _migrations_applied[self.alias] = True


_migrations_applied = {}

# Run in this order; Migrations is skipped when the database is down.
READINESS_CHECKS = (Database(), Migrations())


def livez(request):
    response = HttpResponse(LIVE_BODY, content_type="application/json")
    response["Cache-Control"] = NO_STORE
    return response


def readyz(request):
    """200 {"status": "ok"|"degraded", "checks": {...}} or 503 with the API's error shape plus "checks"."""
    checks, failed = _run_checks()
    if failed == "database":
        reaching, asked = peers.survey()
        if reaching:
            checks["peers"] = f"{reaching} of {asked} reach the database"
        else:
            checks["peers"] = f"none of {asked} reach the database" if asked else "none configured"
            return _answer(checks, None, status="degraded")
    return _answer(checks, failed)


def readyz_local(request):
    """This pod's own checks, without asking peers."""
    return _answer(*_run_checks())


def _run_checks():
    checks = {}
    failed = None
    for check in READINESS_CHECKS:
        name = type(check).__name__.lower()
        if failed is not None:
            checks[name] = "skipped"
            continue
        try:
            check.run()
        except HealthCheckException as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            checks[name] = str(exc)
            failed = name
        else:
            checks[name] = "ok"
    return checks, failed


def _answer(checks, failed, status="ok"):
    if failed is None:
        response = HttpResponse(json_body({"status": status, "checks": checks}), content_type="application/json")
    else:
        # The API's error shape, plus every check's outcome.
        response = error_response(503, "not_ready", f"Readiness check failed: {failed}.", checks=checks)
    response["Cache-Control"] = NO_STORE
    return response
