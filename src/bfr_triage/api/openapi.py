"""Build the OpenAPI 3.1 document of the JSON API from the rule set, so both always agree."""

from __future__ import annotations

from typing import Any

from ..engine import AUDIENCES, Question, RuleSet, accepts
from ..engine.model import (
    DONT_KNOW,
    GRADES,
    LIMB_GROUPS,
    LIMBS,
    TIERS,
    VERDICTS,
    Clause,
    Condition,
)
from ..records.fhir import MEDIA_TYPE as FHIR
from ..records.fhir import OPERATION, questionnaire_id
from .problems import PROBLEM

Schema = dict[str, Any]

REASON_KINDS = ("indication", "benefit", "barrier", *TIERS, "policy")
FACTS = {
    "clearance": ("hit", "unknown", "clear"),
    "indication": ("graded", "ungraded", "none", "unknown"),
    "barrier": ("yes", "unknown", "no"),
    "local_on_trained": ("yes", "unknown", "no"),
}


DECISION_KEYS = ("verdict", "verdict_rule", "urgent", "audience", "headline", "next_step", "facts",
                 "reasons", "notices", "indication", "benefits", "loading_barriers", "safety",
                 "trained_limbs", "limbs_not_to_cuff", "clot_risk_points", "missing",
                 "provenance")  # fmt: skip


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def answer_schema(question: Question) -> Schema:
    """Return the JSON Schema of one answer: exactly what `parse_answers` accepts."""
    if question.type == "integer":
        schema: Schema = {"type": "integer", "minimum": question.min, "maximum": question.max}
        if question.dont_know:
            # an enum, not "const": openapi-python-client 0.29 reads an integer as the const
            schema = {"anyOf": [schema, {"type": "string", "enum": [DONT_KNOW]}]}
    elif question.type == "choice":
        schema = {"type": "string", "enum": list(question.values)}
    else:
        shared = [v for v in question.values if v not in question.exclusive]
        schema = {
            "type": "array",
            "items": {"enum": shared},
            "minItems": 1,
            "uniqueItems": True,
        }
        if question.exclusive:  # an exclusive value ("none", "dont_know") stands alone
            alone = {
                "type": "array",
                "items": {"enum": list(question.exclusive)},
                "minItems": 1,
                "maxItems": 1,
            }
            schema = {"anyOf": [schema, alone]}
    if question.optional:  # null on an optional question means "not given"
        schema = {"anyOf": [schema, {"type": "null"}]}
    schema["description"] = f"{question.clinician_text} Accepts {accepts(question)}."
    return schema


def _options(clause: Clause) -> list[str]:
    value = clause.value
    return list(value) if isinstance(value, tuple) else [str(value)]


def _bound(ruleset: RuleSet, clause: Clause) -> int:
    value = clause.value if clause.param is None else ruleset.policy.parameters[clause.param].value
    assert isinstance(value, int)  # gte and lte compare whole numbers: checked at load
    return value


def _matches(ruleset: RuleSet, clause: Clause) -> Schema:
    """Return the schema of an answer for which `clause` is true."""
    if clause.op in ("eq", "in"):
        return {"enum": _options(clause)}
    if clause.op == "contains_any":
        return {"type": "array", "contains": {"enum": _options(clause)}}
    bound = "minimum" if clause.op == "gte" else "maximum"
    return {"type": "integer", bound: _bound(ruleset, clause)}


def _clause_false(ruleset: RuleSet, clause: Clause) -> Schema:
    """Return the schema of answers for which `clause` is surely false, as the engine reads it:
    answered with a value it does not match (not "don't know"), left out when the question is
    optional, or a question that is itself not asked. Spelled out as the values that remain,
    never as a `not`, so that schemathesis can draw from it."""
    q = ruleset.questions[clause.question]
    if clause.op in ("gte", "lte"):
        bound = _bound(ruleset, clause)
        other: Schema = (
            {"type": "integer", "maximum": bound - 1}
            if clause.op == "gte"
            else {"type": "integer", "minimum": bound + 1}
        )
    else:
        matched = set(_options(clause))
        rest = [v for v in q.values if v not in matched and v != DONT_KNOW]
        other = {"enum": rest} if q.type == "choice" else {"type": "array", "items": {"enum": rest}}
    ways: list[Schema] = [{"required": [q.id], "properties": {q.id: other}}]
    if q.optional:
        ways.append({"properties": {q.id: {"type": "null"}}})  # left out, or null: not given
    if q.ask_when is not None:
        ways.append(_not_asked(ruleset, q.ask_when))
    return ways[0] if len(ways) == 1 else {"anyOf": ways}


