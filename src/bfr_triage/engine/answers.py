"""Turn raw answers (from JSON, a form or a test) into validated, immutable Answers."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from .errors import AnswersError, FieldError
from .evaluate import asked, holds
from .model import DONT_KNOW, Answers, Question, RuleSet, Tri, Value


def accepts(question: Question) -> str:
    """Say in one line what a question accepts, for error messages and the API."""
    if question.type == "integer":
        extra = ' or "dont_know"' if question.dont_know else ""
        return f"a whole number from {question.min} to {question.max}{extra}"
    values = ", ".join(question.values)
    if question.type == "multi":
        alone = (
            f" ({', '.join(question.exclusive)} only on their own)" if question.exclusive else ""
        )
        return f"a non-empty list of: {values}{alone}"
    return f"one of: {values}"


def _check(question: Question, value: object) -> Value | None:
    """Return the value if the question accepts it, else None. Never coerce "1" to 1."""
    kind = question.type
    if kind == "choice":  # most questions
        return value if isinstance(value, str) and value in question.values else None
    if kind == "integer":
        if question.dont_know and value == DONT_KNOW:
            return DONT_KNOW
        if isinstance(value, int) and not isinstance(value, bool):
            low, high = question.min or 0, question.max or 0  # both set: checked at load
            return value if low <= value <= high else None
        return None
    if not isinstance(value, list | tuple) or not value:
        return None
    if not all(isinstance(v, str) and v in question.values for v in value):
        return None
    if len(set(value)) != len(value):
        return None
    if len(value) > 1 and set(value) & set(question.exclusive):
        return None
    return tuple(str(v) for v in value)


def parse_answers(ruleset: RuleSet, raw: Mapping[str, object]) -> Answers:
    """Validate answers against the question vocabulary; raise AnswersError naming each bad one."""
    errors: list[FieldError] = []
    values: dict[str, Value] = {}
    for qid, value in raw.items():
        question = ruleset.questions.get(qid)
        if question is None:
            close = difflib.get_close_matches(qid, list(ruleset.questions), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(
                FieldError(qid, f"unknown question{hint}", "a question id from the catalogue")
            )
            continue
        if value is None and question.optional:
            continue
        checked = _check(question, value)
        if checked is None:
            errors.append(FieldError(qid, f"not accepted: {value!r}", accepts(question)))
        else:
            values[qid] = checked
    if errors:
        raise AnswersError(errors)
    answers = Answers(values)
    errors = _refused(ruleset, answers)
    if errors:
        raise AnswersError(errors)
    return answers


def _shown(question: Question, value: Value) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def _refused(
    ruleset: RuleSet, answers: Answers, state: dict[str, Tri] | None = None
) -> list[FieldError]:
    """Answers to questions that are not asked, and answers that contradict each other.
    `state`: what `asked` says for these answers, if already known."""
    errors: list[FieldError] = []
    state = asked(ruleset, answers) if state is None else state
    for qid in answers.values:
        question = ruleset.questions[qid]
        if state[qid] is False and question.ask_when is not None:
            given = " and ".join(
                f"{q} is {_shown(ruleset.questions[q], answers.values[q])!r}"
                if q in answers.values
                else f"{q} is not asked"
                for q in question.ask_when.questions
            )
            errors.append(
                FieldError(qid, f"not asked when {given}: leave it out", "no answer here")
            )
    for rule in ruleset.contradictions:
        if holds(ruleset, answers, rule.when):
            first, second = rule.when.questions
            both = (
                f"{first} {_shown(ruleset.questions[first], answers.values[first])!r} and "
                f"{second} {_shown(ruleset.questions[second], answers.values[second])!r}"
            )
            errors.append(
                FieldError(
                    first, f"{both} contradict each other: {rule.text}", "answers that agree"
                )
            )
    condition, limb = answers.get("condition"), answers.get("limb")
    indication = ruleset.indications.get(str(condition))
    if indication is not None and limb is not None and limb not in indication.limbs:
        errors.append(
            FieldError(
                "limb",
                f"{condition!r} has no grade for {limb!r}: "
                f"choose one of {', '.join(indication.limbs)}",
                ", ".join(indication.limbs),
            )
        )
    return errors


def open_values(ruleset: RuleSet, answers: Answers, question: Question) -> tuple[str, ...]:
    """Return the values of a choice that the answers to the questions before it leave open.

    A value is closed when, with those answers, `parse_answers` would refuse it: a limb the
    condition has no grade for, or one side of a contradiction (a leg with "not relevant: it is an
    arm"). Pages offer only the open values; the API refuses the others with the same rule.
    """
    if question.type != "choice" or question.id not in ruleset.constrained:
        return question.values
    before = list(ruleset.questions)[: list(ruleset.questions).index(question.id)]
    earlier = {q: answers.values[q] for q in before if q in answers.values}
    # Whether this question and those before it are asked depends only on the answers before
    # it (ask_when tests only earlier questions): the same for every value, worked out once.
    state = asked(ruleset, Answers(earlier))
    return tuple(
        v
        for v in question.values
        if not _refused(ruleset, Answers({**earlier, question.id: v}), state)
    )
