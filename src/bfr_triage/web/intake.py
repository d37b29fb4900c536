"""The clinicians' compact intake: every section on one page, straight to the result."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from ..engine import Answers, AnswersError, Question, asked, parse_answers
from ..engine.evaluate import holds
from ..engine.model import Value
from ..extensions import ruleset
from ..i18n import gettext
from . import messages
from .blueprint import bp
from .fieldview import FieldView, field_view
from .forms import build_form, form_answers, question_text, shown
from .links import set_audience
from .state import State, dump_state, load_state
from .views import page_title, render_result


def _questions() -> list[Any]:
    return shown(ruleset().questions.values(), "clinician")


def render_intake(form: Any, state: State) -> str:
    """Render the compact form: one section per question page, the same fields and messages."""
    rs = ruleset()
    sections: list[tuple[str, list[FieldView]]] = []
    for page in rs.pages:
        questions = shown((rs.questions[q] for q in page.questions), "clinician")
        sections.append(
            (page_title(page), [field_view(rs, q, form[q.id], "clinician") for q in questions])
        )
    errors = [(f.error, f"#{f.first_id}") for _, fields in sections for f in fields if f.error]
    return render_template(
        "intake.html", sections=sections, errors=errors, state=dump_state(state.with_mode("intake"))
    )


@bp.get("/intake")
def intake() -> str:
    """Show the compact intake form, every question on one page."""
    set_audience("clinician")
    return render_intake(build_form(_questions(), "clinician"), State(mode="intake"))


@bp.post("/intake")
def intake_submit() -> str:
    """Take the compact form: the result in one submit, or the errors."""
    set_audience("clinician")
    state = load_state(request.form.get("state"))
    questions = _questions()
    if "lang" in request.form:
        return render_intake(build_form(questions, "clinician", request.form), state)
    if request.form.get("action") == "change":
        return render_intake(build_form(questions, "clinician", None, state.answers), state)
    form = build_form(questions, "clinician", request.form)
    answers = _checked(form, questions)
    if answers is None:
        return render_intake(form, state)
    return render_result(State(answers, "intake"))


def _checked(form: Any, questions: list[Question]) -> dict[str, Value] | None:
    """Return the compact form's answers as the engine reads them, or None with the errors set.

    A question the other answers do not ask (weight-bearing for an arm) is not required, and an
    answer to it is dropped; answers that contradict each other are refused on the field named.
    """
    form.validate()
    given = form_answers(form, questions)
    now = asked(ruleset(), Answers(given))
    for q in questions:
        if not now[q.id]:
            form[q.id].errors = []
            given.pop(q.id, None)
    try:
        parse_answers(ruleset(), given)
    except AnswersError as error:
        for problem in error.errors:
            if problem.field in form and not form[problem.field].errors:
                form[problem.field].errors = [_refusal(problem.field, given)]
    return None if any(form[q.id].errors for q in questions) else given


def _refusal(qid: str, answers: dict[str, Value]) -> str:
    """Say why an answer was refused: the contradiction it is part of, else not one shown."""
    rs = ruleset()
    for rule in rs.contradictions:
        if rule.when.questions[0] == qid and holds(rs, Answers(answers), rule.when):
            return gettext(rule.text)
    return str(
        messages.INVALID_CHOICE % {"question": question_text(rs.questions[qid], "clinician")}
    )
