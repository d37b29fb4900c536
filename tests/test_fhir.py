"""FHIR: the Questionnaires, a QuestionnaireResponse of every golden case, and $decide.

fhir.resources checks structure and required elements, not code bindings or invariants, so
the checks it lacks are here: unique linkIds, valid status and type codes, codes that exist
in the answerOptions, answers that match their item's type and range.
"""

from __future__ import annotations

import base64
import copy
import json
import operator
from collections.abc import Iterator
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from golden import CASES, Case
from test_api import clean_app

from bfr_triage.engine import RuleSet, asked, evaluate, parse_answers
from bfr_triage.engine.model import Clause, Condition
from bfr_triage.records.fhir import (
    EXCLUSIVE,
    MAX_VALUE,
    MIN_VALUE,
    ORDINAL,
    code_system,
    enable_when,
)

Resource = dict[str, Any]
PUBLICATION_STATUS = {"draft", "active", "retired", "unknown"}
RESPONSE_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
ITEM_TYPES = {
    "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
    "text", "url", "choice", "open-choice", "attachment", "reference", "quantity",
}  # fmt: skip
BASE = "https://bfr-triage.example/fhir"


@pytest.fixture(scope="module")
def app() -> Flask:
    return clean_app({"ENV": "development", "TESTING": True, "FHIR_BASE_URL": BASE + "/"})


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def read(client: FlaskClient, path: str) -> Resource:
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "application/fhir+json", r.get_data(as_text=True)
    body: Resource = r.get_json(force=True)
    return body


def questionnaire_of(client: FlaskClient, audience: str, lang: str = "en") -> Resource:
    return read(client, f"/api/v1/fhir/Questionnaire/bfr-triage-{audience}-{lang}")


@pytest.fixture(scope="module")
def questionnaire(client: FlaskClient) -> Resource:
    return questionnaire_of(client, "clinician")


def walk(items: list[Resource], parent: str = "") -> Iterator[tuple[str, Resource]]:
    """Yield (parent linkId, item) for every item at every depth."""
    for item in items:
        yield parent, item
        yield from walk(item.get("item", []), item["linkId"])


def option_key(option: Resource) -> tuple[str, Any]:
    if "valueCoding" in option:
        coding = option["valueCoding"]
        return ("coding", (coding.get("system"), coding.get("code")))
    if "valueInteger" in option:
        return ("integer", option["valueInteger"])
    return ("other", repr(sorted(option.items())))


def check_questionnaire(q: Resource) -> list[str]:
    """Return every problem the R4B model does not catch."""
    problems = []
    if q.get("status") not in PUBLICATION_STATUS:
        problems.append(f"status {q.get('status')!r}")
    seen: set[str] = set()
    for _, item in walk(q.get("item", [])):
        link = item["linkId"]
        if link in seen:
            problems.append(f"duplicate linkId {link}")
        seen.add(link)
        if item.get("type") not in ITEM_TYPES:
            problems.append(f"{link}: type {item.get('type')!r}")
        options = item.get("answerOption", [])
        if options and item["type"] not in ("choice", "open-choice"):
            problems.append(f"{link}: answerOption on a {item['type']} item")
        keys = [option_key(o) for o in options]
        if len(set(keys)) != len(keys):
            problems.append(f"{link}: duplicate answerOption")
        for option in options:
            coding = option.get("valueCoding")
            if coding is not None and not (coding.get("system") and coding.get("code")):
                problems.append(f"{link}: coding without system or code")
        if item["type"] == "group" and not item.get("item"):
            problems.append(f"{link}: empty group")
    return problems


def enabled(spec: Resource, given: dict[str, list[Resource]]) -> bool:
    """Return whether an item is enabled by its enableWhen, as a FHIR form evaluates it."""
    checks = spec.get("enableWhen")
    if not checks:
        return True
    results = []
    for check in checks:
        answers = given.get(check["question"], [])
        if "answerCoding" in check:
            wanted = check["answerCoding"]
            hit = any(
                a.get("valueCoding", {}).get("code") == wanted["code"]
                and a["valueCoding"].get("system") == wanted["system"]
                for a in answers
            )
        else:
            compare = {">=": operator.ge, "<=": operator.le}[check["operator"]]
            numbers = [a["valueInteger"] for a in answers if "valueInteger" in a]
            hit = any(compare(n, check["answerInteger"]) for n in numbers)
        results.append(hit)
    return any(results) if spec.get("enableBehavior") == "any" else all(results)