def _not_asked(ruleset: RuleSet, condition: Condition) -> Schema:
    """Return the schema of answers for which an `ask_when` condition is surely false."""
    false = [_clause_false(ruleset, c) for c in condition.clauses]
    if len(false) == 1:
        return false[0]
    return {"anyOf": false} if condition.mode == "all" else {"allOf": false}


def _words(condition: Condition) -> str:
    def clause(c: Clause) -> str:
        value = c.value if c.param is None else f"the policy parameter {c.param}"
        shown = " or ".join(map(str, value)) if isinstance(value, tuple) else value
        return f"{c.question} {c.op.replace('_', ' ')} {shown}"

    return f" {'and' if condition.mode == 'all' else 'or'} ".join(
        clause(c) for c in condition.clauses
    )


def condition_data(ruleset: RuleSet, condition: Condition | None) -> dict[str, Any] | None:
    """Return an `ask_when` as data for the catalogue: "all" or "any" of (question, op, value)."""
    if condition is None:
        return None

    def value(c: Clause) -> Any:
        if c.op in ("gte", "lte"):
            return _bound(ruleset, c)
        return str(c.value) if c.op == "eq" else _options(c)

    tests = [{"question": c.question, "op": c.op, "value": value(c)} for c in condition.clauses]
    return {condition.mode: tests}


def conditions_schema(ruleset: RuleSet) -> list[Schema]:
    """Return the rules across answers as JSON Schema: a question that is not asked takes no
    answer, two answers that contradict each other are refused, and a condition takes only
    the limbs it has a grade for. `parse_answers` refuses the same, with a message."""
    rules: list[Schema] = []
    for q in ruleset.questions.values():
        if q.ask_when is not None:
            absent = (
                {"properties": {q.id: {"type": "null"}}}  # null is "not given" there
                if q.optional
                else {"not": {"required": [q.id]}}
            )
            rules.append({"if": _not_asked(ruleset, q.ask_when), "then": absent})
    for contradiction in ruleset.contradictions:
        clauses = contradiction.when.clauses
        both = {c.question: _matches(ruleset, c) for c in clauses}
        rules.append({"not": {"required": list(both), "properties": both}})
    every = set(ruleset.questions["limb"].values)
    for ind in ruleset.indications.values():
        if ind.kind != "benefit" and set(ind.limbs) != every:
            rules.append({
                "if": {"required": ["condition"], "properties": {"condition": {"const": ind.id}}},
                "then": {"properties": {"limb": {"enum": list(ind.limbs)}}},
            })  # fmt: skip
    return rules


def answers_schema(ruleset: RuleSet) -> Schema:
    """Return the schema of the answers object: one optional property per question, and the
    rules across answers (`conditions_schema`)."""
    properties = {q.id: answer_schema(q) for q in ruleset.questions.values()}
    for q in ruleset.questions.values():
        if q.ask_when is not None:
            properties[q.id]["description"] += (
                f" Asked only when {_words(q.ask_when)}; otherwise it takes no answer."
            )
    for contradiction in ruleset.contradictions:
        first, second = contradiction.when.questions
        properties[first]["description"] += f" Refused with {second}: {contradiction.text}"
    return {
        "type": "object",
        "description": "Question id to answer. Unanswered questions are listed in `missing`; "
        "a question that is not asked is not required, and an answer to it is refused.",
        "properties": properties,
        "additionalProperties": False,
        "allOf": conditions_schema(ruleset),
    }


def _strings(*names: str) -> Schema:
    return {n: {"type": "string"} for n in names}


def _closed(properties: Schema, required: tuple[str, ...] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
        "additionalProperties": False,
    }


