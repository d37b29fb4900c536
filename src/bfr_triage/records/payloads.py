"""The decision and the answers as JSON and FHIR in the request's language: API and share links."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from werkzeug.wrappers import Response

from ..engine import Answers, Decision, evaluate
from ..engine.export import decision_to_dict
from ..engine.export import headline as engine_headline
from ..extensions import ruleset
from ..i18n import catalogue, locale
from ..i18n import rule_text as tr
from .fhir import guidance_response as build_guidance_response
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
    # The headline may name a limb and an item: the engine fills them in translated words.
    result["headline"], result["next_step"] = engine_headline(rs, decision, audience, found.gettext)
    return result


def fhir_base() -> str:
    """Return the FHIR base URL: the canonical of every resource, code system and extension.

    BFR_FHIR_BASE_URL when set; else BFR_PUBLIC_URL (the public address) + /api/v1/fhir; only on
    a server configured with neither, this request's own address. A configured base is never
    taken from the Host header.
    """
    configured = current_app.config.get("FHIR_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    public = current_app.config.get("PUBLIC_URL")
    root = str(public).rstrip("/") + "/" if public else request.url_root
    return root + "api/v1/fhir"


def now() -> str:
    """Return the time now, in UTC to the second, as FHIR dateTime wants it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def questionnaire_response(answers: Answers, audience: str) -> dict[str, Any]:
    """Return the answers as a FHIR QuestionnaireResponse in the request's language."""
    rs = ruleset()
    decision = evaluate(rs, answers)
    return build_questionnaire_response(
        rs,
        answers,
        decision,
        fhir_base(),
        authored=now(),
        headline=headline(decision, audience),
        audience=audience,
        lang=locale(),
        tr=tr,
    )


def headline(decision: Decision, audience: str) -> str:
    """Return the result's headline for the audience, translated (the engine's: urgent first)."""
    return engine_headline(ruleset(), decision, audience, tr)[0]


def guidance_response(answers: Answers, audience: str) -> dict[str, Any]:
    """Return the decision as a FHIR GuidanceResponse holding the API's JSON decision too."""
    rs = ruleset()
    decision = evaluate(rs, answers)
    return build_guidance_response(
        rs,
        decision,
        fhir_base(),
        occurrence=now(),
        headline=headline(decision, audience),
        decision_json=ENCODER.encode(decision_payload(answers, audience)),
        lang=locale(),
    )


def json_response(data: Any, mimetype: str = "application/json", status: int = 200) -> Response:
    """Return `data` as UTF-8 JSON, labelled with the language its texts are in."""
    response = Response(ENCODER.encode(data), status=status, mimetype=mimetype)
    response.headers["Content-Language"] = locale()
    return response
