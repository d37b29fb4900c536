"""Evaluate validated answers against a rule set into one immutable Decision."""

from __future__ import annotations

from functools import cache
from importlib import metadata

from .model import (
    DONT_KNOW,
    TRAINED_LIMBS,
    Answers,
    Condition,
    Decision,
    Provenance,
    Reason,
    RuleSet,
    State,
    Tri,
    Value,
)
from .operators import OPERATORS


@cache
def app_version() -> str:
    try:
        return metadata.version("bfr-triage")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def asked(ruleset: RuleSet, answers: Answers) -> dict[str, Tri]:
    """Say for each question whether it is asked given these answers (README §2, §4).

    True: asked. False: its `ask_when` is false, so it is not asked and counts as nothing.
    None: not known yet (the answers it depends on are missing or "don't know"): it is not
    required, but an answer to it is accepted and read. The web, the API, the OpenAPI document
    and the FHIR Questionnaire all follow this one function.
    """
    state: dict[str, Tri] = {}
    for qid, question in ruleset.questions.items():  # ask_when tests only earlier questions
        state[qid] = (
            True
            if question.ask_when is None
            else _test(ruleset, answers, question.ask_when, state)[0]
        )
    return state


def _test(
    ruleset: RuleSet, answers: Answers, condition: Condition, state: dict[str, Tri] | None = None
) -> tuple[Tri, tuple[str, ...]]:
    """Return the three-valued result of a condition and the questions that decided it.
    A clause on a question that is not asked is false; on one not known to be asked, unknown."""
    met: list[str] = []  # questions whose clause is true
    unknown: list[str] = []  # questions whose clause cannot be decided
    refuted = False  # some clause is false
    given = answers.values
    for clause in condition.clauses:
        answer = given.get(clause.question)
        result: Tri
        is_asked = True if state is None else state.get(clause.question, True)
        if is_asked is False:
            result = False
        elif answer is None:
            result = False if ruleset.questions[clause.question].optional else None
        elif answer == DONT_KNOW or answer == (DONT_KNOW,):
            result = None
        else:
            value = clause.value
            if clause.param is not None:
                value = ruleset.policy.parameters[clause.param].value
            result = OPERATORS[clause.op][0](answer, value)
        if result is True:
            met.append(clause.question)
        elif result is None:
            unknown.append(clause.question)
        else:
            refuted = True
    if condition.mode == "any" and met:
        return True, tuple(dict.fromkeys(met))
    if condition.mode == "all" and refuted:
        return False, ()
    if unknown:
        return None, tuple(dict.fromkeys(unknown))
    if condition.mode == "all":
        return True, tuple(dict.fromkeys(met))
    return False, ()


def holds(ruleset: RuleSet, answers: Answers, condition: Condition) -> bool:
    """Return whether a condition is surely met by these answers."""
    return _test(ruleset, answers, condition)[0] is True


def _cited(answers: Answers, questions: tuple[str, ...]) -> tuple[tuple[str, Value | None], ...]:
    return tuple((q, answers.get(q)) for q in questions)


def _tri_fact(states: list[Tri], yes: str, unknown: str, no: str) -> str:
    if True in states:
        return yes
    return unknown if None in states else no


