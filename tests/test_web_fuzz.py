"""Schemathesis generates requests from the OpenAPI schema: none may cause a server error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from attunement.web import Settings, create_app  # noqa: E402

DATA = Path(tempfile.mkdtemp(prefix="attune-fuzz-")) / "data"
APP = create_app(Settings(data_dir=DATA, extra_hosts=("testserver", "localhost")))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_request_causes_a_server_error(case):
    response = case.call(headers={"host": "testserver"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body["error"]) == {"code", "message", "field"}
