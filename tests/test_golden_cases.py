"""Golden clinical cases: each file pins the verdict and the exact rules that fire.

Guards the hazard that a change to rules/ or the engine silently changes a clinical answer.
"""

from __future__ import annotations

import pytest
from golden import CASES, Case

from bfr_triage.engine import RuleSet, evaluate, parse_answers


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_golden_case(ruleset: RuleSet, case: Case) -> None:
    decision = evaluate(ruleset, parse_answers(ruleset, case.answers))
    assert decision.verdict == case.verdict, case.source
    assert set(decision.fired) == case.fired, case.source
    if case.notices is not None:
        assert set(decision.notices) == case.notices, case.source
    if case.urgent is not None:
        assert decision.urgent is case.urgent, case.source
    if case.limbs_not_to_cuff is not None:
        assert decision.blocked_limbs == case.limbs_not_to_cuff, case.source


def test_every_notice_appears_in_a_case(ruleset: RuleSet) -> None:
    covered = set().union(*(c.notices or () for c in CASES))
    assert {n.id for n in ruleset.policy.notices} - covered == set()


def test_every_rule_id_appears_in_a_case(ruleset: RuleSet) -> None:
    covered = set().union(*(c.fired for c in CASES))
    assert set(ruleset.rule_ids) - covered == set()


def test_every_verdict_appears_in_a_case() -> None:
    assert {c.verdict for c in CASES} == {
        "needs_clearance",
        "first_line",
        "consider",
        "not_indicated",
    }


def test_every_question_id_is_used_by_a_rule(ruleset: RuleSet) -> None:
    used = {"condition", "limb"}  # read by the engine itself: indication and limb to be trained
    for rule in [*ruleset.barriers, *ruleset.items, *ruleset.indications.values()]:
        when = getattr(rule, "when", None)
        if when is not None:
            used.update(when.questions)
    used.update(q for n in ruleset.policy.notices if n.when for q in n.when.questions)
    used.update(d for b in ruleset.barriers for d in b.details)
    used.update(i.limbs_from for i in ruleset.items if i.limbs_from)
    assert set(ruleset.questions) - used == set()


def test_every_case_says_where_it_comes_from() -> None:
    assert all(len(c.source) > 20 for c in CASES)


def test_every_case_is_valid_for_the_vocabulary(ruleset: RuleSet) -> None:
    for case in CASES:
        parse_answers(ruleset, case.answers)  # raises on an answer the vocabulary does not allow
