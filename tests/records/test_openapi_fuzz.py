"""Schemathesis against the OpenAPI document, served by a real gunicorn.

Every operation of /api/v1/openapi.json gets generated requests, valid ones
(positive) and invalid ones (negative): none may answer 5xx, and every
response's status, content type, headers and body must be the ones the
document declares. Derandomized, so CI replays the same requests; shrinking is off,
so a failure is reported at once instead of minimised for minutes.
"""

import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from harness.server import GunicornServer
from tests.relayr.conftest import server_database_url  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,  # a page's Link, when there is one, as documented
    response_schema_conformance,
]
EXAMPLES_PER_MODE = 150  # per operation; operations without parameters stop early, having little to vary
MINIMUM_REQUESTS = 1_000
TIME_LIMIT_SECONDS = 240


def fuzz(operation, mode, base_url, session):
    """Run one operation's generated cases in one mode; returns how many requests it sent."""
    sent = 0

    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        nonlocal sent
        sent += 1
        case.call_and_validate(base_url=base_url, session=session, checks=CHECKS, timeout=10)

    call()
    return sent


def modes(operation):
    """Valid requests for every operation; invalid ones where there is a parameter to break."""
    if len(operation.path_parameters) or len(operation.query):
        return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return (GenerationMode.POSITIVE,)


def test_every_operation_conforms_to_the_document(server_database_url):  # noqa: F811
    # Every request reads the database: the response cache would answer repeats.
    with GunicornServer(server_database_url, workers=2, env={"API_CACHE_SECONDS": 0}) as server:
        # from_dict: loaded from its URL, schemathesis would leave out the document's own operation.
        document = server.get("/api/v1/openapi.json").json()
        schema = schemathesis.openapi.from_dict(document)
        operations = [result.ok() for result in schema.get_all_operations()]
        session = requests.Session()
        started = time.monotonic()
        sent = {
            f"{operation.label} ({mode.value})": fuzz(operation, mode, server.base_url, session)
            for operation in operations
            for mode in modes(operation)
        }
        elapsed = time.monotonic() - started
    total = sum(sent.values())
    print(f"schemathesis: {total} requests over {len(operations)} operations in {elapsed:.1f} s")
    for key, count in sent.items():
        print(f"  {count:5d}  {key}")
    assert len(operations) == sum(len(path) for path in document["paths"].values())
    assert total >= MINIMUM_REQUESTS
    assert elapsed < TIME_LIMIT_SECONDS
