"""Clinical hazards the engine must never allow, checked across every golden case.

- a clearance item answered yes or don't know never yields first_line;
- an unanswered clearance or limb item is never read as "no";
- a precaution never changes the verdict;
- a limb-local item on another limb names that limb and leaves the verdict alone; on the limb to be
  trained it turns first_line into consider;
- early post-operative status shows both the loading barrier and the clot-risk precaution;
- the knee-pain honesty note is always carried.
"""

from __future__ import annotations

import dataclasses

import pytest
from golden import CASES

from bfr_triage.engine import RuleSet, decision_to_dict, evaluate, parse_answers

CLEARANCE_QUESTIONS = [
    "prior_clot", "clot_signs", "clotting_disorder", "cancer", "leg_paralysis", "high_bp",
    "heart_disease", "poor_circulation", "pregnancy", "sickle_cell", "acute_illness",
]  # fmt: skip
LIMB_QUESTIONS = [
    "wound_limbs",
    "infection_limbs",
    "lymph_limbs",
    "fistula_limbs",
    "swelling_limbs",
    "numbness_limbs",
    "flare_limbs",  # v2
    "cuff_site_fracture_limbs",  # v2
]
FIRST_LINE = [c for c in CASES if c.verdict == "first_line"]
OTHER_LIMB = {
    "left_leg": "right_arm",
    "right_arm": "left_leg",
    "left_arm": "right_leg",
    "both_legs": "left_arm",
    "right_leg": "left_arm",
    "both_arms": "right_leg",
}


def _decide(ruleset: RuleSet, answers: dict[str, object]):  # type: ignore[no-untyped-def]
    return evaluate(ruleset, parse_answers(ruleset, answers))


@pytest.mark.parametrize("question", CLEARANCE_QUESTIONS)
@pytest.mark.parametrize("answer", ["yes", "dont_know"])
def test_clearance_item_yes_or_dont_know_never_yields_first_line(
    ruleset: RuleSet, question: str, answer: str
) -> None:
    for case in CASES:
        decision = _decide(ruleset, {**case.answers, question: answer})
        assert decision.verdict == "needs_clearance", case.name
        reason = next(r for r in decision.of_kind("clearance") if r.rule == f"clear_{question}")
        # don't know stays unknown unless another answer (a measured blood pressure) decides it
        assert reason.state == "met" if answer == "yes" else reason.state in ("unknown", "met")


def test_surgery_in_the_last_week_needs_clearance_in_every_case(ruleset: RuleSet) -> None:
    for case in CASES:
        assert (
            _decide(ruleset, {**case.answers, "surgery": "last_7_days"}).verdict
            == "needs_clearance"
        )


@pytest.mark.parametrize(
    "question", CLEARANCE_QUESTIONS + LIMB_QUESTIONS + ["condition", "surgery"]
)
def test_an_unanswered_safety_or_condition_question_never_yields_first_line(
    ruleset: RuleSet, question: str
) -> None:
    for case in FIRST_LINE:
        answers = {k: v for k, v in case.answers.items() if k != question}
        decision = _decide(ruleset, answers)
        assert decision.verdict != "first_line", case.name
        assert question in decision.missing


@pytest.mark.parametrize(
    "precautions",
    [
        {"age_60": "yes"},
        {"icu_recent": "yes"},
        {"risk_factors": ["diabetes", "kidney_disease", "rheumatoid_arthritis", "controlled_hypertension",
                          "oestrogen", "varicose_veins", "smoking", "obesity", "anabolic_steroids"]},
        {"age_60": "no", "icu_recent": "dont_know", "risk_factors": ["none"]},
        {"blood_thinners": "yes"},  # v2
        {"blood_thinners": "dont_know", "risk_factors": ["dont_know"]},  # v2: "don't know" too
        {"bp_systolic": 179, "bp_diastolic": 109},  # v2: a measured blood pressure below 180/110
    ],
)  # fmt: skip
def test_a_precaution_never_changes_the_verdict(
    ruleset: RuleSet, precautions: dict[str, object]
) -> None:
    for case in CASES:
        if any(k.startswith("bp_") and k in case.answers for k in precautions):
            continue  # the case's own reading decides its verdict: not replaced by another
        assert _decide(ruleset, {**case.answers, **precautions}).verdict == case.verdict, case.name


