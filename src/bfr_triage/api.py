"""The JSON API under /api/v1: assessments, the question catalogue, OpenAPI and FHIR."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, request
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import fhir
from .config import parse_origins
from .engine import AnswersError, FieldError, RuleSet, accepts, evaluate, parse_answers
from .engine.evaluate import app_version
from .engine.export import decision_to_dict
from .engine.model import Answers
from .openapi import AUDIENCES, FHIR, PROBLEM, answer_schema, build_openapi
from .security import DuplicateKey, unique_members
from .web.i18n import catalogue as translations
from .web.i18n import gettext, locale

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY = 64 * 1024  # bytes, when the app sets no MAX_CONTENT_LENGTH of its own
INVALID_INPUT = "urn:bfr-triage:problem:invalid-input"
# Keys of decision_to_dict whose string values are English rule texts, translated per request.
TEXT_KEYS = frozenset({"headline", "next_step", "text", "action", "label", "evidence",
                       "honesty_note", "note"})  # fmt: skip
TITLES = {
    400: _l("Bad request"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    413: _l("Content too large"),
    415: _l("Unsupported media type"),
    422: _l("Unprocessable content"),
    500: _l("Internal server error"),
}
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ENCODER = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(data, ensure_ascii=False) builds


class Problem(HTTPException):
    """An RFC 9457 problem: the status, a translated detail and, for bad input, each field."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, str]] | None = None):
        super().__init__(detail)
        self.code = status
        self.detail = detail
        self.errors = errors


def ruleset() -> RuleSet:
    """Return the rule set the app loaded at start."""
    rs: RuleSet = current_app.extensions["bfr_ruleset"]
    return rs


def tr(text: str) -> str:
    """Translate an English rule text into the request's language; empty stays empty."""
    return translations().gettext(text) if text else text


def language() -> str:
    """Return the language of this response: ?lang=, then Accept-Language, then the default."""
    return locale()