def evaluate(ruleset: RuleSet, answers: Answers) -> Decision:
    """Match answers to indications, barriers and the safety screen; apply the verdict policy."""
    policy = ruleset.policy
    reasons: list[Reason] = []
    state = asked(ruleset, answers)
    missing = tuple(q for q in ruleset.required if state[q] and answers.get(q) is None)

    condition = answers.get("condition")
    limb = answers.get("limb")
    indication = ruleset.indications.get(str(condition)) if condition is not None else None
    grade = None
    if condition is None:
        indication_fact = "unknown"
    elif indication is None:
        indication_fact = "none"
    else:
        # A grade belongs to the limb it was studied in (README §3): grade by the trained limb.
        grades = (
            {indication.grade_for(str(limb))}
            if limb is not None
            else {indication.grade_for(choice) for choice in indication.limbs}
        )
        graded = {g in policy.first_line_grades for g in grades}
        indication_fact = (
            "unknown" if len(graded) > 1 else "graded" if True in graded else "ungraded"
        )
        grade = grades.pop() if len(grades) == 1 else None
        reasons.append(
            Reason(
                f"ind_{indication.id}", "indication", "met", _cited(answers, ("condition", "limb"))
            )
        )

    barrier_states: list[Tri] = []
    for barrier in ruleset.barriers:
        found, decided_by = _test(ruleset, answers, barrier.when, state)
        barrier_states.append(found)
        if found is not False:
            cited = _cited(
                answers,
                decided_by + tuple(d for d in barrier.details if answers.get(d) is not None),
            )
            reasons.append(Reason(barrier.id, "barrier", "met" if found else "unknown", cited))

    trained = TRAINED_LIMBS.get(str(limb), ()) if limb is not None else ()
    clearance_states: list[Tri] = []
    local_states: list[Tri] = []
    blocked: set[str] = set()
    clot_points = 0
    urgent = False
    for item in ruleset.items:
        if item.limbs_from is not None:
            given = answers.get(item.limbs_from)
            if given == ("none",) or state[item.limbs_from] is False:
                continue
            if given is None or given == (DONT_KNOW,) or not isinstance(given, tuple):
                unknown_counts = policy.local_unknown_is_trained_limb
                local_states.append(None if unknown_counts else False)
                if unknown_counts:
                    blocked.update(trained)
                reasons.append(
                    Reason(item.id, "local", "unknown", _cited(answers, (item.limbs_from,)))
                )
                continue
            on_trained = bool(set(given) & set(trained)) if trained else None
            blocked.update(set(given) & set(trained))
            local_states.append(on_trained)
            reasons.append(
                Reason(
                    item.id,
                    "local",
                    "met",
                    _cited(answers, (item.limbs_from, "limb")),
                    given,
                    on_trained,
                )
            )
            continue
        assert item.when is not None  # every non-local item has one: checked at load
        hit, decided_by = _test(ruleset, answers, item.when, state)
        if item.tier == "clearance":
            clearance_states.append(hit)
        if hit is not False:
            met: State = "met" if hit else "unknown"
            cited = _cited(answers, decided_by)
            if item.tier == "clearance":
                reasons.append(Reason(item.id, "clearance", met, cited))
            else:
                reasons.append(Reason(item.id, "precaution", met, cited))
        if hit is True:
            clot_points += item.clot_points
        if item.urgent and hit is True:
            urgent = True
        elif item.urgent and hit is None and item.urgent_if_unknown_when is not None:
            urgent = (
                urgent or _test(ruleset, answers, item.urgent_if_unknown_when, state)[0] is True
            )

    for benefit in (i for i in ruleset.indications.values() if i.kind == "benefit"):
        assert benefit.when is not None  # every benefit has one: checked at load
        met_benefit, decided_by = _test(ruleset, answers, benefit.when, state)
        if met_benefit is True:
            reasons.append(
                Reason(f"ind_{benefit.id}", "benefit", "met", _cited(answers, decided_by))
            )

    facts = {
        "clearance": _tri_fact(clearance_states, "hit", "unknown", "clear"),
        "indication": indication_fact,
        "barrier": _tri_fact(barrier_states, "yes", "unknown", "no"),
        "local_on_trained": _tri_fact(local_states, "yes", "unknown", "no"),
    }
    verdict, rule = policy.fallback, "policy_fallback"
    for row in policy.rows:
        if all(facts[fact] in values for fact, values in row.when):
            verdict, rule = row.verdict, row.id
            break
    reasons.insert(0, Reason(rule, "policy", "met"))

    return Decision(
        verdict=verdict,
        verdict_rule=rule,
        facts=tuple(facts.items()),
        reasons=tuple(reasons),
        indication=indication.id if indication is not None else None,
        trained_limbs=trained,
        clot_risk_points=clot_points,
        missing=missing,
        provenance=Provenance(
            app_version(), policy.ruleset_version, policy.id, policy.version, ruleset.sha256
        ),
        grade=grade,
        evidence_limbs=indication.limb_groups if indication is not None else (),
        urgent=urgent,
        blocked_limbs=tuple(t for t in trained if t in blocked),
        open_limbs=tuple(t for t in trained if t not in blocked),
    )
