"""A property-based run against the API's own OpenAPI schema (schemathesis): generated
requests, valid and not, to every operation of the live app over HTTP; none may answer 5xx,
and every answer must match the schema's documented responses."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.fixtures.web import TOKEN, MakeWeb

#: Examples per operation: enough to reach the validation paths, bounded to keep CI fast.
EXAMPLES = 10


def test_no_operation_answers_5xx(make_web: MakeWeb) -> None:
    web = make_web()
    schema = schemathesis.openapi.from_url(web.url + "/openapi.json")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tested.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=web.url, headers=auth, timeout=30)
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])

        check()
    assert "POST /api/v1/runs" in tested
    assert "GET /api/v1/videos/{video}/samples.csv" in tested
    assert len(tested) >= 18