def _decision_schemas(ruleset: RuleSet) -> dict[str, Schema]:
    rule_ids = [*ruleset.rule_ids, "policy_fallback"]
    answer_value = {"type": ["string", "integer", "array", "null"], "items": {"type": "string"}}
    reason = _closed(
        {
            "rule": {"enum": rule_ids},
            "kind": {"enum": list(REASON_KINDS)},
            "state": {"enum": ["met", "unknown"]},
            "text": {"type": "string"},
            "answers": {
                "type": "object",
                "propertyNames": {"enum": list(ruleset.questions)},
                "additionalProperties": answer_value,
            },
            "limbs": {"type": "array", "items": {"enum": list(LIMBS)}},
            "on_trained_limb": {"type": ["boolean", "null"]},
            "patient_action": {"type": "string"},
            "action": {"type": "string"},
            "clot_points": {"type": "integer", "minimum": 0},
            "policy_choice": {"type": "boolean"},
        },
        ("rule", "kind", "state", "text", "answers"),
    )
    source = _closed(_strings("id", "kind", "citation", "doi", "url", "note"))
    indication = _closed(
        {
            "id": {"enum": list(ruleset.indications)},
            "kind": {"enum": ["condition", "goal", "benefit"]},
            "label": {"type": "string"},
            "grade": {"enum": [*GRADES, None]},
            "studied_in": {"type": "array", "items": {"enum": list(LIMB_GROUPS)}},
            "grade_applies_to_limb": {"type": "boolean"},
            "evidence": {"type": "string"},
            "honesty_note": {"type": "string"},
            "sources": {"type": "array", "items": _ref("Source")},
        }
    )
    reasons = {"type": "array", "items": _ref("Reason")}
    notice = _closed(
        {
            "id": {"enum": [n.id for n in ruleset.policy.notices]},
            "text": {"type": "string"},
            "sources": {"type": "array", "items": _ref("Source")},
            "policy_choice": {"type": "boolean"},
        },
        ("id", "text", "sources"),
    )
    decision = _closed(
        {
            "verdict": {"enum": list(VERDICTS)},
            "verdict_rule": {"enum": [r.id for r in ruleset.policy.rows] + ["policy_fallback"]},
            "urgent": {"type": "boolean"},
            "audience": {"enum": list(AUDIENCES)},
            "headline": {"type": "string"},
            "next_step": {"type": "string"},
            "facts": _closed({k: {"enum": list(v)} for k, v in FACTS.items()}),
            "reasons": reasons,
            "notices": {"type": "array", "items": _ref("Notice")},
            "indication": {"anyOf": [_ref("Indication"), {"type": "null"}]},
            "benefits": reasons,
            "loading_barriers": reasons,
            "safety": _closed({"clearance": reasons, "local": reasons, "precautions": reasons}),
            "trained_limbs": {"type": "array", "items": {"enum": list(LIMBS)}},
            "limbs_not_to_cuff": {"type": "array", "items": {"enum": list(LIMBS)}},
            "clot_risk_points": _closed(
                {
                    "total": {"type": "integer", "minimum": 0},
                    "source": _ref("Source"),
                    "note": {"type": "string"},
                }
            ),  # fmt: skip
            "missing": {"type": "array", "items": {"enum": list(ruleset.questions)}},
            "provenance": _closed(
                _strings(
                    "app_version", "ruleset_version", "policy", "policy_version", "rules_sha256"
                )
            ),  # fmt: skip
        },
        # A patient never gets clot-risk points (README §7).
        tuple(k for k in DECISION_KEYS if k != "clot_risk_points"),
    )
    decision["description"] = "The decision. `clot_risk_points` only for the clinician audience."
    return {
        "Reason": reason,
        "Source": source,
        "Indication": indication,
        "Notice": notice,
        "Decision": decision,
    }


def _condition_schema() -> Schema:
    return {
        "anyOf": [
            {"type": "null"},
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "propertyNames": {"enum": ["all", "any"]},
                "additionalProperties": {
                    "type": "array",
                    "items": _closed(
                        {
                            "question": {"type": "string"},
                            "op": {"enum": ["eq", "in", "gte", "lte", "contains_any"]},
                            "value": {  # one code, a number, or a list of codes
                                "anyOf": [
                                    {"type": "string"},
                                    {"type": "integer"},
                                    {"type": "array", "items": {"type": "string"}},
                                ]
                            },
                        }
                    ),
                },
            },
        ],
        "description": "Asked only when this holds (null: always asked); otherwise no answer.",
    }


