"""Turn a form field into what the macros render: ids, legend, hint, error, grouped options."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from markupsafe import Markup

from ..engine import Question, RuleSet
from ..engine.model import Value
from ..i18n import catalogue, gettext
from ..records.labels import REGIONS
from .forms import is_scale, label_map, option_labels, question_text, to_form


@dataclass(frozen=True)
class OptionView:
    id: str
    value: str
    label: str
    hint: str
    checked: bool
    divider: bool  # an "or" before exclusive answers such as "None of these"


@dataclass(frozen=True)
class FieldView:
    name: str
    kind: str  # radios | checkboxes | number
    legend: str
    hint: str
    error: str
    groups: tuple[tuple[str, tuple[OptionView, ...]], ...]
    value: str
    inline: bool
    html: Markup | None = (
        None  # the field already rendered (blank_view); None: the macro renders it
    )

    @property
    def hint_id(self) -> str:
        return f"{self.name}-hint" if self.hint else ""

    @property
    def error_id(self) -> str:
        return f"{self.name}-error" if self.error else ""

    @property
    def describedby(self) -> str:
        return " ".join(i for i in (self.hint_id, self.error_id) if i)

    @property
    def anchor(self) -> str:
        """Return the id the error summary links to: the question's box, legend and all.

        Without JavaScript the link scrolls the whole question into view; static/app.js also
        moves the focus to its first input (as the browser does not for a box).
        """
        return f"q-{self.name}"


def _hints(rs: RuleSet, q: Question, audience: str) -> dict[str, str]:
    """Show clinicians the brief's own wording under a condition whose brief row was split."""
    if q.id != "condition" or audience != "clinician":
        return {}
    briefs = Counter(i.brief for i in rs.indications.values() if i.kind != "benefit")
    return {
        i.id: gettext("In the original list: %(brief)s", brief=gettext(i.brief))
        for i in rs.indications.values()
        if briefs[i.brief] > 1
    }


def _regions(rs: RuleSet, q: Question) -> dict[str, str]:
    if q.id != "condition":
        return {}
    return {i.id: i.region for i in rs.indications.values()}


def _choices(rs: RuleSet, q: Question, audience: str) -> tuple[tuple[str, str, str, str], ...]:
    """Return each option's value, label, hint and group heading, translated once per locale."""

    def build() -> tuple[tuple[str, str, str, str], ...]:
        hints, regions = _hints(rs, q, audience), _regions(rs, q)
        return tuple(
            (value, label, hints.get(value, ""), _heading(regions.get(value, "")))
            for value, label in option_labels(q, audience)
        )

    return catalogue().memo(("choices", q.id, audience), build)


def _heading(region: str) -> str:
    return str(REGIONS.get(region, region)) if region else ""


Values = tuple[str, ...] | None  # the options offered; None: all of them


def posted_view(
    rs: RuleSet, q: Question, field: Any, audience: str, values: Values = None
) -> FieldView:
    """Describe a field of a posted form: what was sent (a number as typed) and its error."""
    error = str(field.errors[0]) if field.errors else ""
    typed = field.raw_data[0] if field.raw_data else field.data
    data = typed if q.type == "integer" else field.data
    return field_view(rs, q, audience, data, error, values)


def answer_view(
    rs: RuleSet, q: Question, answers: Mapping[str, Value], audience: str, values: Values = None
) -> FieldView:
    """Describe a field filled in from the answers so far: no form is needed to show them."""
    return field_view(rs, q, audience, to_form(q, answers.get(q.id)), "", values)


def blank_view(rs: RuleSet, q: Question, audience: str, as_heading: bool) -> FieldView:
    """Describe a question's field with no answer, no error and every option offered, and render
    it, once per locale: a page shown for the first time is made of these. What is kept is the
    same for every request (fixed texts only); a field with an answer or an error, or with fewer
    options, is described and rendered for its request (`field_view` and the `field` macro)."""

    def build() -> FieldView:
        view = field_view(rs, q, audience, None)
        macros: Any = current_app.jinja_env.get_template("macros.html").module
        return replace(view, html=macros.field(view, as_heading=as_heading))

    return catalogue().memo(("blank-field", q.id, audience, as_heading), build)


def field_view(
    rs: RuleSet, q: Question, audience: str, data: Any, error: str = "", values: Values = None
) -> FieldView:
    """Describe one question's field for the templates; `data` as a form field holds it, and of
    a choice only the options in `values` (if given)."""
    hint = gettext(q.hint) if q.hint else ""
    if q.type == "integer" and not is_scale(q):
        value = "" if data is None else str(data)
        return FieldView(q.id, "number", question_text(q, audience), hint, error, (), value, False)
    chosen = data if isinstance(data, list) else [data]
    chosen = [str(v) for v in chosen if v is not None]
    choices = _choices(rs, q, audience)
    if values is not None and len(values) < len(q.values):
        choices = tuple(c for c in choices if c[0] in values)
    groups: list[tuple[str, list[OptionView]]] = []
    seen_exclusive = False
    for value, label, option_hint, heading in choices:
        divider = value in q.exclusive and not seen_exclusive and q.type == "multi"
        seen_exclusive = seen_exclusive or value in q.exclusive
        option = OptionView(f"{q.id}-{value}", value, label, option_hint, value in chosen, divider)
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append(option)
    kind = "checkboxes" if q.type == "multi" else "radios"
    inline = is_scale(q) or all(len(label) <= 14 for _, label, _, _ in choices)
    frozen = tuple((heading, tuple(options)) for heading, options in groups)
    return FieldView(q.id, kind, question_text(q, audience), hint, error, frozen, "", inline)


def answer_text(q: Question, value: Any, audience: str) -> str:
    """Return an answer as the person would read it back."""
    if value is None:
        return gettext("Not answered")
    if is_scale(q) and isinstance(value, int):
        return gettext("%(value)s out of %(max)s", value=value, max=q.max)
    labels = label_map(q, audience)
    if isinstance(value, tuple | list):
        return ", ".join(labels.get(v, v) for v in value)
    return labels.get(str(value), str(value))
