"""Schemathesis fuzzes every operation of the OpenAPI document against the app, with a valid
token: whatever it sends, valid or not, the API answers 4xx at worst, never a server error, and
only with statuses and bodies the document declares."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# schemathesis' own pytest plugin (from_fixture/parametrize) does not run on pytest 9 yet: the
# operations are driven through Hypothesis directly, one run per operation and mode.
# No 5xx; and every answer is one the document declares, with the declared type and shape.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


def test_no_request_makes_the_api_fail_with_a_server_error(app, api, amicable_case, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tried = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # A real reference, so that the calls reach past the 404 of the case lookup.
            path = (
                {"reference": amicable_case.reference} if "{reference}" in operation.path else None
            )

            @EXAMPLES
            @given(case=operation.as_strategy(mode, path_parameters=path))
            def run(case):
                case.call_and_validate(headers=api.headers(), checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing left to make invalid once the path is fixed (GET /cases/{reference}).
                assert mode == GenerationMode.NEGATIVE, operation.label
                continue
            tried.append(operation.label)
    assert len(set(tried)) == len(operations)
