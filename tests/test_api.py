"""The JSON API: decisions, the catalogue, problem+json for every kind of bad input, CORS."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from golden import CASES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from bfr_triage import create_app
from bfr_triage.engine import RuleSet, evaluate, parse_answers
from bfr_triage.engine.export import headline

URL = "/api/v1/assessments"
CASE = next(c for c in CASES if c.name == "local_on_trained_limb")
PROBLEM = "application/problem+json"


def clean_app(config: dict[str, Any]) -> Flask:
    """Build an app outside a test (at import, module scope): no BFR_* of the shell leaks in."""
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("BFR_") and n != "BFR_REQUIRE_BROWSER"]:
            mp.delenv(name)
        return create_app(config)


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    """Check an RFC 9457 body: the status in the body, the media type, the required members."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def assert_outcome(response: TestResponse, status: int) -> list[dict[str, Any]]:
    """Check a FHIR error: an OperationOutcome of errors, each saying what is wrong."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/fhir+json"
    body: dict[str, Any] = response.get_json(force=True)
    assert body["resourceType"] == "OperationOutcome" and body["issue"]
    for issue in body["issue"]:
        assert issue["severity"] == "error" and issue["code"] and issue["diagnostics"]
    issues: list[dict[str, Any]] = body["issue"]
    return issues


def errors_by_field(body: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {e["field"]: e for e in body["errors"]}


# ---- decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_assessment_returns_the_decision(client: FlaskClient, audience: str) -> None:
    r = client.post(URL, json={"audience": audience, "answers": CASE.answers})
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["verdict"] == CASE.verdict
    assert {x["rule"] for x in body["reasons"]} == CASE.fired
    assert body["audience"] == audience
    assert body["missing"] == []


def test_audience_defaults_to_clinician_as_in_the_cli(client: FlaskClient) -> None:
    body = client.post(URL, json={"answers": CASE.answers}).get_json()
    assert body["audience"] == "clinician"


def test_missing_answers_are_listed_not_read_as_no(client: FlaskClient, ruleset: RuleSet) -> None:
    body = client.post(URL, json={"answers": {"condition": "acl"}}).get_json()
    assert body["verdict"] == "needs_clearance"
    required = [q.id for q in ruleset.questions.values() if not q.optional]
    # v2: a question asked only when an earlier answer allows it (weight-bearing for a leg, the
    # operation's limb after an operation) is not missing before that answer is known.
    not_yet_asked = {"condition", "weight_bearing", "surgery_on_trained_limb"}
    assert body["missing"] == [q for q in required if q not in not_yet_asked]
    answers = {"condition": "acl", "limb": "left_leg", "surgery": "weeks_1_6"}
    body = client.post(URL, json={"answers": answers}).get_json()
    assert {"weight_bearing", "surgery_on_trained_limb"} <= set(body["missing"])


def test_a_question_that_is_not_asked_is_not_required(client: FlaskClient) -> None:
    arm = {**CASE.answers, "condition": "sport_performance", "limb": "right_arm"}
    del arm["weight_bearing"]
    body = client.post(URL, json={"answers": arm}).get_json()
    assert body["missing"] == [] and "weight_bearing" not in str(body["reasons"])


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"limb": "right_arm", "weight_bearing": "fwb"},
            "weight_bearing",
            ["not asked", "limb", "right_arm"],
        ),
        (
            {"surgery": "none", "surgery_on_trained_limb": "yes"},
            "surgery_on_trained_limb",
            ["not asked", "surgery", "none"],
        ),
        (
            {"limb": "right_arm", "weight_bearing_percent": 40},
            "weight_bearing_percent",
            ["not asked", "limb", "right_arm"],
        ),
    ],
)
def test_an_answer_to_a_question_not_asked_is_refused(
    client: FlaskClient, change: dict[str, Any], field: str, words: list[str]
) -> None:
    answers = {**CASE.answers, "condition": "sport_performance", **change}
    if "arm" in answers["limb"] and "weight_bearing" not in change:
        del answers["weight_bearing"]  # only the answer under test is refused
    body = assert_problem(client.post(URL, json={"answers": answers}), 422)
    errors = errors_by_field(body)
    assert list(errors) == [field]
    assert errors[field]["pointer"] == f"/answers/{field}"
    assert all(word in errors[field]["message"] for word in words), errors[field]["message"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            {"limb": "left_leg", "weight_bearing": "not_relevant"},
            ["weight_bearing 'not_relevant'", "limb 'left_leg'"],
        ),
        (
            {"weight_bearing": "fwb", "weight_bearing_percent": 60},
            ["weight_bearing_percent '60'", "weight_bearing 'fwb'"],
        ),
    ],
)
def test_a_contradiction_is_refused_naming_both_answers(
    client: FlaskClient, change: dict[str, Any], named: list[str]
) -> None:
    answers = {**CASE.answers, **change}
    body = assert_problem(client.post(URL, json={"answers": answers}), 422)
    [error] = body["errors"]
    assert all(n in error["message"] for n in named), error["message"]
    assert "contradict" in error["message"]
    full = (
        {**answers, "weight_bearing_percent": 100} if "weight_bearing_percent" in change else None
    )
    if full is not None:  # 100 % with full weight-bearing agrees
        assert client.post(URL, json={"answers": full}).status_code == 200


def test_a_limb_without_a_grade_for_the_condition_is_refused(client: FlaskClient) -> None:
    answers = {**CASE.answers, "condition": "knee_osteoarthritis", "limb": "left_arm"}
    del answers["weight_bearing"]
    body = assert_problem(client.post(URL, json={"answers": answers}), 422)
    assert "left_arm" in errors_by_field(body)["limb"]["message"]


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_the_decision_carries_its_notices_in_the_audience_words(
    client: FlaskClient, ruleset: RuleSet, audience: str
) -> None:
    case = next(c for c in CASES if c.name == "notice_post_op_swelling")
    body = client.post(URL, json={"audience": audience, "answers": case.answers}).get_json()
    notices = {n.id: n for n in ruleset.policy.notices}
    assert [n["id"] for n in body["notices"]] == ["valid_today", "numbness", "post_op_swelling"]
    for shown in body["notices"]:
        n = notices[shown["id"]]
        assert shown["text"] == (n.patient_text if audience == "patient" else n.text)


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?lang=da", {}),
        ("", {"Accept-Language": "da, en;q=0.5"}),
        ("?lang=da", {"Accept-Language": "en"}),
    ],
)
def test_texts_come_in_the_requested_language(
    app: Flask, client: FlaskClient, ruleset: RuleSet, query: str, headers: dict[str, str]
) -> None:
    english = client.post(URL, json={"audience": "patient", "answers": CASE.answers}).get_json()
    r = client.post(
        URL + query, json={"audience": "patient", "answers": CASE.answers}, headers=headers
    )
    assert r.headers["Content-Language"] == "da"
    danish = r.get_json()
    decision = evaluate(ruleset, parse_answers(ruleset, CASE.answers))
    with app.test_request_context(), force_locale("da"):
        # v2: a headline naming a limb is put together from translated parts.
        expected, _ = headline(ruleset, decision, "patient", gettext)
    assert danish["headline"] == expected != english["headline"]
    # Codes never change with the language.
    assert danish["verdict"] == english["verdict"]
    assert [x["rule"] for x in danish["reasons"]] == [x["rule"] for x in english["reasons"]]
    assert [x["answers"] for x in danish["reasons"]] == [x["answers"] for x in english["reasons"]]


def test_unsupported_language_falls_back(client: FlaskClient) -> None:
    r = client.post(URL + "?lang=xx", json={"answers": CASE.answers})
    assert r.status_code == 200 and r.headers["Content-Language"] == "en"


# ---- problem+json for every kind of bad input ----------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"{", b'{"answers": }', b"\xff\xfe{}", b"[" * 50_000, b'{"a": 1e999999}x', b""]
)
def test_malformed_json_is_400(client: FlaskClient, raw: bytes) -> None:
    r = client.post(URL, data=raw, content_type="application/json")
    assert "JSON" in assert_problem(r, 400)["detail"]


@pytest.mark.parametrize("raw", ["[]", '"answers"', "null", "42", "true"])
def test_a_body_that_is_not_an_object_is_400(client: FlaskClient, raw: str) -> None:
    r = client.post(URL, data=raw, content_type="application/json")
    assert "object" in assert_problem(r, 400)["detail"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_a_body_that_is_not_json_is_415(client: FlaskClient, content_type: str | None) -> None:
    body = json.dumps({"answers": CASE.answers})
    r = client.post(URL, data=body, content_type=content_type)
    assert_problem(r, 415)


def test_an_oversized_body_is_413(client: FlaskClient) -> None:
    big = json.dumps({"answers": {"condition": "x" * 70_000}})
    assert_problem(client.post(URL, data=big, content_type="application/json"), 413)


def test_the_limit_holds_without_an_app_wide_one(ruleset: RuleSet) -> None:
    app = create_app({"ENV": "development", "TESTING": True})
    app.config["MAX_CONTENT_LENGTH"] = None
    big = json.dumps({"answers": {"condition": "x" * 70_000}})
    r = app.test_client().post(URL, data=big, content_type="application/json")
    assert_problem(r, 413)


def test_each_bad_member_and_answer_is_named(client: FlaskClient) -> None:
    answers = {
        "conditon": "acl",  # typo
        "limb": "left_foot",
        "pain_heavy": 11,
        "surgery": None,
        "age_60": ["yes"],
        "wound_limbs": ["none", "left_leg"],
        "risk_factors": [],
        "numbness_limbs": ["left_leg", "left_leg"],
        "bp_systolic": "150",
        "weight_bearing_percent": True,
        "prior_clot": "no",  # fine: not named
    }
    body = {"audience": "physio", "answers": answers, "extra": 1}
    problem = assert_problem(client.post(URL, json=body), 422)
    assert problem["type"] != "about:blank"
    errors = errors_by_field(problem)
    assert set(errors) == {"audience", "extra", *answers} - {"prior_clot"}
    assert errors["conditon"]["message"] == "unknown question (did you mean 'condition'?)"
    assert errors["pain_heavy"]["accepts"] == 'a whole number from 0 to 10 or "dont_know"'
    assert errors["pain_heavy"]["pointer"] == "/answers/pain_heavy"
    assert errors["audience"]["pointer"] == "/audience"
    assert "left_leg" in errors["limb"]["accepts"]
    assert "none, dont_know only on their own" in errors["wound_limbs"]["accepts"]


@pytest.mark.parametrize(
    ("body", "message"),
    [({}, "missing"), ({"answers": []}, "not an object"), ({"answers": "acl"}, "not an object")],
)
def test_answers_must_be_an_object(client: FlaskClient, body: Any, message: str) -> None:
    errors = errors_by_field(assert_problem(client.post(URL, json=body), 422))
    assert errors["answers"]["message"] == message


def test_problem_texts_are_translated(client: FlaskClient) -> None:
    english = assert_problem(client.post(URL, data="[", content_type="application/json"), 400)
    r = client.post(URL + "?lang=da", data="[", content_type="application/json")
    danish = assert_problem(r, 400)
    assert r.headers["Content-Language"] == "da"
    assert danish["status"] == english["status"]


def test_an_integral_json_number_is_a_whole_number(client: FlaskClient) -> None:
    answers = {**CASE.answers, "pain_heavy": 2.0}
    r = client.post(URL, data=json.dumps({"answers": answers}), content_type="application/json")
    assert r.status_code == 200
    r = client.post(URL, json={"answers": {**CASE.answers, "pain_heavy": 2.5}})
    assert errors_by_field(assert_problem(r, 422)).keys() == {"pain_heavy"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", URL), ("PUT", URL), ("DELETE", "/api/v1/questionnaire"),
     ("POST", "/api/v1/fhir/Questionnaire"), ("GET", "/api/v1/fhir/QuestionnaireResponse"),
     ("TRACE", URL), ("FOO", "/api/v1/questionnaire")],
)  # fmt: skip
def test_a_wrong_method_is_405_with_allow(client: FlaskClient, method: str, path: str) -> None:
    r = client.open(path, method=method)
    if "/fhir/" in path:
        assert_outcome(r, 405)
    else:
        assert_problem(r, 405)
    assert method not in r.headers["Allow"] and "OPTIONS" in r.headers["Allow"]


@pytest.mark.parametrize(
    "path", ["/api", "/api/", "/api/v2/assessments", "/api/v1/nothing", "/api/v1/assessments/1"]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_api_address_is_404_problem(client: FlaskClient, path: str, method: str) -> None:
    assert_problem(client.open(path, method=method), 404)


def test_pages_outside_the_api_keep_their_html_error_pages(client: FlaskClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_the_fhir_endpoint_answers_every_error_with_an_operation_outcome(
    client: FlaskClient,
) -> None:
    path = "/api/v1/fhir/QuestionnaireResponse"
    assert_outcome(client.post(path, data="{", content_type="application/json"), 400)
    assert_outcome(client.post(path, data="{}", content_type="text/plain"), 415)
    issues = assert_outcome(client.post(path, json={"answers": {"x": 1}}), 422)
    assert any(i["diagnostics"].startswith("x: unknown question") for i in issues)
    assert assert_outcome(client.get("/api/v1/fhir/Questionnaire/nope"), 404)[0]["code"] == (
        "not-found"
    )
    assert_outcome(client.get("/api/v1/fhir/Nothing"), 404)
    assert_outcome(client.delete("/api/v1/fhir/metadata"), 405)
    decide = "/api/v1/fhir/QuestionnaireResponse/$decide"
    assert_outcome(client.post(decide, data="{", content_type="application/fhir+json"), 400)
    assert_outcome(client.post(decide, data="{}", content_type="text/plain"), 415)
    assert_outcome(client.post(decide, json={"resourceType": "Patient"}), 422)
    big = {"resourceType": "QuestionnaireResponse", "x": "a" * 70_000}
    assert_outcome(client.post(decide, json=big), 413)


FUZZ_APP = clean_app(
    {"ENV": "development", "TESTING": True}
)  # one app for all examples: fixtures are per test
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"answers": st.dictionaries(st.sampled_from([*CASE.answers, "x"]), json_values)},
            optional={"audience": json_values},
        ),
        st.binary(max_size=40),
    )
)
def test_no_body_gets_a_server_error(body: Any) -> None:
    client = FUZZ_APP.test_client()
    data = body if isinstance(body, bytes) else json.dumps(body)
    r = client.post(URL, data=data, content_type="application/json")
    assert r.status_code in (200, 400, 422)
    assert r.mimetype == ("application/json" if r.status_code == 200 else PROBLEM)
    assert client.post(URL, json={"answers": CASE.answers}).status_code == 200


# ---- the catalogue ------------------------------------------------------------------------


def test_the_catalogue_lists_every_question_and_page(client: FlaskClient, ruleset: RuleSet) -> None:
    body = client.get("/api/v1/questionnaire").get_json()
    assert [q["id"] for q in body["questions"]] == list(ruleset.questions)
    assert [p["id"] for p in body["pages"]] == [p.id for p in ruleset.pages]
    assert body["rules_sha256"] == ruleset.sha256
    for entry in body["questions"]:
        q = ruleset.questions[entry["id"]]
        assert entry["type"] == q.type and entry["optional"] == q.optional
        if q.type == "integer":
            assert (entry["minimum"], entry["maximum"]) == (q.min, q.max)
        else:
            assert [o["value"] for o in entry["options"]] == list(q.values)
            assert entry["exclusive"] == list(q.exclusive)
    asked_when = {e["id"]: e["ask_when"] for e in body["questions"]}
    legs = ["left_leg", "right_leg", "both_legs"]
    assert asked_when["weight_bearing"] == {
        "all": [{"question": "limb", "op": "in", "value": legs}]
    }
    assert asked_when["surgery_on_trained_limb"] == {
        "all": [{"question": "surgery", "op": "in", "value": ["last_7_days", "weeks_1_6"]}]
    }
    assert asked_when["limb"] is None


def test_the_catalogue_speaks_danish(app: Flask, client: FlaskClient, ruleset: RuleSet) -> None:
    english = client.get("/api/v1/questionnaire").get_json()
    r = client.get("/api/v1/questionnaire?lang=da")
    danish = r.get_json()
    assert r.headers["Content-Language"] == danish["language"] == "da"
    with app.test_request_context(), force_locale("da"):
        for en, da in zip(english["questions"], danish["questions"], strict=True):
            assert da["text"] == gettext(en["text"])
            for eo, do in zip(en.get("options", []), da.get("options", []), strict=True):
                assert do["value"] == eo["value"] and do["label"] == gettext(eo["label"])
    pairs = zip(english["questions"], danish["questions"], strict=True)
    assert all(en["text"] != da["text"] for en, da in pairs)


# ---- CORS ---------------------------------------------------------------------------------


def test_cross_origin_is_off_by_default(client: FlaskClient) -> None:
    r = client.post(
        URL, json={"answers": CASE.answers}, headers={"Origin": "https://clinic.example"}
    )
    assert "Access-Control-Allow-Origin" not in r.headers
    r = client.options(
        URL, headers={"Origin": "https://clinic.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in r.headers


def test_configured_origins_and_only_those_are_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFR_CORS_ORIGINS", "https://clinic.example, https://other.example:8443")
    client = create_app({"ENV": "development", "TESTING": True}).test_client()
    good = {"Origin": "https://clinic.example"}
    r = client.post(URL, json={"answers": CASE.answers}, headers=good)
    assert r.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "Origin" in r.headers["Vary"]
    r = client.get("/api/v1/questionnaire", headers={"Origin": "https://other.example:8443"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://other.example:8443"
    for origin in ("https://evil.example", "http://clinic.example", "https://clinic.example.evil"):
        r = client.post(URL, json={"answers": CASE.answers}, headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in r.headers
        assert "Origin" in r.headers["Vary"]  # caches must not reuse an allowed answer
    preflight = {**good, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}  # fmt: skip
    r = client.options(URL, headers=preflight)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/", headers=good).headers


def test_any_origin_when_configured_as_star() -> None:
    client = create_app({"ENV": "development", "TESTING": True, "CORS_ORIGINS": "*"}).test_client()
    r = client.get("/api/v1/questionnaire", headers={"Origin": "https://anyone.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_under_18_the_patient_gets_no_verdict_headline(client: FlaskClient) -> None:
    """README §5 (v2, policy choice): the patient's result is for adults. The clinician keeps the
    verdict's headline; urgent, clearance and a limb not to cuff still come first for both."""
    case = next(c for c in CASES if c.name == "notice_under_18")
    patient = client.post(URL, json={"audience": "patient", "answers": case.answers}).get_json()
    clinician = client.post(URL, json={"answers": case.answers}).get_json()
    assert patient["verdict"] == clinician["verdict"] == "first_line"
    assert patient["headline"].startswith("This questionnaire is for adults")
    assert "first option" not in patient["headline"]
    assert clinician["headline"] == "BFR is a reasonable first-line option"
    cleared = {**case.answers, "prior_clot": "yes"}
    body = client.post(URL, json={"audience": "patient", "answers": cleared}).get_json()
    assert body["headline"] == "Talk to your doctor before you try BFR training"
    limb = {**case.answers, "wound_limbs": [case.answers["limb"]]}
    body = client.post(URL, json={"audience": "patient", "answers": limb}).get_json()
    assert body["headline"].startswith("Not on your left leg")
    urgent = {**case.answers, "clot_signs": "yes"}
    body = client.post(URL, json={"audience": "patient", "answers": urgent}).get_json()
    assert body["urgent"] and body["headline"].startswith("Wait before you start BFR training")