def _catalogue_schemas(ruleset: RuleSet) -> dict[str, Schema]:
    option = _closed(_strings("value", "label", "clinician_label"))
    question = _closed(
        {
            "id": {"enum": list(ruleset.questions)},
            "page": {"enum": [p.id for p in ruleset.pages]},
            "type": {"enum": ["choice", "multi", "integer"]},
            "audience": {"enum": ["all", "clinician"]},
            "optional": {"type": "boolean"},
            **_strings("text", "clinician_text", "hint", "accepts"),
            "options": {"type": "array", "items": option},
            "exclusive": {"type": "array", "items": {"type": "string"}},
            "minimum": {"type": "integer"},
            "maximum": {"type": "integer"},
            "dont_know": {"type": "boolean"},
            "schema": {"type": "object", "description": "The JSON Schema of the answer."},
            "ask_when": _condition_schema(),
        },
        ("id", "page", "type", "audience", "optional", "text", "clinician_text", "hint",
         "accepts", "schema", "ask_when"),
    )  # fmt: skip
    page = _closed(
        {
            **_strings("id", "title", "clinician_title", "hint"),
            "questions": {"type": "array", "items": {"enum": list(ruleset.questions)}},
        }
    )
    catalogue = _closed(
        {
            "language": {"type": "string"},
            "ruleset_version": {"type": "string"},
            "rules_sha256": {"type": "string"},
            "pages": {"type": "array", "items": _ref("Page")},
            "questions": {"type": "array", "items": _ref("QuestionEntry")},
        }
    )
    return {"Option": option, "QuestionEntry": question, "Page": page, "Catalogue": catalogue}


def _problem_schema() -> Schema:
    error = _closed(_strings("field", "pointer", "message", "accepts"))
    return {
        "type": "object",
        "description": "RFC 9457 problem details; `errors` names each input that was not accepted.",
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": error},
        },
        "required": ["type", "title", "status", "detail"],
    }


REASONS = {
    400: "Malformed JSON, a body that is not a JSON object, or a bad query parameter.",
    404: "No such resource.",
    413: "The body is too large.",
    415: "The body is not of the media type the operation takes.",
    422: "The body is JSON, but some members or answers are not accepted (see `errors`).",
    500: "Something went wrong on the server; nothing was saved.",
}


def _problems(*codes: int) -> dict[str, Any]:
    return {
        str(c): {"description": REASONS[c], "content": {PROBLEM: {"schema": _ref("Problem")}}}
        for c in (*codes, 500)
    }


def _outcomes(*codes: int) -> dict[str, Any]:
    """The errors of a FHIR operation: OperationOutcome resources."""
    return {
        str(c): {"description": REASONS[c], "content": {FHIR: {"schema": _ref("FhirResource")}}}
        for c in (*codes, 500)
    }


def _fhir_get(operation: str, summary: str, *errors: int, **extra: Any) -> dict[str, Any]:
    ok = {"description": summary, "content": {FHIR: {"schema": _ref("FhirResource")}}}
    return {
        "get": {
            "operationId": operation,
            "summary": summary,
            **extra,
            "responses": {"200": ok, **_outcomes(*errors)},
        }
    }


def _id_parameter(description: str, ids: list[str]) -> Schema:
    return {
        "name": "id",
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "enum": ids},
    }


LANG: Schema = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of labels and texts (en, da); otherwise Accept-Language, then the "
    "default. An unsupported value falls back the same way.",
    "schema": {"type": "string"},
}
AUDIENCE: Schema = {
    "name": "audience",
    "in": "query",
    "required": False,
    "description": "Wording of the question texts and options.",
    "schema": {"enum": list(AUDIENCES), "default": "clinician"},
}


def _body(description: str) -> Schema:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": _ref("AssessmentRequest")}},
    }