@pytest.mark.parametrize("question", LIMB_QUESTIONS)
def test_limb_item_on_another_limb_names_it_and_keeps_the_verdict(
    ruleset: RuleSet, question: str
) -> None:
    for case in FIRST_LINE:
        other = OTHER_LIMB[case.answers["limb"]]
        decision = _decide(ruleset, {**case.answers, question: [other]})
        assert decision.verdict == "first_line", case.name
        local = next(r for r in decision.of_kind("local") if r.answers[0][0] == question)
        assert local.limbs == (other,) and local.on_trained_limb is False


@pytest.mark.parametrize("question", LIMB_QUESTIONS)
def test_limb_item_on_the_trained_limb_turns_first_line_into_consider(
    ruleset: RuleSet, question: str
) -> None:
    for case in FIRST_LINE:
        limb = (
            case.answers["limb"].replace("both_legs", "right_leg").replace("both_arms", "left_arm")
        )
        decision = _decide(ruleset, {**case.answers, question: [limb]})
        assert decision.verdict == "consider", case.name
        assert decision.verdict_rule == "policy_local_on_trained_limb"
        local = next(r for r in decision.of_kind("local") if r.answers[0][0] == question)
        assert local.on_trained_limb is True


def test_early_post_operative_shows_barrier_and_clot_precaution(ruleset: RuleSet) -> None:
    case = next(c for c in CASES if c.name == "early_post_operative")
    data = decision_to_dict(ruleset, _decide(ruleset, case.answers))
    assert [b["rule"] for b in data["loading_barriers"]] == ["barrier_post_operative"]
    assert [p["rule"] for p in data["safety"]["precautions"]] == ["prec_recent_surgery"]
    assert "clot" in data["safety"]["precautions"][0]["action"]


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_knee_pain_carries_its_honesty_note(ruleset: RuleSet, audience: str) -> None:
    case = next(c for c in CASES if c.name == "indication_knee_pain")
    data = decision_to_dict(ruleset, _decide(ruleset, case.answers), audience)
    assert "no added clinical benefit" in data["indication"]["honesty_note"]
    assert data["indication"]["sources"][0]["doi"] == "10.1016/j.bjpt.2020.03.001"


def test_clot_risk_points_are_summed_from_nascimento_table_3(ruleset: RuleSet) -> None:
    case = next(c for c in CASES if c.name == "clot_points_summed")
    decision = _decide(ruleset, case.answers)
    assert decision.clot_risk_points == 3 + 2 + 1 + 1  # previous clot, cancer, age 60+, immobilised


def test_dont_know_is_not_counted_as_clot_risk_points(ruleset: RuleSet) -> None:
    case = next(c for c in CASES if c.name == "clearance_dont_know")
    assert _decide(ruleset, case.answers).clot_risk_points == 0


def test_decision_is_immutable_and_carries_provenance(ruleset: RuleSet) -> None:
    decision = _decide(ruleset, CASES[0].answers)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.verdict = "first_line"  # type: ignore[misc]
    assert decision.provenance.rules_sha256 == ruleset.sha256
    assert decision.provenance.ruleset_version == ruleset.policy.ruleset_version
    assert decision.provenance.app_version


def test_missing_lists_only_required_questions_not_answered(ruleset: RuleSet) -> None:
    decision = _decide(ruleset, {"condition": "acl"})
    assert "limb" in decision.missing and "condition" not in decision.missing
    assert "bp_systolic" not in decision.missing  # optional clinician precision is never "missing"
