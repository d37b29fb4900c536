"""Build FHIR R4B resources from the rule set: the Questionnaire and a QuestionnaireResponse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine import Answers, Decision, Question, RuleSet
from ..engine.model import DONT_KNOW, Condition

Resource = dict[str, Any]
Translate = Callable[[str], str]

MEDIA_TYPE = "application/fhir+json"
QUESTIONNAIRE_ID = "bfr-triage"
EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"


def _same(text: str) -> str:
    return text


def questionnaire_url(base: str) -> str:
    """Return the canonical URL of the Questionnaire under the configured FHIR base."""
    return f"{base}/Questionnaire/{QUESTIONNAIRE_ID}"


def code_system(base: str, question: str) -> str:
    """Return the code system of one question's answer codes: each question has its own."""
    return f"{base}/CodeSystem/{question}"


def group_link(page: str) -> str:
    """Return the linkId of a page's group: page and question ids may be equal ("condition")."""
    return f"page-{page}"


def fhir_type(question: Question) -> str:
    """Return the FHIR item type: integers that allow "don't know" become a choice of numbers."""
    if question.type == "integer" and not question.dont_know:
        return "integer"
    return "choice"


def _wording(question: Question, audience: str) -> str:
    return question.text if audience == "patient" else question.clinician_text


def _dont_know_label(audience: str) -> str:
    # The same English words the rule set's option sets use, so the catalogue translates them.
    return "I don't know" if audience == "patient" else "Unknown"


def _coding(base: str, question: Question, value: str, audience: str, tr: Translate) -> Resource:
    option = next((o for o in question.options if o.value == value), None)
    if option is None:  # only "dont_know" on an integer question has no option of its own
        label = _dont_know_label(audience)
    else:
        label = option.label if audience == "patient" else option.clinician_label
    return {"system": code_system(base, question.id), "code": value, "display": tr(label)}


def _answer_options(base: str, q: Question, audience: str, tr: Translate) -> list[Resource]:
    if q.type == "integer":
        numbers: list[Resource] = [{"valueInteger": n} for n in range(q.min or 0, (q.max or 0) + 1)]
        return numbers + [{"valueCoding": _coding(base, q, DONT_KNOW, audience, tr)}]
    options = []
    for option in q.options:
        entry: Resource = {"valueCoding": _coding(base, q, option.value, audience, tr)}
        if option.value in q.exclusive:
            entry["extension"] = [{"url": EXCLUSIVE, "valueBoolean": True}]
        options.append(entry)
    return options


FHIR_OPERATORS = {"eq": "=", "in": "=", "contains_any": "=", "gte": ">=", "lte": "<="}


def enable_when(ruleset: RuleSet, base: str, condition: Condition) -> Resource:
    """Return `enableWhen` and `enableBehavior` for a question's `ask_when` (README §4): the item
    is enabled exactly when the engine asks the question. A disabled item has no answer, so a
    test on it is false, as the engine reads a question that is not asked. FHIR has no nesting:
    a condition must be one "any", or one "all" whose list tests (`in`) stand alone; ValueError
    otherwise (tests/test_fhir.py builds the Questionnaire of the shipped rules)."""
    tests: list[Resource] = []
    for clause in condition.clauses:
        q = ruleset.questions[clause.question]
        values = clause.value if isinstance(clause.value, tuple) else (clause.value,)
        if clause.param is not None:
            values = (ruleset.policy.parameters[clause.param].value,)
        for value in values:
            answer = (
                {"answerInteger": value}
                if isinstance(value, int)
                else {"answerCoding": {"system": code_system(base, q.id), "code": value}}
            )
            tests.append({"question": q.id, "operator": FHIR_OPERATORS[clause.op], **answer})
    behavior = "any" if condition.mode == "any" or len(condition.clauses) == 1 else "all"
    if behavior == "all" and len(tests) > len(condition.clauses):
        raise ValueError(f"ask_when {condition} has no FHIR enableWhen")
    return {"enableWhen": tests, "enableBehavior": behavior}


def _item(ruleset: RuleSet, base: str, q: Question, audience: str, tr: Translate) -> Resource:
    item: Resource = {"linkId": q.id, "text": tr(_wording(q, audience)), "type": fhir_type(q)}
    if q.ask_when is not None:
        item.update(enable_when(ruleset, base, q.ask_when))
    item["required"] = not q.optional
    if q.type == "multi":
        item["repeats"] = True
    if item["type"] == "integer":
        item["extension"] = [
            {"url": MIN_VALUE, "valueInteger": q.min},
            {"url": MAX_VALUE, "valueInteger": q.max},
        ]
    else:
        item["answerOption"] = _answer_options(base, q, audience, tr)
    return item


def questionnaire(
    ruleset: RuleSet,
    base: str,
    *,
    title: str,
    audience: str = "clinician",
    lang: str = "en",
    tr: Translate = _same,
) -> Resource:
    """Return the whole questionnaire: one group per page, one item per question (linkId = id)."""
    groups = []
    for page in ruleset.pages:
        heading = page.title if audience == "patient" else page.clinician_title
        groups.append(
            {
                "linkId": group_link(page.id),
                "text": tr(heading),
                "type": "group",
                "item": [
                    _item(ruleset, base, ruleset.questions[q], audience, tr) for q in page.questions
                ],
            }
        )
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": questionnaire_url(base),
        "version": ruleset.policy.ruleset_version,
        "name": "BfrTriage",
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "language": lang,
        "item": groups,
    }


def _answers(base: str, q: Question, value: object, audience: str, tr: Translate) -> list[Resource]:
    if isinstance(value, int):
        return [{"valueInteger": value}]
    values = value if isinstance(value, tuple) else (value,)
    return [{"valueCoding": _coding(base, q, str(v), audience, tr)} for v in values]


def questionnaire_response(
    ruleset: RuleSet,
    answers: Answers,
    decision: Decision,
    base: str,
    *,
    authored: str,
    headline: str,
    audience: str = "clinician",
    lang: str = "en",
    tr: Translate = _same,
) -> Resource:
    """Return the answers as a response to `questionnaire`, with the verdict as an extension."""
    groups = []
    for page in ruleset.pages:
        items = [
            {
                "linkId": qid,
                "text": tr(_wording(ruleset.questions[qid], audience)),
                "answer": _answers(base, ruleset.questions[qid], value, audience, tr),
            }
            for qid in page.questions
            if (value := answers.get(qid)) is not None
        ]
        if items:  # a group without answered items is left out, as FHIR expects
            groups.append({"linkId": group_link(page.id), "item": items})
    verdict = {
        "url": f"{base}/StructureDefinition/verdict",
        "valueCoding": {
            "system": f"{base}/CodeSystem/verdict",
            "code": decision.verdict,
            "display": headline,
        },
    }
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "extension": [verdict],
        "questionnaire": f"{questionnaire_url(base)}|{ruleset.policy.ruleset_version}",
        "status": "in-progress" if decision.missing else "completed",
        "authored": authored,
        "language": lang,
    }
    if groups:
        resource["item"] = groups
    return resource
