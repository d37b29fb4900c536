"""Answers are validated against the vocabulary, with no coercion and a message per bad field."""

from __future__ import annotations

import pytest

from bfr_triage.engine import AnswersError, RuleSet, accepts, parse_answers


@pytest.mark.parametrize(
    ("question", "value"),
    [
        pytest.param("pain_heavy", "5", id="string-for-integer"),
        pytest.param("pain_heavy", 5.0, id="float-for-integer"),
        pytest.param("pain_heavy", True, id="bool-for-integer"),
        pytest.param("pain_heavy", -1, id="below-range"),
        pytest.param("pain_heavy", 11, id="above-range"),
        pytest.param("bp_systolic", "dont_know", id="dont-know-where-not-offered"),
        pytest.param("limb", "Left_leg", id="wrong-case"),
        pytest.param("limb", ["left_leg"], id="list-for-choice"),
        pytest.param("risk_factors", [], id="empty-multi"),
        pytest.param("risk_factors", ["smoking", "smoking"], id="duplicate-in-multi"),
        pytest.param("risk_factors", ["none", "smoking"], id="exclusive-with-other"),
        pytest.param("wound_limbs", "left_leg", id="string-for-multi"),
        pytest.param("age_60", "dont_know", id="option-not-in-set"),
    ],
)
def test_bad_answer_is_rejected_naming_the_field(
    ruleset: RuleSet, question: str, value: object
) -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(ruleset, {question: value})
    (error,) = caught.value.errors
    assert error.field == question
    assert error.accepts == accepts(ruleset.questions[question])


@pytest.mark.parametrize(
    ("question", "value", "parsed"),
    [
        pytest.param("pain_heavy", 0, 0, id="lowest"),
        pytest.param("pain_heavy", 10, 10, id="highest"),
        pytest.param("pain_heavy", "dont_know", "dont_know", id="dont-know"),
        pytest.param("risk_factors", ["smoking", "obesity"], ("smoking", "obesity"), id="multi"),
        pytest.param("wound_limbs", ["dont_know"], ("dont_know",), id="exclusive-alone"),
    ],
)
def test_good_answer_is_accepted(
    ruleset: RuleSet, question: str, value: object, parsed: object
) -> None:
    assert parse_answers(ruleset, {question: value}).get(question) == parsed


def test_optional_question_may_be_null(ruleset: RuleSet) -> None:
    assert parse_answers(ruleset, {"bp_systolic": None}).get("bp_systolic") is None


def test_unknown_question_suggests_the_near_one(ruleset: RuleSet) -> None:
    with pytest.raises(AnswersError, match="did you mean 'pain_heavy'"):
        parse_answers(ruleset, {"pain_heavey": 3})


def test_accepts_describes_each_type(ruleset: RuleSet) -> None:
    assert accepts(ruleset.questions["pain_heavy"]) == 'a whole number from 0 to 10 or "dont_know"'
    assert accepts(ruleset.questions["age_60"]) == "one of: under_18, no, yes"  # v2: an age band
    assert "(none, dont_know only on their own)" in accepts(ruleset.questions["wound_limbs"])