def check_response(q: Resource, qr: Resource) -> list[str]:
    """Return every problem of `qr` against `q`: structure, status, codes, types, ranges."""
    problems = []
    if qr.get("status") not in RESPONSE_STATUS:
        problems.append(f"status {qr.get('status')!r}")
    if qr.get("questionnaire") != f"{q['url']}|{q['version']}":
        problems.append(f"questionnaire {qr.get('questionnaire')!r}")
    defined = {item["linkId"]: (parent, item) for parent, item in walk(q["item"])}
    seen: set[str] = set()
    for parent, item in walk(qr.get("item", [])):
        link = item["linkId"]
        if link in seen:
            problems.append(f"{link} answered twice")
        seen.add(link)
        if link not in defined or defined[link][0] != parent:
            problems.append(f"{link} is not an item of {parent or 'the questionnaire'}")
            continue
        spec = defined[link][1]
        answers = item.get("answer", [])
        if spec["type"] == "group":
            if answers or not item.get("item"):
                problems.append(f"{link}: a group holds items, not answers")
            continue
        if not answers or (len(answers) > 1 and not spec.get("repeats")):
            problems.append(f"{link}: {len(answers)} answers")
        allowed = {option_key(o) for o in spec.get("answerOption", [])}
        for answer in answers:
            values = [k for k in answer if k.startswith("value")]
            if len(values) != 1:
                problems.append(f"{link}: answer with {values}")
            elif spec["type"] == "choice" and option_key(answer) not in allowed:
                problems.append(f"{link}: {answer} is not an answerOption")
            elif spec["type"] == "integer":
                bounds = {e["url"]: e["valueInteger"] for e in spec.get("extension", [])}
                number = answer.get("valueInteger")
                if not isinstance(number, int) or not (
                    bounds[MIN_VALUE] <= number <= bounds[MAX_VALUE]
                ):
                    problems.append(f"{link}: {answer} is not a whole number in range")
    given = {item["linkId"]: item.get("answer", []) for _, item in walk(qr.get("item", []))}
    required = {
        link
        for link, (_, spec) in defined.items()
        if spec.get("required") and enabled(spec, given)  # FHIR: required only when enabled
    }
    if qr.get("status") == "completed" and required - seen:
        problems.append(f"completed without {sorted(required - seen)}")
    return problems


# ---- the Questionnaire ----------------------------------------------------------------------


def test_the_questionnaire_validates(questionnaire: Resource) -> None:
    Questionnaire.model_validate(questionnaire)
    assert check_questionnaire(questionnaire) == []


def test_one_item_per_question_in_its_page_group(questionnaire: Resource, ruleset: RuleSet) -> None:
    groups = questionnaire["item"]
    assert [g["linkId"] for g in groups] == [f"page-{p.id}" for p in ruleset.pages]
    for group, page in zip(groups, ruleset.pages, strict=True):
        assert group["type"] == "group"
        assert [i["linkId"] for i in group["item"]] == list(page.questions)
    assert questionnaire["url"] == BASE + "/Questionnaire/bfr-triage-clinician-en"
    assert questionnaire["version"] == ruleset.policy.ruleset_version


