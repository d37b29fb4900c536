"""Build FHIR R4 resources from the rule set: Questionnaires, responses, the decision, errors.

Pure functions of the rule set, a decision and the FHIR base URL; the API and the pages call them
with the request's language (`tr`). R4 and R4B agree on every element used here.

One canonical per audience and language: `{base}/Questionnaire/bfr-triage-{audience}-{lang}`,
with the rule-set version as its version. The codes (`{base}/CodeSystem/{question}`) are the same
in all four, so a response to any of them gives the same answers.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

from ..engine import Answers, Decision, Question, RuleSet
from ..engine.model import DONT_KNOW, Condition

Resource = dict[str, Any]
Translate = Callable[[str], str]

MEDIA_TYPE = "application/fhir+json"
FHIR_VERSION = "4.0.1"
QUESTIONNAIRE_PREFIX = "bfr-triage"
EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
MAX_RADIOS = 12  # more options than this (the conditions) are a drop-down list
OPERATION = "decide"  # POST [base]/QuestionnaireResponse/$decide


class FhirInputError(ValueError):
    """A resource sent to the app cannot be read; each issue is (FHIRPath expression, message)."""

    def __init__(self, issues: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in issues))
        self.issues = issues


def _same(text: str) -> str:
    return text


def questionnaire_id(audience: str, lang: str) -> str:
    """Return the id of one Questionnaire: one per audience and language."""
    return f"{QUESTIONNAIRE_PREFIX}-{audience}-{lang}"


def questionnaire_url(base: str, audience: str, lang: str) -> str:
    """Return the canonical URL of a Questionnaire under the configured FHIR base."""
    return f"{base}/Questionnaire/{questionnaire_id(audience, lang)}"


def code_system(base: str, question: str) -> str:
    """Return the code system of one question's answer codes: each question has its own."""
    return f"{base}/CodeSystem/{question}"


def verdict_system(base: str) -> str:
    return f"{base}/CodeSystem/verdict"


def group_link(page: str) -> str:
    """Return the linkId of a page's group: page and question ids may be equal ("condition")."""
    return f"page-{page}"


def fhir_type(question: Question) -> str:
    """Return the FHIR item type: an integer that allows "don't know" is a choice of codes."""
    if question.type == "integer" and not question.dont_know:
        return "integer"
    return "choice"


def asked_of(question: Question, audience: str) -> bool:
    """Return whether the audience's questionnaire holds the question (patients: not the
    clinician-only items)."""
    return audience == "clinician" or question.audience == "all"


def _wording(question: Question, audience: str) -> str:
    return question.text if audience == "patient" else question.clinician_text


def _dont_know_label(audience: str) -> str:
    # The same English words the rule set's option sets use, so the catalogue translates them.
    return "I don't know" if audience == "patient" else "Unknown"


def _coding(base: str, question: Question, value: str, audience: str, tr: Translate) -> Resource:
    system = code_system(base, question.id)
    if question.type == "integer" and value != DONT_KNOW:  # a number on a scale: its own code
        return {"system": system, "code": value, "display": value}
    option = next((o for o in question.options if o.value == value), None)
    if option is None:  # only "dont_know" on an integer question has no option of its own
        label = _dont_know_label(audience)
    else:
        label = option.label if audience == "patient" else option.clinician_label
    return {"system": system, "code": value, "display": tr(label)}


def _answer_options(base: str, q: Question, audience: str, tr: Translate) -> list[Resource]:
    options = []
    if q.type == "integer":  # 0..10 as codes "0".."10", each with its number as ordinal value
        for n in range(q.min or 0, (q.max or 0) + 1):
            coding = _coding(base, q, str(n), audience, tr)
            coding["extension"] = [{"url": ORDINAL, "valueDecimal": n}]
            options.append({"valueCoding": coding})
        values: tuple[str, ...] = (DONT_KNOW,)
    else:
        values = q.values
    for value in values:
        entry: Resource = {"valueCoding": _coding(base, q, value, audience, tr)}
        if q.type == "multi" and value in q.exclusive:
            entry["extension"] = [{"url": EXCLUSIVE, "valueBoolean": True}]
        options.append(entry)
    return options


