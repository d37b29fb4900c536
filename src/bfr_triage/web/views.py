"""The questionnaire: start, one page per topic, check your answers, result; the compact form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import abort, redirect, render_template, request
from flask_babel import to_user_timezone
from werkzeug.wrappers import Response

from ..engine import AUDIENCES, Answers, Question, parse_answers
from ..engine.model import Page
from ..extensions import ruleset
from ..i18n import gettext, locale
from ..records.journal import FILENAME as NOTE_FILE
from ..records.journal import journal_note
from . import messages
from .blueprint import bp
from .fieldview import FieldView, OptionView, answer_text, field_view
from .forms import build_form, form_answers, question_text, shown
from .links import audience, embedded, link
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


def _fields(form: Any, questions: list[Question]) -> list[FieldView]:
    return [field_view(ruleset(), q, form[q.id], audience()) for q in questions]


def _summary(fields: list[FieldView]) -> list[tuple[str, str]]:
    return [(f.error, f"#{f.first_id}") for f in fields if f.error]


def page_title(page: Page) -> str:
    """Return the page title in the audience's wording, translated."""
    title = page.clinician_title if audience() == "clinician" else page.title
    return gettext(title)


def render_page(page_id: str, form: Any, state: State) -> str:
    """Render one question page with the answers so far in its hidden field."""
    index, page = _page(page_id)
    fields = _fields(form, _questions(page.questions))
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


def _answers(state: State) -> Answers:
    # A state read from its signed field was validated as it was read (load_state).
    return Answers(state.answers) if state.token else parse_answers(ruleset(), state.answers)


def today() -> date:
    """Return today's date where the person is (the app's time zone)."""
    return to_user_timezone(datetime.now(UTC)).date()


def render_result(state: State) -> str:
    """Render the decision, or send the person back to the questions still unanswered."""
    if missing(state):
        return render_check(state, show_missing=True)
    answers = _answers(state)
    view = result_view(ruleset(), answers, audience(), state.mode, embedded())
    # The note for the record is the clinician's: a patient never reads its instructions.
    note = journal_note(ruleset(), answers, today()) if audience() == "clinician" else ""
    return render_template("result.html", result=view, state=dump_state(state), note=note)


def audience_field(error: str = "", chosen: str | None = None) -> FieldView:
    """Describe the start page's "who is answering" radios the same way as a question."""
    labels = {"patient": gettext("I am a patient"), "clinician": gettext("I am a clinician")}
    hints = {"clinician": gettext("A physiotherapist or doctor: clinical wording, more detail.")}
    options = tuple(
        OptionView(f"audience-{v}", v, labels[v], hints.get(v, ""), v == chosen, False)
        for v in AUDIENCES
    )
    legend = gettext("Who is answering?")
    return FieldView("audience", "radios", legend, "", error, (("", options),), "", False)


@bp.get("/")
def start() -> str:
    """Show what the questionnaire does, the intended use and who is answering."""
    return render_template("start.html", field=audience_field(), errors=[])


@bp.post("/start")
def begin() -> Response | str:
    """Start the questions in the chosen audience's wording."""
    chosen = request.form.get("audience")
    if chosen not in AUDIENCES:
        field = audience_field(str(messages.MANDATORY_AUDIENCE))
        return render_template(
            "start.html", field=field, errors=[(field.error, "#audience-patient")]
        )
    first = ruleset().pages[0].id
    return redirect(link("web.page", page_id=first, audience=chosen), 303)


@bp.get("/q/<page_id>")
def page(page_id: str) -> str:
    """Show a question page with no answers yet."""
    _, page = _page(page_id)
    return render_page(page_id, build_form(_questions(page.questions), audience()), State())


@bp.post("/q/<page_id>")
def answer(page_id: str) -> str | Response:
    """Take a page's answers: continue, go back, change, or switch language."""
    index, page = _page(page_id)
    state = load_state(request.form.get("state"))
    questions = _questions(page.questions)
    action = request.form.get("action", "next")
    if "lang" in request.form:
        return render_page(page_id, build_form(questions, audience(), request.form), state)
    if action == "change":
        return render_page(page_id, build_form(questions, audience(), None, state.answers), state)
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
        form = build_form(_questions(previous.questions), audience(), None, state.answers)
        return render_page(previous.id, form, state)
    if not form.validate():
        return render_page(page_id, form, state)
    state = state.with_answers(ids, form_answers(form, questions))
    if state.mode == "review" or index + 1 == len(pages):
        return render_check(state)
    following = pages[index + 1]
    form = build_form(_questions(following.questions), audience(), None, state.answers)
    return render_page(following.id, form, state)


@bp.post("/check")
def check() -> str:
    """Show "Check your answers" again (after a language switch)."""
    return render_check(load_state(request.form.get("state")))


@bp.post("/result")
def result() -> str:
    """Show the decision for the answers in the signed field."""
    return render_result(load_state(request.form.get("state")))


@bp.post("/note.txt")
def note() -> Response:
    """Download the note for the record (clinicians only), for the answers in the signed field."""
    state = load_state(request.form.get("state"))
    if audience() != "clinician" or missing(state):
        abort(404)
    text = journal_note(ruleset(), _answers(state), today())
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{NOTE_FILE}"'
    response.headers["Content-Language"] = locale()
    response.headers["Cache-Control"] = "no-store"
    return response
