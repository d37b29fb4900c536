"""FHIR R4B: the Questionnaire and a QuestionnaireResponse of every golden case, validated.

fhir.resources checks structure and required elements, not code bindings or invariants, so
the checks it lacks are here: unique linkIds, valid status and type codes, codes that exist
in the answerOptions, answers that match their item's type and range.
"""

from __future__ import annotations

import copy
import itertools
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

from bfr_triage.engine import RuleSet, evaluate, parse_answers
from bfr_triage.engine.evaluate import asked
from bfr_triage.records.fhir import EXCLUSIVE, MAX_VALUE, MIN_VALUE, code_system

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


@pytest.fixture(scope="module")
def questionnaire(client: FlaskClient) -> Resource:
    r = client.get("/api/v1/fhir/Questionnaire")
    assert r.status_code == 200 and r.mimetype == "application/fhir+json"
    body: Resource = r.get_json(force=True)
    return body


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


def is_enabled(item: Resource, given: dict[str, list[Resource]]) -> bool:
    """Evaluate an item's enableWhen as FHIR R4B defines it, from the answers given (an item
    that is not enabled has no answers, so a test on it is false)."""
    tests = item.get("enableWhen")
    if not tests:
        return True
    compare = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
    }

    def value(x: Resource) -> Any:
        if "answerCoding" in x or "valueCoding" in x:
            coding = x.get("answerCoding") or x.get("valueCoding")
            return (coding["system"], coding["code"])
        return x.get("answerInteger", x.get("valueInteger"))

    def holds(test: Resource) -> bool:
        answers = given.get(test["question"], [])
        if test["operator"] == "exists":
            return bool(answers) == test["answerBoolean"]
        return any(
            type(value(a)) is type(value(test)) and compare[test["operator"]](value(a), value(test))
            for a in answers
        )

    results = [holds(t) for t in tests]
    return any(results) if item["enableBehavior"] == "any" else all(results)


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
        tests = item.get("enableWhen", [])
        if len(tests) > 1 and item.get("enableBehavior") not in ("any", "all"):
            problems.append(f"{link}: enableWhen needs enableBehavior")  # que-12
        for test in tests:
            if test["question"] not in seen:  # only questions before it
                problems.append(f"{link}: enableWhen on {test['question']!r}, not before it")
    return problems


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
    enabled = {link for link, (_, spec) in defined.items() if is_enabled(spec, given)}
    for link in seen & (set(defined) - enabled):
        problems.append(f"{link} is answered but not enabled")
    required = {link for link, (_, spec) in defined.items() if spec.get("required")} & enabled
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
    assert questionnaire["url"] == BASE + "/Questionnaire/bfr-triage"
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
        if q.type == "integer":
            numbers = [o["valueInteger"] for o in item["answerOption"] if "valueInteger" in o]
            assert numbers == list(range(q.min or 0, (q.max or 0) + 1))
            assert codes == ["dont_know"]
        else:
            assert codes == list(q.values)
            exclusive = [
                o["valueCoding"]["code"]
                for o in item["answerOption"]
                if {"url": EXCLUSIVE, "valueBoolean": True} in o.get("extension", [])
            ]
            assert exclusive == list(q.exclusive)


def test_the_questionnaire_speaks_danish(app: Flask, client: FlaskClient) -> None:
    english = client.get("/api/v1/fhir/Questionnaire?audience=patient").get_json(force=True)
    danish = client.get("/api/v1/fhir/Questionnaire?audience=patient&lang=da").get_json(force=True)
    assert danish["language"] == "da"
    Questionnaire.model_validate(danish)
    with app.test_request_context(), force_locale("da"):
        pairs = zip(walk(english["item"]), walk(danish["item"]), strict=True)
        for (_, en), (_, da) in pairs:
            assert da["text"] == gettext(en["text"]) != en["text"]


