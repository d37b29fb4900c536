"""The OpenAPI document describes the app exactly: its routes, and the answers the engine accepts."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from test_api import clean_app

from bfr_triage.api.openapi import answer_schema
from bfr_triage.engine import Question, RuleSet


@pytest.fixture(scope="module")
def app() -> Flask:
    return clean_app({"ENV": "development", "TESTING": True})


@pytest.fixture(scope="module")
def doc(app: Flask) -> dict[str, Any]:
    r = app.test_client().get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    body: dict[str, Any] = r.get_json()
    return body


def test_it_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1.")
    validate(doc, cls=OpenAPIV31SpecValidator)
    broken = {**doc, "paths": {"/x": {"get": {"responses": {"200": {}}}}}}  # no description
    with pytest.raises(OpenAPIValidationError):
        validate(broken, cls=OpenAPIV31SpecValidator)


def test_every_api_route_is_documented_and_nothing_else(app: Flask, doc: dict[str, Any]) -> None:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)  # Flask's <id> is {id}
            routes[path] = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
    documented = {path: {m.upper() for m in ops} for path, ops in doc["paths"].items()}
    assert routes == documented


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves(doc: dict[str, Any]) -> None:
    refs = set(_refs(doc))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"], ref


def test_the_answers_schema_has_one_property_per_question(
    doc: dict[str, Any], ruleset: RuleSet
) -> None:
    answers = doc["components"]["schemas"]["Answers"]
    assert answers["additionalProperties"] is False
    assert list(answers["properties"]) == list(ruleset.questions)
    request = doc["components"]["schemas"]["AssessmentRequest"]
    assert request["additionalProperties"] is False and request["required"] == ["answers"]


def test_choices_are_enumerated_and_integers_bounded(doc: dict[str, Any], ruleset: RuleSet) -> None:
    props = doc["components"]["schemas"]["Answers"]["properties"]
    assert props["limb"]["enum"] == list(ruleset.questions["limb"].values)
    assert props["condition"]["enum"] == list(ruleset.questions["condition"].values)
    pain = props["pain_heavy"]["anyOf"]
    assert pain[0] == {"type": "integer", "minimum": 0, "maximum": 10}
    assert pain[1] == {"type": "string", "enum": ["dont_know"]}


def _candidates(q: Question) -> st.SearchStrategy[Any]:
    """Values near the edge of what the question accepts, and arbitrary JSON."""
    values = [*q.values, "dont_know", "none", "yes", "", "left_leg"]
    anything = st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3),
        max_leaves=5,
    )
    return st.one_of(
        st.sampled_from(values),
        st.lists(st.sampled_from(values), max_size=4),
        st.integers(min_value=(q.min or 0) - 3, max_value=(q.max or 10) + 3),
        st.integers(min_value=(q.min or 0) - 3, max_value=(q.max or 10) + 3).map(float),
        anything,
    )


@st.composite
def question_and_value(draw: st.DrawFn, rs: RuleSet) -> tuple[Question, Any]:
    q = draw(st.sampled_from(list(rs.questions.values())))
    return q, draw(_candidates(q))


APP = clean_app(
    {"ENV": "development", "TESTING": True}
)  # one app for all examples: fixtures are per test
RULESET = APP.extensions["bfr_ruleset"]
VALIDATORS = {q.id: jsonschema_rs.Draft202012Validator(answer_schema(q)) for q in RULESET.questions.values()}  # fmt: skip


@settings(
    max_examples=600, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(question_and_value(RULESET))
def test_the_schema_accepts_exactly_what_the_api_accepts(pair: tuple[Question, Any]) -> None:
    q, value = pair
    r = APP.test_client().post("/api/v1/assessments", json={"answers": {q.id: value}})
    assert r.status_code in (200, 422)
    assert VALIDATORS[q.id].is_valid(value) == (r.status_code == 200), (q.id, value)


def test_the_property_test_sees_both_outcomes() -> None:
    pain = VALIDATORS["pain_heavy"]
    assert pain.is_valid(10) and pain.is_valid("dont_know") and not pain.is_valid(11)
    wounds = VALIDATORS["wound_limbs"]
    assert wounds.is_valid(["none"]) and wounds.is_valid(["left_leg", "right_arm"])
    assert not wounds.is_valid(["none", "left_leg"]) and not wounds.is_valid([])
    assert VALIDATORS["bp_systolic"].is_valid(None) and not VALIDATORS["limb"].is_valid(None)


# ---- the rules across answers: asked when, contradictions, limbs per condition --------------

CROSS = ("condition", "limb", "weight_bearing", "weight_bearing_percent", "surgery",
         "surgery_on_trained_limb")  # fmt: skip


def _answers_validator(doc: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
    """The whole Answers schema, with its references resolved inside one document."""
    schemas = json.loads(
        json.dumps(doc["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/")
    )
    return jsonschema_rs.Draft202012Validator({"$defs": schemas, **schemas["Answers"]})


@st.composite
def cross_answers(draw: st.DrawFn) -> dict[str, Any]:
    """Answers to the questions the rules across answers test, each given or left out."""
    out: dict[str, Any] = {}
    for qid in CROSS:
        q = RULESET.questions[qid]
        values: list[Any] = list(q.values) if q.type != "integer" else [0, 40, 99, 100]
        if q.optional:
            values.append(None)
        if draw(st.booleans()):
            out[qid] = draw(st.sampled_from(values))
    return out


ANSWERS_VALIDATOR = _answers_validator(APP.test_client().get("/api/v1/openapi.json").get_json())


@settings(
    max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(cross_answers())
def test_the_answers_schema_refuses_exactly_what_the_api_refuses(answers: dict[str, Any]) -> None:
    """A question that is not asked, a contradiction, a limb the condition has no grade for: the
    OpenAPI document and the API agree on every combination."""
    r = APP.test_client().post("/api/v1/assessments", json={"answers": answers})
    assert r.status_code in (200, 422)
    assert ANSWERS_VALIDATOR.is_valid(answers) == (r.status_code == 200), (answers, r.get_json())


def test_the_cross_answer_rules_are_in_the_document(doc: dict[str, Any]) -> None:
    answers = doc["components"]["schemas"]["Answers"]
    validator = _answers_validator(doc)
    assert not validator.is_valid({"limb": "right_arm", "weight_bearing": "fwb"})
    assert not validator.is_valid({"surgery": "none", "surgery_on_trained_limb": "no"})
    assert not validator.is_valid({"limb": "left_leg", "weight_bearing": "not_relevant"})
    assert not validator.is_valid({"weight_bearing": "fwb", "weight_bearing_percent": 50})
    assert not validator.is_valid({"condition": "knee_osteoarthritis", "limb": "left_arm"})
    assert validator.is_valid({"limb": "left_leg", "weight_bearing": "fwb", "surgery": "weeks_1_6",
                               "surgery_on_trained_limb": "dont_know"})  # fmt: skip
    assert "Asked only when limb in" in answers["properties"]["weight_bearing"]["description"]


def test_generators_get_what_they_need(doc: dict[str, Any]) -> None:
    """servers, security, no enum of arrays, and the errors of every operation."""
    assert doc["servers"] and doc["security"] == []

    def enums(node: Any) -> list[list[Any]]:
        if isinstance(node, dict):
            found = [node["enum"]] if isinstance(node.get("enum"), list) else []
            return found + [e for v in node.values() for e in enums(v)]
        if isinstance(node, list):
            return [e for v in node for e in enums(v)]
        return []

    assert enums(doc) and all(
        not isinstance(value, list | dict) for enum in enums(doc) for value in enum
    )
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "500" in codes, (method, path)
            if "requestBody" in operation or any(
                p["in"] == "path" for p in operation.get("parameters", [])
            ):
                assert any(c.startswith("4") for c in codes), (method, path)
