"""Evaluate validated answers against a rule set into one immutable Decision."""

from __future__ import annotations

from functools import cache
from importlib import metadata

from .model import (
    DONT_KNOW,
    TRAINED_LIMBS,
    Answers,
    Clause,
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
    state: dict[str, Tri] = dict.fromkeys(ruleset.questions, True)
    for qid, when in ruleset.ask_conditions:  # ask_when tests only earlier questions
        state[qid] = _test(ruleset, answers, when, state)[0]
    return state


def _clause(
    ruleset: RuleSet, given: dict[str, Value], clause: Clause, state: dict[str, Tri] | None
) -> Tri:
    """Return the three-valued result of one clause (see _test)."""
    qid = clause.question
    if state is not None and state.get(qid) is False:
        return False
    answer = given.get(qid)
    if answer is None:
        return False if ruleset.questions[qid].optional else None
    if answer == DONT_KNOW or answer == (DONT_KNOW,):
        return None
    value = clause.value
    if clause.param is not None:
        value = ruleset.policy.parameters[clause.param].value
    return OPERATORS[clause.op][0](answer, value)


def _test(
    ruleset: RuleSet, answers: Answers, condition: Condition, state: dict[str, Tri] | None = None
) -> tuple[Tri, tuple[str, ...]]:
    """Return the three-valued result of a condition and the questions that decided it.
    A clause on a question that is not asked is false; on one not known to be asked, unknown."""
    given = answers.values
    clauses = condition.clauses
    if len(clauses) == 1:  # most conditions: "any" and "all" of one clause agree
        result = _clause(ruleset, given, clauses[0], state)
        if result is True or result is None:
            return result, (clauses[0].question,)
        return False, ()
    met: list[str] = []  # questions whose clause is true
    unknown: list[str] = []  # questions whose clause cannot be decided
    refuted = False  # some clause is false
    for clause in clauses:
        result = _clause(ruleset, given, clause, state)
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


def _cited(
    given: dict[str, Value], questions: tuple[str, ...]
) -> tuple[tuple[str, Value | None], ...]:
    return tuple((q, given.get(q)) for q in questions)


def _tri_fact(states: list[Tri], yes: str, unknown: str, no: str) -> str:
    if True in states:
        return yes
    return unknown if None in states else no


def evaluate(ruleset: RuleSet, answers: Answers) -> Decision:
    """Match answers to indications, barriers and the safety screen; apply the verdict policy."""
    policy = ruleset.policy
    reasons: list[Reason] = []
    state = asked(ruleset, answers)
    given = answers.values
    missing = tuple(q for q in ruleset.required if q not in given and state[q])

    condition = given.get("condition")
    limb = given.get("limb")
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
                f"ind_{indication.id}", "indication", "met", _cited(given, ("condition", "limb"))
            )
        )

    barrier_states: list[Tri] = []
    for barrier in ruleset.barriers:
        found, decided_by = _test(ruleset, answers, barrier.when, state)
        barrier_states.append(found)
        if found is not False:
            cited = _cited(
                given,
                decided_by + tuple(d for d in barrier.details if given.get(d) is not None),
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
            limbs = given.get(item.limbs_from)
            if limbs == ("none",) or state[item.limbs_from] is False:
                continue
            if limbs is None or limbs == (DONT_KNOW,) or not isinstance(limbs, tuple):
                unknown_counts = policy.local_unknown_is_trained_limb
                local_states.append(None if unknown_counts else False)
                if unknown_counts:
                    blocked.update(trained)
                reasons.append(
                    Reason(item.id, "local", "unknown", _cited(given, (item.limbs_from,)))
                )
                continue
            on_trained = bool(set(limbs) & set(trained)) if trained else None
            blocked.update(set(limbs) & set(trained))
            local_states.append(on_trained)
            reasons.append(
                Reason(
                    item.id,
                    "local",
                    "met",
                    _cited(given, (item.limbs_from, "limb")),
                    limbs,
                    on_trained,
                )
            )
            continue
        assert item.when is not None  # every non-local item has one: checked at load
        hit, decided_by = _test(ruleset, answers, item.when, state)
        if item.unless is not None and _test(ruleset, answers, item.unless, state)[0] is True:
            hit = False  # e.g. a reading in the clearance range is not also a precaution
        if item.tier == "clearance":
            clearance_states.append(hit)
        if hit is not False:
            met: State = "met" if hit else "unknown"
            cited = _cited(given, decided_by)
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
            reasons.append(Reason(f"ind_{benefit.id}", "benefit", "met", _cited(given, decided_by)))

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
    notices = tuple(
        n.id
        for n in policy.notices
        if (not n.verdicts or verdict in n.verdicts)
        and (n.when is None or _test(ruleset, answers, n.when, state)[0] is True)
    )

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
        notices=notices,
    )