@pytest.mark.parametrize(
    "qid", ["weight_bearing", "weight_bearing_percent", "surgery_on_trained_limb"]
)
def test_enable_when_follows_ask_when(questionnaire: Resource, ruleset: RuleSet, qid: str) -> None:
    """The item is enabled exactly when the engine asks the question, for every answer to the
    questions its ask_when tests."""
    item = next(i for _, i in walk(questionnaire["item"]) if i["linkId"] == qid)
    question = ruleset.questions[qid]
    assert question.ask_when is not None and item["enableWhen"]
    tested = question.ask_when.questions
    choices = [ruleset.questions[t].values for t in tested]
    seen = set()
    for combination in itertools.product(*choices):
        raw = dict(zip(tested, combination, strict=True))
        state = asked(ruleset, parse_answers(ruleset, raw))[qid]
        given = {
            t: [{"valueCoding": {"system": code_system(BASE, t), "code": v}}]
            for t, v in raw.items()
        }
        if state is not None:  # "don't know" leaves it open in the engine; FHIR cannot say so
            assert is_enabled(item, given) is state, raw
            seen.add(state)
    assert seen == {True, False}


# ---- a QuestionnaireResponse for every golden case ------------------------------------------


def response_of(client: FlaskClient, case: Case) -> Resource:
    r = client.post(
        "/api/v1/fhir/QuestionnaireResponse",
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
        values = [
            a.get("valueInteger", a.get("valueCoding", {}).get("code")) for a in item["answer"]
        ]
        multi = ruleset.questions[item["linkId"]].type == "multi"
        out[item["linkId"]] = tuple(values) if multi else values[0]
    return out


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_the_response_of_every_golden_case_validates(
    client: FlaskClient, questionnaire: Resource, ruleset: RuleSet, case: Case
) -> None:
    qr = response_of(client, case)
    QuestionnaireResponse.model_validate(qr)
    assert check_response(questionnaire, qr) == []
    answers = parse_answers(ruleset, case.answers)
    assert answers_of(qr, ruleset) == answers.values  # nothing lost, nothing added
    decision = evaluate(ruleset, answers)
    assert qr["status"] == ("in-progress" if decision.missing else "completed")
    assert qr["extension"][0]["valueCoding"]["code"] == decision.verdict == case.verdict


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
    safety = next(g for g in broken_q["item"] if g["linkId"] == "page-safety")
    safety["item"][0]["linkId"] = "condition"  # an item nothing else refers to
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
    assert pain["answer"] == [{"valueInteger": 2}]

    def set_code(qr: Resource, code: str) -> None:
        qr["item"][0]["item"][0]["answer"][0]["valueCoding"]["code"] = code

    def set_pain(qr: Resource, answer: Resource) -> None:
        next(i for _, i in walk(qr["item"]) if i["linkId"] == "pain_heavy")["answer"] = [answer]

    assert broken(lambda qr: qr.update(status="done"))
    assert broken(lambda qr: set_code(qr, "not_an_option"))
    assert broken(lambda qr: set_pain(qr, {"valueInteger": 11}))
    assert broken(lambda qr: set_pain(qr, {"valueString": "2"}))
    assert broken(lambda qr: qr["item"][0]["item"].append(copy.deepcopy(question)))
    assert broken(lambda qr: qr["item"][1]["item"].append(copy.deepcopy(question)))
    assert broken(lambda qr: qr["item"][0]["item"].pop(0))  # a required item, yet "completed"
    assert broken(lambda qr: qr.update(questionnaire="http://elsewhere/Questionnaire/x"))

    def answer_not_asked(qr: Resource) -> None:  # surgery "none": the operation's limb is disabled
        at = next(i for i, g in enumerate(qr["item"]) if g["linkId"] == "page-loading") + 1
        coding = {"system": code_system(BASE, "surgery_on_trained_limb"), "code": "yes"}
        item = {"linkId": "surgery_on_trained_limb", "answer": [{"valueCoding": coding}]}
        qr["item"].insert(at, {"linkId": "page-surgery_limb", "item": [item]})

    assert broken(answer_not_asked) == ["surgery_on_trained_limb is answered but not enabled"]