def test_items_match_the_question_vocabulary(questionnaire: Resource, ruleset: RuleSet) -> None:
    items = {item["linkId"]: item for _, item in walk(questionnaire["item"])}
    for q in ruleset.questions.values():
        item = items[q.id]
        assert item["required"] is (not q.optional)
        assert item.get("repeats", False) is (q.type == "multi")
        if q.type == "integer" and not q.dont_know:
            assert item["type"] == "integer"
            bounds = {e["url"]: e["valueInteger"] for e in item["extension"]}
            assert bounds == {MIN_VALUE: q.min, MAX_VALUE: q.max}
            continue
        assert item["type"] == "choice"
        codes = [o["valueCoding"]["code"] for o in item["answerOption"] if "valueCoding" in o]
        systems = {o["valueCoding"]["system"] for o in item["answerOption"] if "valueCoding" in o}
        assert systems == {code_system(BASE, q.id)}
        if q.type == "integer":  # a scale with "don't know": codes, each number its ordinal
            numbers = list(range(q.min or 0, (q.max or 0) + 1))
            assert codes == [str(n) for n in numbers] + ["dont_know"]
            ordinals = [o["valueCoding"]["extension"] for o in item["answerOption"][: len(numbers)]]
            assert ordinals == [[{"url": ORDINAL, "valueDecimal": n}] for n in numbers]
        else:
            assert codes == list(q.values)
            exclusive = [
                o["valueCoding"]["code"]
                for o in item["answerOption"]
                if {"url": EXCLUSIVE, "valueBoolean": True} in o.get("extension", [])
            ]
            assert exclusive == list(q.exclusive)


def test_the_questionnaire_speaks_danish(app: Flask, client: FlaskClient) -> None:
    english = questionnaire_of(client, "patient")
    danish = questionnaire_of(client, "patient", "da")
    assert danish["language"] == "da" and english["language"] == "en"
    assert danish["url"] != english["url"] and danish["title"] != english["title"]
    Questionnaire.model_validate(danish)
    with app.test_request_context(), force_locale("da"):
        pairs = zip(walk(english["item"]), walk(danish["item"]), strict=True)
        for (_, en), (_, da) in pairs:
            assert da["text"] == gettext(en["text"]) != en["text"]


# ---- a QuestionnaireResponse for every golden case ------------------------------------------


def response_of(client: FlaskClient, case: Case, lang: str = "en") -> Resource:
    r = client.post(
        f"/api/v1/fhir/QuestionnaireResponse?lang={lang}",
        json={"audience": case.audience, "answers": case.answers},
    )
    assert r.status_code == 200 and r.mimetype == "application/fhir+json"
    body: Resource = r.get_json(force=True)
    return body


def answers_of(qr: Resource, ruleset: RuleSet) -> dict[str, Any]:
    """Read the answers back out of a QuestionnaireResponse, in the engine's terms."""
    out: dict[str, Any] = {}
    for _, item in walk(qr.get("item", [])):
        if "answer" not in item:
            continue
        q = ruleset.questions[item["linkId"]]
        values = [
            a.get("valueInteger", a.get("valueCoding", {}).get("code")) for a in item["answer"]
        ]
        if q.type == "integer":
            values = [int(v) if str(v).isdigit() else v for v in values]
        multi = q.type == "multi"
        out[item["linkId"]] = tuple(values) if multi else values[0]
    return out


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_the_response_of_every_golden_case_validates(
    client: FlaskClient, ruleset: RuleSet, case: Case
) -> None:
    qr = response_of(client, case)
    QuestionnaireResponse.model_validate(qr)
    assert check_response(questionnaire_of(client, case.audience), qr) == []
    answers = parse_answers(ruleset, case.answers)
    asked = {
        q: v
        for q, v in answers.values.items()
        if case.audience == "clinician" or ruleset.questions[q].audience == "all"
    }
    assert answers_of(qr, ruleset) == asked  # nothing lost, nothing added
    decision = evaluate(ruleset, answers)
    assert qr["status"] == ("in-progress" if decision.missing else "completed")
    assert qr["extension"][0]["valueCoding"]["code"] == decision.verdict == case.verdict


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_enable_when_asks_what_the_engine_asks(
    client: FlaskClient, questionnaire: Resource, ruleset: RuleSet, case: Case
) -> None:
    """One source: a FHIR form enables exactly the items engine.asked() says are asked."""
    body = {"audience": "clinician", "answers": case.answers}
    qr = client.post("/api/v1/fhir/QuestionnaireResponse", json=body).get_json(force=True)
    given = {item["linkId"]: item.get("answer", []) for _, item in walk(qr.get("item", []))}
    now = asked(ruleset, parse_answers(ruleset, case.answers))
    conditional = 0
    for _, spec in walk(questionnaire["item"]):
        if spec["type"] != "group":
            assert enabled(spec, given) is (now[spec["linkId"]] is True), spec["linkId"]
            conditional += "enableWhen" in spec
    assert conditional == sum(q.ask_when is not None for q in ruleset.questions.values()) > 0


