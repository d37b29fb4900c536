"""The clinicians' compact intake: every section on one page, straight to the result."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from ..extensions import ruleset
from .blueprint import bp
from .fieldview import FieldView, answer_view, posted_view
from .forms import build_form, form_answers, shown
from .links import set_audience
from .state import State, dump_state, load_state
from .views import page_title, render_result


def _questions() -> list[Any]:
    return shown(ruleset().questions.values(), "clinician")


def render_intake(state: State, form: Any = None) -> str:
    """Render the compact form: one section per question page, the same fields and messages.

    The fields show the posted `form` (with its errors), else the answers in `state`.
    """
    rs = ruleset()
    sections: list[tuple[str, list[FieldView]]] = []
    for page in rs.pages:
        questions = shown((rs.questions[q] for q in page.questions), "clinician")
        fields = [
            answer_view(rs, q, state.answers, "clinician")
            if form is None
            else posted_view(rs, q, form[q.id], "clinician")
            for q in questions
        ]
        sections.append((page_title(page), fields))
    errors = [(f.error, f"#{f.anchor}") for _, fields in sections for f in fields if f.error]
    return render_template(
        "intake.html", sections=sections, errors=errors, state=dump_state(state.with_mode("intake"))
    )


@bp.get("/intake")
def intake() -> str:
    """Show the compact intake form, every question on one page."""
    set_audience("clinician")
    return render_intake(State(mode="intake"))


@bp.post("/intake")
def intake_submit() -> str:
    """Take the compact form: the result in one submit, or the errors."""
    set_audience("clinician")
    state = load_state(request.form.get("state"))
    questions = _questions()
    if "lang" in request.form:
        return render_intake(state, build_form(questions, "clinician", request.form))
    if request.form.get("action") == "change":
        return render_intake(state)
    form = build_form(questions, "clinician", request.form)
    if not form.validate():
        return render_intake(state, form)
    return render_result(State(form_answers(form, questions), "intake"))