def enable_when(base: str, condition: Condition, questions: dict[str, Question]) -> Resource:
    """Return `enableWhen` and `enableBehavior` for an item asked only when `condition` holds.

    Each clause becomes one or more comparisons; "any" of the clauses, or one "in" clause, is
    `enableBehavior: any`. A condition FHIR cannot say this way (several clauses of which one
    offers several values, joined by "all") is refused, so the rule set and FHIR never disagree.
    """
    checks: list[Resource] = []
    several = False
    for clause in condition.clauses:
        q = questions[clause.question]
        if clause.op in ("eq", "in", "contains_any"):
            values = clause.value if isinstance(clause.value, tuple) else (clause.value,)
            several = several or len(values) > 1
            for value in values:
                coding = {"system": code_system(base, q.id), "code": str(value)}
                checks.append({"question": q.id, "operator": "=", "answerCoding": coding})
        elif clause.op in ("gte", "lte") and fhir_type(q) == "integer":
            operator = ">=" if clause.op == "gte" else "<="
            checks.append({"question": q.id, "operator": operator, "answerInteger": clause.value})
        else:
            raise ValueError(f"{clause.question} {clause.op}: not expressible as enableWhen")
    if condition.mode == "all" and several and len(condition.clauses) > 1:
        raise ValueError("several values in one of several clauses: not expressible")
    behaviour = "any" if condition.mode == "any" or several else "all"
    out: Resource = {"enableWhen": checks}
    if len(checks) > 1:
        out["enableBehavior"] = behaviour
    return out


def _item(base: str, rs: RuleSet, q: Question, audience: str, tr: Translate) -> Resource:
    item: Resource = {"linkId": q.id, "text": tr(_wording(q, audience)), "type": fhir_type(q)}
    if q.ask_when is not None:  # asked only when earlier answers make it apply (engine.asked)
        item.update(enable_when(base, q.ask_when, rs.questions))
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
        many = len(item["answerOption"]) > MAX_RADIOS
        control = "check-box" if q.type == "multi" else "drop-down" if many else "radio-button"
        coding = {"system": "http://hl7.org/fhir/questionnaire-item-control", "code": control}
        item["extension"] = [{"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [coding]}}]
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
    """Return the audience's questionnaire in one language: a group per page, an item per
    question (linkId = the question id)."""
    groups = []
    for page in ruleset.pages:
        heading = page.title if audience == "patient" else page.clinician_title
        items = [
            _item(base, ruleset, ruleset.questions[qid], audience, tr)
            for qid in page.questions
            if asked_of(ruleset.questions[qid], audience)
        ]
        if items:
            groups.append(
                {"linkId": group_link(page.id), "text": tr(heading), "type": "group", "item": items}
            )
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(audience, lang),
        "url": questionnaire_url(base, audience, lang),
        "version": ruleset.policy.ruleset_version,
        "name": f"BfrTriage{audience.title()}{lang.title()}",
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "language": lang,
        "useContext": [
            {
                "code": {
                    "system": "http://terminology.hl7.org/CodeSystem/usage-context-type",
                    "code": "user",
                },
                "valueCodeableConcept": {"text": audience},
            }
        ],
        "item": groups,
    }


def _answers(base: str, q: Question, value: object, audience: str, tr: Translate) -> list[Resource]:
    if isinstance(value, int) and fhir_type(q) == "integer":
        return [{"valueInteger": value}]
    values = value if isinstance(value, tuple) else (value,)
    return [{"valueCoding": _coding(base, q, str(v), audience, tr)} for v in values]


def verdict_coding(base: str, decision: Decision, headline: str) -> Resource:
    return {"system": verdict_system(base), "code": decision.verdict, "display": headline}


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
    """Return the answers as a response to the audience's `questionnaire` in `lang`, with the
    verdict as an extension."""
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
            and asked_of(ruleset.questions[qid], audience)
        ]
        if items:  # a group without answered items is left out, as FHIR expects
            groups.append({"linkId": group_link(page.id), "item": items})
    verdict = {
        "url": f"{base}/StructureDefinition/verdict",
        "valueCoding": verdict_coding(base, decision, headline),
    }
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "extension": [verdict],
        "questionnaire": f"{questionnaire_url(base, audience, lang)}|"
        f"{ruleset.policy.ruleset_version}",
        "status": "in-progress" if decision.missing else "completed",
        "authored": authored,
        "language": lang,
    }
    if groups:
        resource["item"] = groups
    return resource