def test_the_cases_cover_every_answer_type(ruleset: RuleSet) -> None:
    kinds = set()
    for case in CASES:
        for qid, value in case.answers.items():
            q = ruleset.questions[qid]
            kinds.add((q.type, q.optional, value == "dont_know"))
    assert {("choice", False, False), ("multi", False, False), ("integer", False, False),
            ("integer", False, True), ("integer", True, False)} <= kinds  # fmt: skip


# ---- the checks themselves catch what they are for ------------------------------------------


def test_the_checks_catch_broken_resources(client: FlaskClient, questionnaire: Resource) -> None:
    case = next(c for c in CASES if c.name == "local_on_trained_limb")
    good = response_of(client, case)

    broken_q = copy.deepcopy(questionnaire)
    broken_q["status"] = "published"
    broken_q["item"][1]["item"][0]["linkId"] = "condition"
    broken_q["item"][0]["item"][0]["answerOption"].append({"valueCoding": {"code": "x"}})
    problems = check_questionnaire(broken_q)
    assert len(problems) == 3, problems

    def broken(change: Any) -> list[str]:
        qr = copy.deepcopy(good)
        change(qr)
        return check_response(questionnaire, qr)

    group, question = good["item"][0], good["item"][0]["item"][0]
    assert question["linkId"] == "condition" and group["linkId"] == "page-condition"
    pain = next(i for _, i in walk(good["item"]) if i["linkId"] == "pain_heavy")
    assert pain["answer"] == [
        {"valueCoding": {"system": code_system(BASE, "pain_heavy"), "code": "2", "display": "2"}}
    ]

    def set_code(qr: Resource, code: str) -> None:
        qr["item"][0]["item"][0]["answer"][0]["valueCoding"]["code"] = code

    def set_pain(qr: Resource, answer: Resource) -> None:
        next(i for _, i in walk(qr["item"]) if i["linkId"] == "pain_heavy")["answer"] = [answer]

    assert broken(lambda qr: qr.update(status="done"))
    assert broken(lambda qr: set_code(qr, "not_an_option"))
    assert broken(lambda qr: set_pain(qr, {"valueInteger": 2}))  # a choice: codes only
    assert broken(lambda qr: set_pain(qr, {"valueCoding": {"code": "11"}}))
    assert broken(lambda qr: set_pain(qr, {"valueString": "2"}))
    assert broken(lambda qr: qr["item"][0]["item"].append(copy.deepcopy(question)))
    assert broken(lambda qr: qr["item"][1]["item"].append(copy.deepcopy(question)))
    assert broken(lambda qr: qr["item"][0]["item"].pop(0))  # a required item, yet "completed"
    assert broken(lambda qr: qr.update(questionnaire="http://elsewhere/Questionnaire/x"))


# ---- one canonical per Questionnaire, whatever the Host -------------------------------------


def test_four_questionnaires_each_with_its_own_canonical(client: FlaskClient) -> None:
    bundle = read(client, "/api/v1/fhir/Questionnaire")
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    found = [e["resource"] for e in bundle["entry"]]
    assert {(q["id"], q["url"]) for q in found} == {
        (f"bfr-triage-{a}-{lang}", f"{BASE}/Questionnaire/bfr-triage-{a}-{lang}")
        for a in ("patient", "clinician")
        for lang in ("en", "da")
    }
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == entry["resource"]["url"]
        assert (
            read(client, entry["fullUrl"].removeprefix(BASE).join(["/api/v1/fhir", ""]))
            == (entry["resource"])
        )
    one = found[0]
    for query in (f"url={one['url']}", f"url={one['url']}|{one['version']}", f"_id={one['id']}"):
        assert [
            e["resource"] for e in read(client, f"/api/v1/fhir/Questionnaire?{query}")["entry"]
        ] == [one]
    assert read(client, "/api/v1/fhir/Questionnaire?url=http://x/Questionnaire/y")["total"] == 0


