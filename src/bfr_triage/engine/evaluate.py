"""Evaluate validated answers against a rule set into one immutable Decision."""

from __future__ import annotations

from functools import cache
from importlib import metadata

from .model import (
    DONT_KNOW,
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

TRAINED_LIMBS = {
    "left_leg": ("left_leg",),
    "right_leg": ("right_leg",),
    "both_legs": ("left_leg", "right_leg"),
    "left_arm": ("left_arm",),
    "right_arm": ("right_arm",),
    "both_arms": ("left_arm", "right_arm"),
}


@cache
def app_version() -> str:
    try:
        return metadata.version("bfr-triage")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def _test(ruleset: RuleSet, answers: Answers, condition: Condition) -> tuple[Tri, tuple[str, ...]]:
    """Return the three-valued result of a condition and the questions that decided it."""
    met: list[str] = []  # questions whose clause is true
    unknown: list[str] = []  # questions whose clause cannot be decided
    refuted = False  # some clause is false
    given = answers.values
    for clause in condition.clauses:
        answer = given.get(clause.question)
        result: Tri
        if answer is None:
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
    missing = tuple(q for q in ruleset.required if answers.get(q) is None)

    condition = answers.get("condition")
    indication = ruleset.indications.get(str(condition)) if condition is not None else None
    if condition is None:
        indication_fact = "unknown"
    elif indication is None:
        indication_fact = "none"
    else:
        graded = indication.grade in policy.first_line_grades
        indication_fact = "graded" if graded else "ungraded"
        reasons.append(
            Reason(f"ind_{indication.id}", "indication", "met", _cited(answers, ("condition",)))
        )

    barrier_states: list[Tri] = []
    for barrier in ruleset.barriers:
        state, decided_by = _test(ruleset, answers, barrier.when)
        barrier_states.append(state)
        if state is not False:
            cited = _cited(
                answers,
                decided_by + tuple(d for d in barrier.details if answers.get(d) is not None),
            )
            reasons.append(Reason(barrier.id, "barrier", "met" if state else "unknown", cited))

    limb = answers.get("limb")
    trained = TRAINED_LIMBS.get(str(limb), ()) if limb is not None else ()
    clearance_states: list[Tri] = []
    local_states: list[Tri] = []
    clot_points = 0
    for item in ruleset.items:
        if item.limbs_from is not None:
            given = answers.get(item.limbs_from)
            if given == ("none",):
                continue
            if given is None or given == (DONT_KNOW,) or not isinstance(given, tuple):
                unknown_counts = policy.local_unknown_is_trained_limb
                local_states.append(None if unknown_counts else False)
                reasons.append(
                    Reason(item.id, "local", "unknown", _cited(answers, (item.limbs_from,)))
                )
                continue
            on_trained = bool(set(given) & set(trained)) if trained else None
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
        state, decided_by = _test(ruleset, answers, item.when)
        if item.tier == "clearance":
            clearance_states.append(state)
        if state is not False:
            met: State = "met" if state else "unknown"
            cited = _cited(answers, decided_by)
            if item.tier == "clearance":
                reasons.append(Reason(item.id, "clearance", met, cited))
            else:
                reasons.append(Reason(item.id, "precaution", met, cited))
        if state is True:
            clot_points += item.clot_points

    for benefit in (i for i in ruleset.indications.values() if i.kind == "benefit"):
        assert benefit.when is not None  # every benefit has one: checked at load
        state, decided_by = _test(ruleset, answers, benefit.when)
        if state is True:
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
    )