def translated(data: Any, translate: Callable[[str], str]) -> Any:
    """Return `data` (a decision dict) with every rule text translated; codes stay as they are."""
    if isinstance(data, list):
        return [translated(v, translate) if isinstance(v, dict | list) else v for v in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if key in TEXT_KEYS and isinstance(value, str):
            out[key] = translate(value) if value else value
        elif key != "answers" and isinstance(value, dict | list):
            out[key] = translated(value, translate)
        else:  # answers are codes and numbers: never translated
            out[key] = value
    return out


def decision_payload(answers: Answers, audience: str) -> dict[str, Any]:
    """Return the decision as JSON-ready data in the request's language (CLI shape, translated)."""
    rs = ruleset()
    result: dict[str, Any] = decision_to_dict(rs, evaluate(rs, answers), audience)
    # The request's catalogue is found once; English, the rules' own language, needs no pass.
    found = translations()
    return result if found.identity else translated(result, found.gettext)


def fhir_base() -> str:
    """Return the FHIR base URL: BFR_FHIR_BASE_URL, else this server's /api/v1/fhir."""
    configured = current_app.config.get("FHIR_BASE_URL")
    return str(configured).rstrip("/") if configured else request.url_root + "api/v1/fhir"


def questionnaire_response(answers: Answers, audience: str) -> dict[str, Any]:
    """Return the answers as a FHIR QuestionnaireResponse in the request's language."""
    rs = ruleset()
    decision = evaluate(rs, answers)
    wording = rs.policy.wording[decision.verdict]
    headline = wording.patient if audience == "patient" else wording.clinician
    return fhir.questionnaire_response(
        rs,
        answers,
        decision,
        fhir_base(),
        authored=datetime.now(UTC).isoformat(timespec="seconds"),
        headline=tr(headline),
        audience=audience,
        lang=language(),
        tr=tr,
    )


def json_response(data: Any, mimetype: str = "application/json", status: int = 200) -> Response:
    response = Response(ENCODER.encode(data), status=status, mimetype=mimetype)
    response.headers["Content-Language"] = language()
    return response


def problem(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> Response:
    """Return an application/problem+json response (RFC 9457)."""
    body: dict[str, Any] = {
        "type": INVALID_INPUT if errors is not None else "about:blank",
        "title": str(TITLES.get(status, TITLES[400 if status < 500 else 500])),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return json_response(body, PROBLEM, status)


def _field_error(pointer: str, error: FieldError) -> dict[str, str]:
    return {
        "field": error.field,
        "pointer": f"{pointer}/{error.field.replace('~', '~0').replace('/', '~1')}",
        "message": error.message,
        "accepts": error.accepts,
    }


def _number(text: str) -> int | float:
    """Read a JSON number written with a fraction or exponent; 2.0 is the whole number 2 in JSON."""
    value = Decimal(text)
    if value == value.to_integral_value() and value.adjusted() <= 18:
        return int(value)
    return float(text)


def read_assessment() -> tuple[str, Answers]:
    """Read and check a {"audience", "answers"} JSON body; raise Problem naming what is wrong."""
    if request.mimetype != "application/json":
        raise Problem(415, gettext("Send the body as application/json."))
    if current_app.config.get("MAX_CONTENT_LENGTH") is None:
        request.max_content_length = MAX_BODY
    data = request.get_data()  # raises a 413 beyond the limit
    try:
        body = json.loads(data, parse_float=_number, object_pairs_hook=unique_members)
    except DuplicateKey as error:  # which of the two values was meant cannot be known
        detail = gettext("The body names %(member)s twice.", member=json.dumps(error.key))
        raise Problem(400, detail) from None
    except (ValueError, RecursionError):
        raise Problem(400, gettext("The body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise Problem(400, gettext("The body must be a JSON object."))
    errors = [
        FieldError(key, "unknown member", "only audience and answers")
        for key in body
        if key not in ("audience", "answers")
    ]
    audience = body.get("audience", "clinician")
    if audience not in AUDIENCES:
        choices = "one of: " + ", ".join(AUDIENCES)
        errors.append(FieldError("audience", f"not accepted: {audience!r}", choices))
    problems = [_field_error("", e) for e in errors]
    raw = body.get("answers")
    answers = None
    if not isinstance(raw, dict):
        message = "missing" if "answers" not in body else "not an object"
        problems.append(_field_error("", FieldError("answers", message, "an object of answers")))
    else:
        try:
            answers = parse_answers(ruleset(), raw)
        except AnswersError as error:
            problems += [_field_error("/answers", e) for e in error.errors]
    if problems or answers is None:
        detail = ngettext(
            "%(num)d part of the body was not accepted.",
            "%(num)d parts of the body were not accepted.",
            len(problems),
        )
        raise Problem(422, detail, problems)
    return str(audience), answers


def catalogue() -> dict[str, Any]:
    """Return the question catalogue: pages and questions with labels in the request's language."""
    rs = ruleset()
    questions = []
    for q in rs.questions.values():
        entry: dict[str, Any] = {
            "id": q.id,
            "page": q.page,
            "type": q.type,
            "audience": q.audience,
            "optional": q.optional,
            "text": tr(q.text),
            "clinician_text": tr(q.clinician_text),
            "hint": tr(q.hint),
            "accepts": accepts(q),
            "schema": answer_schema(q),
        }
        if q.type == "integer":
            entry.update(minimum=q.min, maximum=q.max, dont_know=q.dont_know)
        else:
            entry["options"] = [
                {"value": o.value, "label": tr(o.label), "clinician_label": tr(o.clinician_label)}
                for o in q.options
            ]
            entry["exclusive"] = list(q.exclusive)
        questions.append(entry)
    pages = [
        {
            "id": p.id,
            "title": tr(p.title),
            "clinician_title": tr(p.clinician_title),
            "hint": tr(p.hint),
            "questions": list(p.questions),
        }
        for p in rs.pages
    ]
    return {
        "language": language(),
        "ruleset_version": rs.policy.ruleset_version,
        "rules_sha256": rs.sha256,
        "pages": pages,
        "questions": questions,
    }


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI document, built once per app from its rule set."""
    doc: dict[str, Any] | None = current_app.extensions.get("bfr_openapi")
    if doc is None:
        doc = current_app.extensions["bfr_openapi"] = build_openapi(ruleset(), app_version())
    return doc


@bp.post("/assessments")
def assessments() -> Response:
    audience, answers = read_assessment()
    return json_response(decision_payload(answers, audience))


@bp.get("/questionnaire")
def questionnaire() -> Response:
    return json_response(catalogue())


@bp.get("/openapi.json")
def openapi() -> Response:
    response = json_response(openapi_document())
    del response.headers["Content-Language"]  # the document is in English whatever is asked
    return response


@bp.get("/fhir/Questionnaire")
def fhir_questionnaire() -> Response:
    audience = request.args.get("audience", "clinician")
    if audience not in AUDIENCES:
        raise Problem(400, gettext("audience must be patient or clinician."))
    title = gettext("Blood flow restriction (BFR) training: triage questionnaire")
    resource = fhir.questionnaire(
        ruleset(), fhir_base(), title=title, audience=audience, lang=language(), tr=tr
    )
    return json_response(resource, FHIR)


@bp.post("/fhir/QuestionnaireResponse")
def fhir_questionnaire_response() -> Response:
    audience, answers = read_assessment()
    return json_response(questionnaire_response(answers, audience), FHIR)


def _allowed(path: str) -> list[str]:
    """Return the methods the OpenAPI document offers on `path` (empty: no such path)."""
    methods = [m.upper() for m in openapi_document()["paths"].get(path, {})]
    if "GET" in methods:
        methods.append("HEAD")
    return [*methods, "OPTIONS"] if methods else []


def fallback(rest: str = "") -> Response:
    """Answer every other /api/ URL with problem+json: 405 on a known path, else 404."""
    allowed = _allowed(request.path)
    if allowed:
        response = problem(405, gettext("Use %(methods)s here.", methods=", ".join(allowed)))
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return problem(404, gettext("There is no such address in the API; see /api/v1/openapi.json."))


def http_problem(error: Exception) -> Response:
    """Turn any error raised inside the API into problem+json; a bug still answers 500."""
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


# Blueprint handlers by code win over the app's HTML error pages for errors in these views.
for _code in (400, 404, 405, 413, 415, 422, 500):
    bp.register_error_handler(_code, http_problem)
bp.register_error_handler(Exception, http_problem)


def cors_origins() -> tuple[str, ...]:
    """Return the origins allowed to call the API from a browser (none by default)."""
    value = current_app.config.get("CORS_ORIGINS") or ()
    return parse_origins(value, "CORS_ORIGINS", allow_any=True)


@bp.after_app_request
def add_cors(response: Response) -> Response:
    """Allow the configured origins, and only those, to read /api/ responses; answer preflights."""
    if not request.path.startswith("/api/"):
        return response
    if request.method == "OPTIONS" and response.status_code < 400:
        # Flask's own answer lists the methods of every rule that matches, the fallback's too.
        response.headers["Allow"] = ", ".join(_allowed(request.path))
    origins = cors_origins()
    if not origins:
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin is None or ("*" not in origins and origin not in origins):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
    response.headers["Access-Control-Expose-Headers"] = "Content-Language"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        allowed = _allowed(request.path)
        response.headers["Access-Control-Allow-Methods"] = ", ".join(allowed)
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, Accept-Language"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def _add_fallback(state: BlueprintSetupState) -> None:
    for rule in ("/api", "/api/", "/api/<path:rest>"):
        state.app.add_url_rule(rule, "api_fallback", fallback, methods=ALL_METHODS)


bp.record_once(_add_fallback)
