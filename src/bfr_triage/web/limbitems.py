"""The limb-local safety items as one question, then where each applies (patient-flow.md, 7–8).

A page whose questions all ask "which arm or leg?" (the items of rules/questions.toml's
`limb_safety` page) is asked in two steps instead of a grid of checkboxes: "Does any of these apply
to an arm or leg?" (the items, "None of these", "I don't know"), then, for the items ticked only,
which arm or leg. The answers stay the engine's: one list of limbs per item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..engine import Question
from ..engine.model import DONT_KNOW, LIMBS, Page, RuleSet, Value
from ..i18n import gettext
from . import messages
from .fieldview import FieldView, OptionView
from .forms import label_map, question_text

NONE = "none"
FIELD = "items"  # the first step's checkboxes; also the hidden field carrying what was ticked
WHERE = "where"  # the second step


def is_limb_grid(rs: RuleSet, page: Page) -> bool:
    """Return whether every question of `page` asks which limbs an item applies to."""
    wanted = {*LIMBS, NONE, DONT_KNOW}
    questions = [rs.questions[q] for q in page.questions]
    return bool(questions) and all(q.type == "multi" and set(q.values) == wanted for q in questions)


def ticked(questions: Sequence[Question], answers: Mapping[str, Value]) -> tuple[str, ...]:
    """Return what the first step shows ticked for these answers (nothing if unanswered)."""
    given = [answers.get(q.id) for q in questions]
    if any(v is None for v in given):
        return ()
    if all(v == (NONE,) for v in given):
        return (NONE,)
    if all(v == (DONT_KNOW,) for v in given):
        return (DONT_KNOW,)
    return tuple(q.id for q, v in zip(questions, given, strict=True) if v != (NONE,))


def items_field(
    questions: Sequence[Question], audience: str, chosen: Sequence[str], error: str = ""
) -> FieldView:
    """Describe the first step: one checkbox per item, then "None of these" or "I don't know"."""
    options = [
        OptionView(f"items-{q.id}", q.id, question_text(q, audience), "", q.id in chosen, False)
        for q in questions
    ]
    options += [
        OptionView("items-none", NONE, gettext("None of these"), "", NONE in chosen, True),
        OptionView(
            "items-dont_know", DONT_KNOW, gettext("I don't know"), "", DONT_KNOW in chosen, False
        ),
    ]
    legend = gettext("Does any of these apply to an arm or leg?")
    hint = gettext("Tick all that apply.")
    return FieldView(FIELD, "checkboxes", legend, hint, error, (("", tuple(options)),), "", False)


def items_error(chosen: Sequence[str], known: set[str]) -> str:
    """Return what is wrong with the first step's ticks ("" when nothing is)."""
    if not chosen or not set(chosen) <= {*known, NONE, DONT_KNOW}:
        return str(messages.MANDATORY_ITEMS)
    if len(chosen) > 1 and ({NONE, DONT_KNOW} & set(chosen)):
        return str(messages.ITEMS_OR_NONE)
    return ""


def where_fields(
    questions: Sequence[Question],
    audience: str,
    chosen: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
) -> list[FieldView]:
    """Describe the second step: for each item ticked, the limbs and "I don't know"."""
    fields = []
    for q in questions:
        labels = label_map(q, audience)
        picked = chosen.get(q.id, ())
        options = tuple(
            OptionView(f"{q.id}-{v}", v, labels[v], "", v in picked, v == DONT_KNOW)
            for v in (*LIMBS, DONT_KNOW)
        )
        legend = question_text(q, audience)
        error = errors.get(q.id, "")
        fields.append(FieldView(q.id, "checkboxes", legend, "", error, (("", options),), "", True))
    return fields


def where_error(values: Sequence[str]) -> str:
    """Return what is wrong with one item's limbs ("" when nothing is)."""
    if not values or not set(values) <= {*LIMBS, DONT_KNOW}:
        return str(messages.MANDATORY_WHERE)
    if len(values) > 1 and DONT_KNOW in values:
        return str(messages.WHERE_OR_DONT_KNOW)
    return ""


def answers_for(
    questions: Sequence[Question], chosen: Sequence[str], where: Mapping[str, Sequence[str]]
) -> dict[str, Value]:
    """Return the engine's answers: limbs for the items ticked, "none" for the others."""
    if list(chosen) in ([NONE], [DONT_KNOW]):
        return {q.id: (chosen[0],) for q in questions}
    return {q.id: tuple(where.get(q.id, ())) if q.id in chosen else (NONE,) for q in questions}


def summary(questions: Sequence[Question], audience: str, answers: Mapping[str, Value]) -> str:
    """Return the answers read back as one line: "None of these", or each item with its limbs."""
    shown = ticked(questions, answers)
    if shown in ((NONE,), (DONT_KNOW,)):
        return gettext("None of these") if shown == (NONE,) else gettext("I don't know")
    parts = []
    for q in questions:
        if q.id in shown:
            labels = label_map(q, audience)
            value = answers.get(q.id) or ()
            limbs = ", ".join(labels[v] for v in value if isinstance(value, tuple))
            parts.append(f"{question_text(q, audience)}: {limbs}")
    return "; ".join(parts)
