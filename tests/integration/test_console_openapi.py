"""The OpenAPI document is generated from the code, and the API keeps to it: Schemathesis
generates requests from /api/openapi.json and runs them in-process over ASGI with an admin
token; no 5xx, and every response matches its documented status, media type and schema.
Bounded: a handful of examples per operation, on SQLite only."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from console.openapi import document
from console.web import OPERATIONS
from tests.e2e.conftest import PUBLIC_URL
from tests.integration.conftest import Console

pytestmark = pytest.mark.integration


# The same document /api/openapi.json serves (its generator is pure); each test points the
# test's requests at that test's app (Schemathesis' fixture loader does not run under pytest 9).
schema = schemathesis.openapi.from_dict(
    document(
        OPERATIONS, title="Peerline console API", version="1", cookie="__Host-peerline_session"
    )
)


def test_the_document_lists_every_operation_with_problem_errors(console: Console) -> None:
    doc = console.client.get("/api/openapi.json").json()
    assert doc == schema.raw_schema, "the schema under test is the one served"
    assert doc["openapi"].startswith("3.1")
    operations = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    assert operations == {(op.method, "/api/v1" + op.path) for op in OPERATIONS}
    for path, item in doc["paths"].items():
        for method, spec in item.items():
            problems = [r for code, r in spec["responses"].items() if code.startswith("4")]
            assert problems, (method, path)
            for response in problems:
                assert list(response["content"]) == ["application/problem+json"]
    refs = doc["components"]["schemas"]
    assert {"SupporterOut", "RequestOut", "MatchOut", "Problem", "AuditPage"} <= set(refs)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_document(case: Any, console: Console) -> None:
    schema.app = case.operation.schema.app = console.app  # the checks' own re-sends, too
    case.call_and_validate(
        base_url=PUBLIC_URL,
        headers=console.bearer(),
        app=console.app,
        # Schema-valid is not always acceptable: a well-formed phone number may not exist,
        # a role may not be one; those are documented 422s with every problem listed.
        excluded_checks=[checks.positive_data_acceptance],
    )
