"""Build WTForms forms from the question data in rules/: one field factory for every page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import current_app
from wtforms import Form, IntegerField, RadioField, SelectMultipleField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..engine import AnswersError, Question, parse_answers
from ..engine.model import DONT_KNOW, Value
from ..extensions import ruleset
from ..i18n import catalogue, gettext, rule_text
from . import messages

WHOLE_NUMBER = re.compile(r"\s*-?[0-9]{1,6}\s*")
SCALE_SPAN = 10  # an integer question this narrow is asked as radio buttons, never a slider


class MultiCheckbox(SelectMultipleField):
    """Tick any number of boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WholeNumber(IntegerField):
    """A whole number typed in; remembers a non-number instead of raising WTForms' own message."""

    not_a_number = False

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
        elif WHOLE_NUMBER.fullmatch(str(valuelist[0])):
            self.data = int(valuelist[0])
        else:
            self.data, self.not_a_number = None, True


def is_scale(q: Question) -> bool:
    return q.type == "integer" and (q.max or 0) - (q.min or 0) <= SCALE_SPAN


def question_text(q: Question, audience: str) -> str:
    """Return the question in the audience's wording, translated."""
    text = q.clinician_text if audience == "clinician" else q.text
    return gettext(text)


def option_labels(q: Question, audience: str) -> tuple[tuple[str, str], ...]:
    """Return (value, translated label) pairs, a scale's numbers included."""
    return catalogue().memo(("options", q.id, audience), lambda: _option_labels(q, audience))


def label_map(q: Question, audience: str) -> dict[str, str]:
    """Return {value: translated label} (shared: read it, never change it)."""
    return catalogue().memo(("labels", q.id, audience), lambda: dict(option_labels(q, audience)))


def _option_labels(q: Question, audience: str) -> tuple[tuple[str, str], ...]:
    if is_scale(q):
        dont_know = [(DONT_KNOW, dont_know_label(audience))] if q.dont_know else []
        return tuple([(str(n), str(n)) for n in range(q.min or 0, (q.max or 0) + 1)] + dont_know)
    clinician = audience == "clinician"
    return tuple((o.value, gettext(o.clinician_label if clinician else o.label)) for o in q.options)


def dont_know_label(audience: str) -> str:
    return gettext("Unknown") if audience == "clinician" else gettext("I don't know")


Check = Callable[[Form, Any], None]


def question_error(q: Question, audience: str) -> str:
    """Return the question's own message for "not answered", in the audience's wording."""
    return rule_text(q.clinician_error if audience == "clinician" else q.error)


def _range_error(q: Question) -> str:
    """Return the message for a number out of range or not a number: the question's own if given."""
    words = {"min": q.min, "max": q.max}
    return gettext(q.range_error, **words) if q.range_error else messages.NOT_A_NUMBER % words


def _validator(q: Question, audience: str) -> Check:
    """Return the one validator of a question: its own messages from rules/, else `messages`."""

    def check(form: Form, field: Any) -> None:
        data = field.data
        if getattr(field, "not_a_number", False):
            raise StopValidation(_range_error(q))
        if data in (None, "", []):
            raise StopValidation("" if q.optional else question_error(q, audience))
        if q.type == "multi":
            if not set(data) <= set(q.values):
                raise StopValidation(str(messages.INVALID_CHOICE))
            alone = [v for v in data if v in q.exclusive]
            if alone and len(data) > 1:
                option = label_map(q, audience)[alone[0]]
                raise StopValidation(messages.EXCLUSIVE_CHOICE % {"option": option})
        elif q.type == "choice" or is_scale(q):
            if data not in label_map(q, audience):
                raise StopValidation(str(messages.INVALID_CHOICE))
        elif not (q.min or 0) <= data <= (q.max or 0):
            raise StopValidation(_range_error(q))

    return check


def make_field(q: Question, audience: str) -> Any:
    """Return an unbound WTForms field for one question."""
    kwargs: dict[str, Any] = {"validators": [_validator(q, audience)]}
    # Values only: the macros render the labels (grouped, with hints), translated at render time.
    values = [value for value, _ in option_labels(q, audience)]
    if q.type == "multi":
        return MultiCheckbox(choices=values, validate_choice=False, **kwargs)
    if q.type == "choice" or is_scale(q):
        return RadioField(choices=values, validate_choice=False, **kwargs)
    return WholeNumber(render_kw={"inputmode": "numeric"}, **kwargs)


def shown(questions: Iterable[Question], audience: str) -> list[Question]:
    """Return the questions this audience is asked: clinician-only ones only to clinicians."""
    return [q for q in questions if q.audience == "all" or audience == "clinician"]


def to_form(q: Question, value: Value | None) -> Any:
    """Return an answer as the form field holds it."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return list(value)
    return str(value) if is_scale(q) else value


def build_form(questions: list[Question], audience: str, formdata: Mapping[str, Any]) -> Form:
    """Build a form for `questions` from a posted request, to validate it or show it back."""
    return form_class(questions, audience)(formdata=formdata)


def form_class(questions: list[Question], audience: str) -> type[Form]:
    """Return the form class for these questions, built once per app (forms stay per request)."""
    classes: dict[tuple[Any, ...], type[Form]] = current_app.extensions.setdefault(
        "bfr_form_classes", {}
    )
    key = (audience, *(q.id for q in questions))
    found = classes.get(key)
    if found is None:
        fields = {q.id: make_field(q, audience) for q in questions}
        found = classes[key] = type("QuestionsForm", (Form,), fields)
    return found


def _candidate(q: Question, data: Any) -> Value | None:
    if data in (None, "", []):
        return None
    if isinstance(data, list):
        return tuple(str(v) for v in data)
    if is_scale(q) and data != DONT_KNOW:
        return int(data) if WHOLE_NUMBER.fullmatch(str(data)) else str(data)
    return data if isinstance(data, int | str) else None


def form_answers(form: Form, questions: list[Question]) -> dict[str, Value]:
    """Return the answers on a form that the engine accepts, each checked on its own."""
    out: dict[str, Value] = {}
    for q in questions:
        value = _candidate(q, form[q.id].data)
        if value is None:
            continue
        try:
            parse_answers(ruleset(), {q.id: value})
        except AnswersError:
            continue
        out[q.id] = value
    return out