def test_the_patient_questionnaire_has_no_clinician_only_items(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    clinician_only = {q.id for q in ruleset.questions.values() if q.audience == "clinician"}
    assert clinician_only  # blood pressure readings, weight-bearing percent
    for lang in ("en", "da"):
        patient = {i["linkId"] for _, i in walk(questionnaire_of(client, "patient", lang)["item"])}
        clinician = {
            i["linkId"] for _, i in walk(questionnaire_of(client, "clinician", lang)["item"])
        }
        assert not patient & clinician_only and clinician_only <= clinician


def test_the_canonical_never_follows_the_host_header(client: FlaskClient) -> None:
    path = "/api/v1/fhir/Questionnaire/bfr-triage-clinician-en"
    # A Host the app does not trust is refused before any URL is built (issue 14) ...
    assert client.get(path, headers={"Host": "evil.example"}).status_code == 400
    # ... and one it answers (a loopback name here) never reaches the canonical URLs either.
    other = client.get(path, headers={"Host": "127.0.0.1:8123"}).get_json(force=True)
    assert other["url"] == f"{BASE}/Questionnaire/bfr-triage-clinician-en"
    assert "127.0.0.1" not in str(other)


def test_without_a_fhir_base_the_public_address_is_the_base() -> None:
    app = clean_app(
        {"ENV": "development", "TESTING": True, "PUBLIC_URL": "https://triage.clinic.example/"}
    )
    q = app.test_client().get(
        "/api/v1/fhir/Questionnaire/bfr-triage-patient-da", headers={"Host": "evil.example"}
    )
    assert q.get_json(force=True)["url"] == (
        "https://triage.clinic.example/api/v1/fhir/Questionnaire/bfr-triage-patient-da"
    )


def test_the_capability_statement_says_what_the_endpoint_offers(client: FlaskClient) -> None:
    cs = read(client, "/api/v1/fhir/metadata")
    assert cs["resourceType"] == "CapabilityStatement" and cs["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in cs["rest"][0]["resource"]}
    assert {i["code"] for i in resources["Questionnaire"]["interaction"]} == {
        "read",
        "search-type",
    }
    [decide] = resources["QuestionnaireResponse"]["operation"]
    definition = read(client, decide["definition"].removeprefix(BASE).join(["/api/v1/fhir", ""]))
    assert definition["code"] == decide["name"] == "decide"
    assert definition["url"] == decide["definition"]


def test_enable_when_follows_a_condition(ruleset: RuleSet) -> None:
    legs = Condition("all", (Clause("limb", "in", ("left_leg", "right_leg", "both_legs")),))
    out = enable_when(BASE, legs, ruleset.questions)
    assert out["enableBehavior"] == "any"
    assert [(c["operator"], c["answerCoding"]["code"]) for c in out["enableWhen"]] == [
        ("=", "left_leg"), ("=", "right_leg"), ("=", "both_legs"),
    ]  # fmt: skip
    assert {c["answerCoding"]["system"] for c in out["enableWhen"]} == {code_system(BASE, "limb")}
    both = Condition("all", (Clause("surgery", "eq", "weeks_1_6"), Clause("age_60", "eq", "yes")))
    assert enable_when(BASE, both, ruleset.questions)["enableBehavior"] == "all"
    mixed = Condition("all", (Clause("limb", "in", ("left_leg", "right_leg")), *both.clauses))
    with pytest.raises(ValueError, match="not expressible"):
        enable_when(BASE, mixed, ruleset.questions)


# ---- $decide: the decision from a QuestionnaireResponse -------------------------------------

DECIDE = "/api/v1/fhir/QuestionnaireResponse/$decide"


def decide(client: FlaskClient, qr: Resource, lang: str = "en") -> tuple[Resource, Resource]:
    """Post a response to $decide; return the GuidanceResponse and its attached JSON decision."""
    r = client.post(
        f"{DECIDE}?lang={lang}",
        data=json.dumps(qr),
        content_type="application/fhir+json",
    )
    assert r.status_code == 200 and r.mimetype == "application/fhir+json", r.get_data(True)
    guidance: Resource = r.get_json(force=True)
    [parameters] = guidance["contained"]
    assert guidance["outputParameters"] == {"reference": f"#{parameters['id']}"}
    attached = next(p for p in parameters["parameter"] if p["name"] == "decision")
    data = attached["valueAttachment"]
    assert data["contentType"] == "application/json" and data["language"] == lang
    return guidance, json.loads(base64.b64decode(data["data"]))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_decide_gives_what_the_api_gives_for_every_golden_case(
    client: FlaskClient, ruleset: RuleSet, case: Case
) -> None:
    for lang in ("en", "da") if case.name.startswith("indication_knee") else ("en",):
        qr = response_of(client, case, lang)
        guidance, decision = decide(client, qr, lang)
        asked = {
            q: v
            for q, v in case.answers.items()
            if case.audience == "clinician" or ruleset.questions[q].audience == "all"
        }
        api = client.post(
            f"/api/v1/assessments?lang={lang}", json={"audience": case.audience, "answers": asked}
        ).get_json()
        assert decision == api
        params = guidance["contained"][0]["parameter"]
        fired = [p["valueCode"] for p in params if p["name"] == "fired"]
        # every rule that fired; the JSON leaves out the evidence on a clearance result
        assert {r["rule"] for r in decision["reasons"]} <= set(fired)
        if asked == case.answers:
            assert decision["verdict"] == case.verdict
            assert set(fired) == case.fired
        verdict = next(p for p in params if p["name"] == "verdict")["valueCoding"]
        assert verdict["code"] == decision["verdict"] and verdict["display"] == api["headline"]
        assert guidance["status"] == ("data-required" if decision["missing"] else "success")
        assert guidance["language"] == lang and guidance["note"][0]["text"] == api["headline"]


def test_decide_refuses_what_it_cannot_read(client: FlaskClient) -> None:
    case = next(c for c in CASES if c.name == "local_on_trained_limb")
    good = response_of(client, case)

    def issues(change: Any) -> list[Resource]:
        qr = copy.deepcopy(good)
        change(qr)
        r = client.post(DECIDE, data=json.dumps(qr), content_type="application/fhir+json")
        assert r.status_code == 422 and r.mimetype == "application/fhir+json"
        body: Resource = r.get_json(force=True)
        assert body["resourceType"] == "OperationOutcome"
        found: list[Resource] = body["issue"]
        return found

    def pain(qr: Resource) -> Resource:
        item: Resource = next(i for _, i in walk(qr["item"]) if i["linkId"] == "pain_heavy")
        return item

    [bad] = issues(lambda qr: pain(qr)["answer"][0]["valueCoding"].update(code="11"))
    assert "pain_heavy" in bad["expression"][0] and "11" in bad["diagnostics"]
    [bad] = issues(lambda qr: pain(qr)["answer"][0]["valueCoding"].update(system="http://x"))
    [(g, i)] = [
        (g, i)
        for g, group in enumerate(good["item"])
        for i, item in enumerate(group["item"])
        if item["linkId"] == "pain_heavy"
    ]
    assert bad["expression"] == [f"QuestionnaireResponse.item[{g}].item[{i}].answer"]
    [bad] = issues(lambda qr: qr.update(questionnaire="http://elsewhere/Questionnaire/x"))
    assert bad["expression"] == ["QuestionnaireResponse.questionnaire"]
    [bad] = issues(lambda qr: qr.update(questionnaire=qr["questionnaire"] + ".0"))
    assert "version" in bad["diagnostics"]
    [bad] = issues(lambda qr: qr["item"][0]["item"].append({"linkId": "shoe_size"}))
    assert "shoe_size" in bad["diagnostics"]
    [bad] = issues(lambda qr: pain(qr)["answer"].append({"valueString": "7"}))
    assert "valueString" in bad["diagnostics"]
