"""The JSON API under /api/v1: assessments, the question catalogue, OpenAPI and FHIR."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, request
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import ngettext
from werkzeug.wrappers import Response

from ..config import LOCALES, parse_origins
from ..engine import AUDIENCES, AnswersError, FieldError, accepts, parse_answers
from ..engine.evaluate import app_version
from ..engine.export import N_
from ..engine.model import Answers
from ..extensions import ruleset
from ..i18n import catalogue_for, gettext, locale
from ..i18n import rule_text as tr
from ..records import fhir
from ..records.fhir import MEDIA_TYPE as FHIR
from ..records.payloads import (
    decision_payload,
    fhir_base,
    guidance_response,
    json_response,
    now,
    questionnaire_response,
)
from ..security import DuplicateKey, unique_members
from .openapi import answer_schema, build_openapi, condition_data
from .problems import FhirProblem, Problem, http_problem, problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY = 64 * 1024  # bytes, when the app sets no MAX_CONTENT_LENGTH of its own
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


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
            "ask_when": condition_data(rs, q.ask_when),
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
        "language": locale(),
        "ruleset_version": rs.policy.ruleset_version,
        "rules_sha256": rs.sha256,
        "pages": pages,
        "questions": questions,
    }


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI document, built once per app from its rule set."""
    doc: dict[str, Any] | None = current_app.extensions.get("bfr_openapi")
    if doc is None:
        doc = current_app.extensions["bfr_openapi"] = build_openapi(
            ruleset(), app_version(), languages()
        )
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


QUESTIONNAIRE_TITLE = N_("Blood flow restriction (BFR) training: triage questionnaire")


def languages() -> tuple[str, ...]:
    return tuple(current_app.config.get("SUPPORTED_LOCALES", LOCALES))


def questionnaires() -> list[dict[str, Any]]:
    """Return every Questionnaire: one per audience and language, each in its own language."""
    rs, base = ruleset(), fhir_base()
    found = []
    for audience in reversed(AUDIENCES):  # clinician first
        for lang in languages():
            words = catalogue_for(lang).gettext
            title = words(QUESTIONNAIRE_TITLE)
            found.append(
                fhir.questionnaire(rs, base, title=title, audience=audience, lang=lang, tr=words)
            )
    return found


@bp.get("/fhir/metadata")
def fhir_metadata() -> Response:
    base = fhir_base()
    resource = fhir.capability_statement(base, version=app_version(), date=now()[:10])
    return json_response(resource, FHIR)


@bp.get("/fhir/Questionnaire")
def fhir_questionnaire_search() -> Response:
    """Search the Questionnaires by `url` (with or without |version) and `_id`."""
    url, ident = request.args.get("url"), request.args.get("_id")
    matches = [
        q
        for q in questionnaires()
        if (url is None or url in (q["url"], f"{q['url']}|{q['version']}"))
        and (ident is None or ident == q["id"])
    ]
    base = fhir_base()
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(matches),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [
            {
                "fullUrl": f"{base}/Questionnaire/{q['id']}",
                "resource": q,
                "search": {"mode": "match"},
            }
            for q in matches
        ],
    }
    return json_response(bundle, FHIR)


@bp.get("/fhir/Questionnaire/<id>")
def fhir_questionnaire(id: str) -> Response:
    found = next((q for q in questionnaires() if q["id"] == id), None)
    if found is None:
        raise FhirProblem(404, [("", gettext("There is no Questionnaire with this id."))])
    return json_response(found, FHIR)


@bp.get("/fhir/OperationDefinition/<id>")
def fhir_operation_definition(id: str) -> Response:
    resource = fhir.operation_definition(fhir_base(), app_version())
    if id != resource["id"]:
        raise FhirProblem(404, [("", gettext("There is no OperationDefinition with this id."))])
    return json_response(resource, FHIR)


@bp.post("/fhir/QuestionnaireResponse")
def fhir_questionnaire_response() -> Response:
    audience, answers = read_assessment()
    return json_response(questionnaire_response(answers, audience), FHIR)


def read_fhir_body() -> Any:
    """Read a FHIR JSON body; raise FhirProblem naming what is wrong."""
    if request.mimetype not in (FHIR, "application/json"):
        raise FhirProblem(415, [("", gettext("Send the body as application/fhir+json."))])
    if current_app.config.get("MAX_CONTENT_LENGTH") is None:
        request.max_content_length = MAX_BODY
    try:
        return json.loads(request.get_data(), parse_float=_number)
    except (ValueError, RecursionError):
        raise FhirProblem(400, [("", gettext("The body is not valid JSON."))]) from None


@bp.post("/fhir/QuestionnaireResponse/$decide")
def fhir_decide() -> Response:
    """Decide from a QuestionnaireResponse to one of the Questionnaires: a GuidanceResponse."""
    rs = ruleset()
    try:
        audience, raw = fhir.read_response(rs, read_fhir_body(), fhir_base(), languages())
        answers = parse_answers(rs, raw)
    except fhir.FhirInputError as error:
        raise FhirProblem(422, error.issues) from None
    except AnswersError as error:
        issues = [
            (f"QuestionnaireResponse.item.where(linkId='{e.field}')", f"{e.message} ({e.accepts})")
            for e in error.errors
        ]
        raise FhirProblem(422, issues) from None
    return json_response(guidance_response(answers, audience), FHIR)


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