# ---- reading a QuestionnaireResponse back -------------------------------------------------


def _items(items: Any, path: str) -> Iterator[tuple[str, Resource]]:
    """Yield (FHIRPath, item) for every item at every depth (answers may nest items too)."""
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        where = f"{path}.item[{i}]"
        if not isinstance(item, dict):
            continue
        yield where, item
        yield from _items(item.get("item"), where)
        for j, answer in enumerate(item.get("answer") or []):
            if isinstance(answer, dict):
                yield from _items(answer.get("item"), f"{where}.answer[{j}]")


def _value(base: str, q: Question, answer: Any) -> tuple[object, str]:
    """Return the engine's value of one answer, or (None, why not)."""
    if not isinstance(answer, dict):
        return None, "an answer must be an object"
    values = [k for k in answer if k.startswith("value")]
    if len(values) != 1:
        return None, "an answer needs exactly one value[x]"
    kind, value = values[0], answer[values[0]]
    if kind == "valueInteger" and q.type == "integer":
        return value, ""
    if kind != "valueCoding" or not isinstance(value, dict):
        return None, f"{kind} does not answer a {fhir_type(q)} item"
    system, code = value.get("system"), value.get("code")
    if system not in (None, code_system(base, q.id)):
        return None, f"code system {system!r} is not this question's"
    if not isinstance(code, str):
        return None, "a coding without a code"
    if q.type == "integer" and code.isdigit():
        return int(code), ""
    return code, ""


def read_response(
    ruleset: RuleSet, resource: Any, base: str, languages: tuple[str, ...]
) -> tuple[str, dict[str, object]]:
    """Return the audience and the raw answers (for `parse_answers`) of a QuestionnaireResponse
    to one of this app's Questionnaires; raise FhirInputError naming each problem."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
        raise FhirInputError([("QuestionnaireResponse", "the body is not a QuestionnaireResponse")])
    canonical = resource.get("questionnaire")
    url, _, version = str(canonical).partition("|")
    ours = {
        questionnaire_url(base, a, lang): a for a in ("patient", "clinician") for lang in languages
    }
    if url not in ours:
        known = ", ".join(sorted(ours))
        raise FhirInputError(
            [("QuestionnaireResponse.questionnaire", f"{canonical!r} is not one of: {known}")]
        )
    if version and version != ruleset.policy.ruleset_version:
        raise FhirInputError(
            [
                (
                    "QuestionnaireResponse.questionnaire",
                    f"version {version} is not this server's rule set "
                    f"{ruleset.policy.ruleset_version}",
                )
            ]
        )
    issues: list[tuple[str, str]] = []
    raw: dict[str, object] = {}
    groups = {group_link(p.id) for p in ruleset.pages}
    for where, item in _items(resource.get("item"), "QuestionnaireResponse"):
        link = item.get("linkId")
        q = ruleset.questions.get(link) if isinstance(link, str) else None
        if q is None:
            if link not in groups:
                issues.append((where, f"linkId {link!r} is not an item of the Questionnaire"))
            continue
        answers = item.get("answer") or []
        parsed = [_value(base, q, a) for a in answers] if isinstance(answers, list) else []
        errors = [why for _, why in parsed if why]
        if errors:
            issues += [(f"{where}.answer", why) for why in errors]
        elif parsed:
            values = [v for v, _ in parsed]
            raw[q.id] = values if q.type == "multi" else values[0] if len(values) == 1 else values
    if issues:
        raise FhirInputError(issues)
    return ours[url], raw


# ---- the decision, errors and what the server offers --------------------------------------


def guidance_response(
    ruleset: RuleSet,
    decision: Decision,
    base: str,
    *,
    occurrence: str,
    headline: str,
    decision_json: str,
    lang: str,
    request_id: str | None = None,
) -> Resource:
    """Return the decision as a GuidanceResponse: verdict and fired rules in `outputParameters`
    (a contained Parameters, as R4 defines it), with the API's JSON decision as an attachment."""
    p = decision.provenance
    parameters: Resource = {
        "resourceType": "Parameters",
        "id": "decision",
        "parameter": [
            {"name": "verdict", "valueCoding": verdict_coding(base, decision, headline)},
            {"name": "verdict_rule", "valueCode": decision.verdict_rule},
            *({"name": "fired", "valueCode": rule} for rule in decision.fired),
            *({"name": "missing", "valueCode": qid} for qid in decision.missing),
            {"name": "ruleset_version", "valueString": p.ruleset_version},
            {"name": "rules_sha256", "valueString": p.rules_sha256},
            {
                "name": "decision",
                "valueAttachment": {
                    "contentType": "application/json",
                    "language": lang,
                    "data": base64.b64encode(decision_json.encode("utf-8")).decode("ascii"),
                },
            },
        ],
    }
    resource: Resource = {
        "resourceType": "GuidanceResponse",
        "language": lang,
        "contained": [parameters],
        "moduleUri": f"urn:bfr-triage:rules:{p.ruleset_version}",
        "status": "data-required" if decision.missing else "success",
        "occurrenceDateTime": occurrence,
        "note": [{"text": headline}],
        "outputParameters": {"reference": "#decision"},
    }
    if request_id:
        resource["requestIdentifier"] = {"value": request_id}
    return resource


