"""Errors of the API as application/problem+json (RFC 9457), translated."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from ..i18n import gettext
from ..records.fhir import MEDIA_TYPE as FHIR
from ..records.fhir import operation_outcome
from ..records.payloads import json_response

PROBLEM = "application/problem+json"
INVALID_INPUT = "urn:bfr-triage:problem:invalid-input"
TITLES = {
    400: _l("Bad request"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    413: _l("Content too large"),
    415: _l("Unsupported media type"),
    422: _l("Unprocessable content"),
    500: _l("Internal server error"),
}


class Problem(HTTPException):
    """An RFC 9457 problem: the status, a translated detail and, for bad input, each field."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, str]] | None = None):
        super().__init__(detail)
        self.code = status
        self.detail = detail
        self.errors = errors


# The OperationOutcome issue type of each status, for errors under /api/v1/fhir.
ISSUE_TYPES = {400: "structure", 404: "not-found", 405: "not-supported", 413: "too-costly",
               415: "not-supported", 422: "invalid", 500: "exception"}  # fmt: skip
FHIR_PATH = "/api/v1/fhir"


class FhirProblem(HTTPException):
    """An error of the FHIR endpoint: the status and each issue (FHIRPath expression, message)."""

    def __init__(self, status: int, issues: list[tuple[str, str]]):
        super().__init__("; ".join(message for _, message in issues))
        self.code = status
        self.issues = issues


def in_fhir() -> bool:
    """Return whether this request is for the FHIR endpoint, whose errors are OperationOutcomes."""
    return request.path == FHIR_PATH or request.path.startswith(FHIR_PATH + "/")


def outcome(status: int, issues: list[tuple[str, str]]) -> Response:
    """Return an OperationOutcome error response, one issue per (expression, message)."""
    code = ISSUE_TYPES.get(status, "processing" if status < 500 else "exception")
    return json_response(operation_outcome(issues, code), FHIR, status)


def problem(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> Response:
    """Return an application/problem+json response (RFC 9457); an OperationOutcome under /fhir."""
    if in_fhir():
        issues = [("", detail)] + [
            ("", f"{e['field']}: {e['message']} ({e['accepts']})") for e in errors or ()
        ]
        return outcome(status, issues)
    body: dict[str, Any] = {
        "type": INVALID_INPUT if errors is not None else "about:blank",
        "title": str(TITLES.get(status, TITLES[400 if status < 500 else 500])),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return json_response(body, PROBLEM, status)


def http_problem(error: Exception) -> Response:
    """Turn any error raised inside the API into problem+json; a bug still answers 500."""
    if isinstance(error, FhirProblem):
        return outcome(error.code or 422, error.issues)
    if isinstance(error, Problem):
        return problem(error.code or 400, error.detail, error.errors)
    if isinstance(error, HTTPException):
        code = error.code or 500
        details = {413: gettext("The body is larger than the API accepts.")}
        return problem(code, details.get(code, str(TITLES.get(code, TITLES[400]))))
    # Log where, never what: the request body holds answers.
    current_app.logger.error("unhandled %s on %s %s", type(error).__name__, request.method,
                             request.path, exc_info=error)  # fmt: skip
    if current_app.testing:
        raise error
    return problem(500, gettext("Something went wrong on our side. Nothing was saved."))


def method_not_allowed(error: MethodNotAllowed) -> tuple[Response, dict[str, str]]:
    """The 405 problem, with the methods the address takes (`create_app` routes 405s by path)."""
    return http_problem(error), {"Allow": ", ".join(sorted(error.valid_methods or ()))}