def build_openapi(
    ruleset: RuleSet, app_version: str, languages: tuple[str, ...] = ("en", "da")
) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of /api/v1, with the answers schema from `ruleset`."""
    schemas: dict[str, Schema] = {
        "AssessmentRequest": _closed(
            {
                "audience": {"enum": list(AUDIENCES), "default": "clinician"},
                "answers": _ref("Answers"),
            },
            ("answers",),
        ),
        "Answers": answers_schema(ruleset),
        **_decision_schemas(ruleset),
        **_catalogue_schemas(ruleset),
        "Problem": _problem_schema(),
        "FhirResource": {
            "type": "object",
            "required": ["resourceType"],
            "properties": {"resourceType": {"type": "string"}},
        },
    }
    fhir_ok = {"content": {FHIR: {"schema": _ref("FhirResource")}}}
    paths = {
        "/api/v1/assessments": {
            "post": {
                "operationId": "assess",
                "summary": "Assess answers: the decision, as the result page shows it.",
                "parameters": [LANG],
                "requestBody": _body("The audience and the answers."),
                "responses": {
                    "200": {
                        "description": "The decision; texts in the chosen language.",
                        "content": {"application/json": {"schema": _ref("Decision")}},
                    },
                    **_problems(400, 413, 415, 422),
                },
            }
        },
        "/api/v1/questionnaire": {
            "get": {
                "operationId": "questionnaire",
                "summary": "The question catalogue: ids, types, options, labels and pages.",
                "parameters": [LANG],
                "responses": {
                    "200": {
                        "description": "The catalogue in the chosen language.",
                        "content": {"application/json": {"schema": _ref("Catalogue")}},
                    },
                    **_problems(),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_problems(),
                },
            }
        },
        "/api/v1/fhir/metadata": _fhir_get(
            "fhirMetadata", "The CapabilityStatement of the FHIR endpoint."
        ),
        "/api/v1/fhir/Questionnaire": _fhir_get(
            "fhirQuestionnaireSearch",
            "A searchset Bundle of the Questionnaires: one per audience and language.",
            parameters=[
                {
                    "name": "url",
                    "in": "query",
                    "required": False,
                    "description": "Canonical URL, with or without |version.",
                    "schema": {"type": "string"},
                },
                {
                    "name": "_id",
                    "in": "query",
                    "required": False,
                    "description": "Resource id, e.g. bfr-triage-clinician-da.",
                    "schema": {"type": "string"},
                },
            ],
        ),
        "/api/v1/fhir/Questionnaire/{id}": _fhir_get(
            "fhirQuestionnaireRead",
            "One Questionnaire by id: bfr-triage-{patient|clinician}-{en|da}.",
            404,
            parameters=[
                _id_parameter(
                    "bfr-triage-{audience}-{language}",
                    [questionnaire_id(a, lang) for a in AUDIENCES for lang in languages],
                )
            ],
        ),
        "/api/v1/fhir/OperationDefinition/{id}": _fhir_get(
            "fhirOperationDefinitionRead",
            "The definition of $decide.",
            404,
            parameters=[_id_parameter("The operation", [f"QuestionnaireResponse-{OPERATION}"])],
        ),
        "/api/v1/fhir/QuestionnaireResponse": {
            "post": {
                "operationId": "fhirQuestionnaireResponse",
                "summary": "Answers as a FHIR R4 QuestionnaireResponse resource.",
                "parameters": [LANG],
                "requestBody": _body("The audience (which Questionnaire) and the answers."),
                "responses": {
                    "200": {"description": "QuestionnaireResponse", **fhir_ok},
                    **_outcomes(400, 413, 415, 422),
                },
            }
        },
        "/api/v1/fhir/QuestionnaireResponse/$decide": {
            "post": {
                "operationId": "fhirDecide",
                "summary": "The decision from a QuestionnaireResponse to one of the "
                "Questionnaires, as a GuidanceResponse with the JSON decision attached.",
                "parameters": [LANG],
                "requestBody": {
                    "required": True,
                    "description": "A QuestionnaireResponse (application/fhir+json).",
                    "content": {FHIR: {"schema": _ref("FhirResource")}},
                },
                "responses": {
                    "200": {"description": "GuidanceResponse", **fhir_ok},
                    **_outcomes(400, 413, 415, 422),
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bfr-triage API",
            "version": app_version,
            "summary": "Is blood flow restriction (BFR) training a reasonable first-line option?",
            "description": "Decision support, not a medical device. Nothing sent is stored. "
            f"Rule set {ruleset.policy.ruleset_version}, SHA-256 {ruleset.sha256}.",
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/", "description": "The server that serves this document."}],
        "security": [],  # no authentication: the API stores nothing and reads no account
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {}},
    }