def operation_outcome(issues: list[tuple[str, str]], code: str = "invalid") -> Resource:
    """Return an OperationOutcome with one error per (FHIRPath expression or "", message)."""
    entries = []
    for where, message in issues:
        entry: Resource = {"severity": "error", "code": code, "diagnostics": message}
        if where:
            entry["expression"] = [where]
        entries.append(entry)
    return {"resourceType": "OperationOutcome", "issue": entries}


def operation_definition(base: str, version: str) -> Resource:
    """Return the definition of $decide: a QuestionnaireResponse in, a GuidanceResponse out."""
    return {
        "resourceType": "OperationDefinition",
        "id": f"QuestionnaireResponse-{OPERATION}",
        "url": f"{base}/OperationDefinition/QuestionnaireResponse-{OPERATION}",
        "version": version,
        "name": "Decide",
        "status": "active",
        "kind": "operation",
        "description": "Evaluate a QuestionnaireResponse to one of this server's Questionnaires "
        "and return the decision. Decision support only; nothing is stored.",
        "affectsState": False,
        "code": OPERATION,
        "resource": ["QuestionnaireResponse"],
        "system": False,
        "type": True,
        "instance": False,
        "parameter": [
            {
                "name": "resource",
                "use": "in",
                "min": 1,
                "max": "1",
                "type": "QuestionnaireResponse",
                "documentation": "The answers; sent as the body, on its own.",
            },
            {
                "name": "return",
                "use": "out",
                "min": 1,
                "max": "1",
                "type": "GuidanceResponse",
                "documentation": "The verdict, the fired rules and the JSON decision.",
            },
        ],
    }


def capability_statement(base: str, *, version: str, date: str) -> Resource:
    """Return what this FHIR endpoint offers: read and search Questionnaires, and $decide."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "kind": "instance",
        "software": {"name": "bfr-triage", "version": version},
        "implementation": {"description": "bfr-triage FHIR endpoint", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": [MEDIA_TYPE, "json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "Questionnaire",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "url", "type": "uri"},
                            {"name": "_id", "type": "token"},
                        ],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "operation": [
                            {
                                "name": OPERATION,
                                "definition": f"{base}/OperationDefinition/"
                                f"QuestionnaireResponse-{OPERATION}",
                            }
                        ],
                    },
                    {"type": "OperationDefinition", "interaction": [{"code": "read"}]},
                ],
            }
        ],
    }
