"""The API against its own OpenAPI document: every operation, positive and negative inputs."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import schemathesis
from flask import request
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_api import clean_app
from werkzeug.wrappers import Response

APP = clean_app({"ENV": "development", "TESTING": True})
CALLS: Counter[tuple[str, str, int]] = Counter()


@APP.after_request
def _count(response: Response) -> Response:
    CALLS[(request.method, request.path, response.status_code)] += 1
    return response


DOCUMENT = APP.test_client().get("/api/v1/openapi.json").get_json()
CALLS.clear()  # count only what schemathesis sends
# Loaded as a dict, then bound to the app: from_wsgi would leave out the operation that serves
# the document itself.
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = APP
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@schema.parametrize()
@settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    # The WSGI transport hands over the body as sent, without decoding it as an HTTP client
    # would: ask for it plain (tests/test_compression.py covers the compressed API answers).
    case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})


def test_every_operation_was_called_with_good_and_bad_input() -> None:
    if not CALLS:
        pytest.skip("runs after the schemathesis test, in the same session")
    operations = {(m.upper(), p) for p, ops in DOCUMENT["paths"].items() for m in ops}
    per_operation = Counter({op: 0 for op in operations})
    statuses: dict[tuple[str, str], set[int]] = {op: set() for op in operations}
    templates = {re.sub(r"\{\w+\}", "[^/]+", re.escape(p).replace(r"\{", "{").replace(r"\}", "}")): p
                 for p in DOCUMENT["paths"]}  # fmt: skip
    for (method, called, status), count in CALLS.items():
        path = next((p for t, p in templates.items() if re.fullmatch(t, called)), called)
        if (method, path) in operations:
            per_operation[(method, path)] += count
            statuses[(method, path)].add(status)
    print(f"\nschemathesis: {sum(CALLS.values())} requests: {dict(per_operation)}")
    for op in operations:
        if op[1].endswith("/$decide"):
            # A valid QuestionnaireResponse names this server's canonical: no schema can let
            # schemathesis write one. test_fhir.py gets a 200 for every golden case.
            assert statuses[op] & {400, 415, 422} and 500 not in statuses[op], statuses[op]
            continue
        assert 200 in statuses[op], (op, statuses[op])
        if op[0] == "POST":  # negative mode sent bodies the API had to refuse
            assert statuses[op] & {400, 422}, (op, statuses[op])
