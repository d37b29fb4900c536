"""The decision and the answers as JSON and FHIR in the request's language: API and share links."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from werkzeug.wrappers import Response

from ..engine import Answers, evaluate
from ..engine.export import decision_to_dict, headline
from ..extensions import ruleset
from ..i18n import catalogue, locale
from ..i18n import rule_text as tr
from .fhir import questionnaire_response as build_questionnaire_response

# Keys of decision_to_dict whose string values are English rule texts, translated per request.
TEXT_KEYS = frozenset({"headline", "next_step", "text", "action", "patient_action", "label",
                       "evidence", "honesty_note", "note"})  # fmt: skip
ENCODER = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(data, ensure_ascii=False) builds


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
    decision = evaluate(rs, answers)
    result: dict[str, Any] = decision_to_dict(rs, decision, audience)
    # The request's catalogue is found once; English, the rules' own language, needs no pass.
    found = catalogue()
    if found.identity:
        return result
    result = translated(result, found.gettext)
    # A headline naming a limb is filled in after its parts are translated.
    result["headline"], result["next_step"] = headline(rs, decision, audience, found.gettext)
    return result


def fhir_base() -> str:
    """Return the FHIR base URL: BFR_FHIR_BASE_URL, else this server's /api/v1/fhir."""
    configured = current_app.config.get("FHIR_BASE_URL")
    return str(configured).rstrip("/") if configured else request.url_root + "api/v1/fhir"


def questionnaire_response(answers: Answers, audience: str) -> dict[str, Any]:
    """Return the answers as a FHIR QuestionnaireResponse in the request's language."""
    rs = ruleset()
    decision = evaluate(rs, answers)
    text, _ = headline(rs, decision, audience, tr)  # urgent, a limb first: as the result says
    return build_questionnaire_response(
        rs,
        answers,
        decision,
        fhir_base(),
        authored=datetime.now(UTC).isoformat(timespec="seconds"),
        headline=text,
        audience=audience,
        lang=locale(),
        tr=tr,
    )


def json_response(data: Any, mimetype: str = "application/json", status: int = 200) -> Response:
    """Return `data` as UTF-8 JSON, labelled with the language its texts are in."""
    response = Response(ENCODER.encode(data), status=status, mimetype=mimetype)
    response.headers["Content-Language"] = locale()
    return response
