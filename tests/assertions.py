"""Shared assertions: one helper checks the shape of every API error."""

import json


def assert_error(response, status, code, mentions=None):
    """The response is the API's JSON error with this status and code."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    # database_unavailable also says when to retry, in milliseconds.
    optional = {"retry_after_ms"} if code == "database_unavailable" else set()
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message"} | optional, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if mentions is not None:
        assert mentions in body["error"]["message"], body
    return body["error"]
