"""The questionnaire: start, one page per topic, check your answers, result; the compact form."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request
from werkzeug.wrappers import Response

from ..engine import AUDIENCES, Answers, Question, parse_answers
from ..engine.model import Page, Value
from ..extensions import ruleset
from ..i18n import gettext
from . import messages
from .blueprint import bp
from .fieldview import FieldView, OptionView, answer_text, answer_view, posted_view
from .forms import build_form, form_answers, question_text, shown
from .links import audience, audience_given, embedded, link
from .result import result_view
from .state import State, dump_state, load_state


def _page(page_id: str) -> tuple[int, Page]:
    """Return the position and page for `page_id`, or answer 404."""
    for index, page in enumerate(ruleset().pages):
        if page.id == page_id:
            return index, page
    abort(404)


def _questions(ids: tuple[str, ...]) -> list[Question]:
    return shown((ruleset().questions[q] for q in ids), audience())


def _fields(questions: list[Question], answers: dict[str, Value], form: Any) -> list[FieldView]:
    rs, who = ruleset(), audience()
    if form is None:
        return [answer_view(rs, q, answers, who) for q in questions]
    return [posted_view(rs, q, form[q.id], who) for q in questions]


def _summary(fields: list[FieldView]) -> list[tuple[str, str]]:
    return [(f.error, f"#{f.anchor}") for f in fields if f.error]


def page_title(page: Page) -> str:
    """Return the page title in the audience's wording, translated."""
    title = page.clinician_title if audience() == "clinician" else page.title
    return gettext(title)


def render_page(page_id: str, state: State, form: Any = None) -> str:
    """Render one question page with the answers so far in its hidden field.

    The fields show the posted `form` (with its errors), else the answers in `state`.
    """
    index, page = _page(page_id)
    fields = _fields(_questions(page.questions), state.answers, form)
    pages = ruleset().pages
    return render_template(
        "page.html",
        page=page,
        title=page_title(page),
        hint=gettext(page.hint) if page.hint else "",
        fields=fields,
        errors=_summary(fields),
        state=dump_state(state),
        step=index + 1,
        steps=len(pages),
        back=bool(index) or state.mode == "review",
    )


def check_rows(state: State) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Return each page title with its rows: question id, question, answer read back, change URL."""
    rows = []
    for page in ruleset().pages:
        answered = []
        for q in _questions(page.questions):
            value = state.answers.get(q.id)
            text = answer_text(q, value, audience()) if value is not None else ""
            url = link("web.answer", page_id=page.id, _anchor=f"q-{q.id}")
            answered.append((q.id, question_text(q, audience()), text, url))
        rows.append((page_title(page), answered))
    return rows


def missing(state: State) -> list[Question]:
    """Return the required questions this audience is asked that have no answer yet."""
    if all(q in state.answers for q in ruleset().required):  # the usual case on a result
        return []
    asked = shown(ruleset().questions.values(), audience())
    return [q for q in asked if not q.optional and q.id not in state.answers]


def render_check(state: State, show_missing: bool = False) -> str:
    """Render "Check your answers"; with show_missing, list the unanswered questions as errors."""
    state = state.with_mode("review")
    errors = [
        (messages.NOT_ANSWERED % {"question": question_text(q, audience())}, f"#change-{q.id}")
        for q in (missing(state) if show_missing else [])
    ]
    return render_template(
        "check.html", rows=check_rows(state), errors=errors, state=dump_state(state)
    )


def render_result(state: State) -> str:
    """Render the decision, or send the person back to the questions still unanswered."""
    if missing(state):
        return render_check(state, show_missing=True)
    # A state read from its signed field was validated as it was read (load_state).
    answers = Answers(state.answers) if state.token else parse_answers(ruleset(), state.answers)
    view = result_view(ruleset(), answers, audience(), state.mode, embedded())
    return render_template("result.html", result=view, state=dump_state(state))


def audience_field(error: str = "", chosen: str | None = None) -> FieldView:
    """Describe the start page's "who is answering" radios the same way as a question."""
    labels = {
        "patient": gettext("I am a patient"),
        "clinician": gettext("I am a physiotherapist or doctor"),
    }
    hints = {"clinician": gettext("Clinical wording and more detail.")}
    options = tuple(
        OptionView(f"audience-{v}", v, labels[v], hints.get(v, ""), v == chosen, False)
        for v in AUDIENCES
    )
    legend = gettext("Who is answering?")
    return FieldView("audience", "radios", legend, "", error, (("", options),), "", False)


@bp.get("/")
def start() -> str:
    """Show what the questionnaire does, the intended use and who is answering.

    Who is answering is asked only when the link or the clinic's embed did not say.
    """
    field = None if audience_given() else audience_field()
    return render_template("start.html", field=field, errors=[])


@bp.post("/start")
def begin() -> Response | str:
    """Start the questions in the chosen audience's wording (or the one the link named)."""
    chosen = audience() if audience_given() else request.form.get("audience")
    if chosen not in AUDIENCES:
        field = audience_field(str(messages.MANDATORY_AUDIENCE))
        return render_template(
            "start.html", field=field, errors=[(field.error, f"#{field.anchor}")]
        )
    first = ruleset().pages[0].id
    return redirect(link("web.page", page_id=first, audience=chosen), 303)


@bp.get("/q/<page_id>")
def page(page_id: str) -> str:
    """Show a question page with no answers yet."""
    return render_page(page_id, State())


@bp.post("/q/<page_id>")
def answer(page_id: str) -> str | Response:
    """Take a page's answers: continue, go back, change, or switch language."""
    index, page = _page(page_id)
    state = load_state(request.form.get("state"))
    questions = _questions(page.questions)
    action = request.form.get("action", "next")
    if "lang" in request.form:
        return render_page(page_id, state, build_form(questions, audience(), request.form))
    if action == "change":
        return render_page(page_id, state)
    form = build_form(questions, audience(), request.form)
    ids = tuple(q.id for q in questions)
    pages = ruleset().pages
    if action == "back":
        state = state.with_answers(ids, form_answers(form, questions))
        if state.mode == "review":
            return render_check(state)
        if index == 0:
            return redirect(link("web.start"), 303)
        previous = pages[index - 1]
        return render_page(previous.id, state)
    if not form.validate():
        return render_page(page_id, state, form)
    state = state.with_answers(ids, form_answers(form, questions))
    if state.mode == "review" or index + 1 == len(pages):
        return render_check(state)
    return render_page(pages[index + 1].id, state)


@bp.post("/check")
def check() -> str:
    """Show "Check your answers" again (after a language switch), or go back to the last page."""
    state = load_state(request.form.get("state"))
    if request.form.get("action") == "back":
        # Back walks the pages backwards from here, as it would have before the check page.
        return render_page(ruleset().pages[-1].id, state.with_mode("steps"))
    return render_check(state)


@bp.post("/result")
def result() -> str:
    """Show the decision for the answers in the signed field."""
    return render_result(load_state(request.form.get("state")))
