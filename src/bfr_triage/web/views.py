"""The questionnaire: start, one page per topic, check your answers, result; the compact form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import abort, redirect, render_template, request
from flask_babel import to_user_timezone
from werkzeug.wrappers import Response

from ..engine import AUDIENCES, Answers, Question, asked, evaluate, open_values, parse_answers
from ..engine.model import DONT_KNOW, Decision, Page, Value
from ..extensions import ruleset
from ..i18n import gettext, locale
from ..records.journal import FILENAME as NOTE_FILE
from ..records.journal import journal_note
from . import limbitems, messages, regions
from .blueprint import bp
from .fieldview import (
    FieldView,
    OptionView,
    answer_text,
    answer_view,
    blank_view,
    posted_view,
)
from .forms import build_form, form_answers, question_error, question_text, shown
from .links import audience, audience_given, embedded, link
from .result import result_view
from .state import State, dump_state, load_state


def _page(page_id: str) -> tuple[int, Page]:
    """Return the position and page for `page_id`, or answer 404."""
    for index, page in enumerate(ruleset().pages):
        if page.id == page_id:
            return index, page
    abort(404)


def _asked(answers: dict[str, Value]) -> dict[str, bool | None]:
    return asked(ruleset(), Answers(answers))


def _questions(ids: tuple[str, ...], answers: dict[str, Value] | None = None) -> list[Question]:
    """Return the questions of `ids` this audience is asked; with answers, only those that apply.

    A question whose `ask_when` is false, or not yet known, is not asked on a page (the engine
    counts it as nothing); so a page whose questions all do not apply is not shown at all.
    """
    questions = shown((ruleset().questions[q] for q in ids), audience())
    if answers is None:
        return questions
    now = _asked(answers)
    return [q for q in questions if now[q.id]]


def _neighbour(index: int, answers: dict[str, Value], step: int) -> Page | None:
    """Return the nearest page after (step 1) or before (step -1) `index` that asks something."""
    pages = ruleset().pages
    index += step
    while 0 <= index < len(pages):
        if _questions(pages[index].questions, answers):
            return pages[index]
        index += step
    return None


def _pruned(state: State) -> State:
    """Drop the answers to questions that the other answers no longer ask."""
    now = _asked(state.answers)
    if all(now[q] is not False for q in state.answers):
        return state
    return State({q: v for q, v in state.answers.items() if now[q] is not False}, state.mode)


def _unanswered(page: Page, answers: dict[str, Value]) -> bool:
    return any(q.id not in answers and not q.optional for q in _questions(page.questions, answers))


def _fields(
    questions: list[Question], answers: dict[str, Value], form: Any, region: str = ""
) -> list[FieldView]:
    """Describe the fields: the posted `form` (with its errors), else the answers so far.

    A choice offers only the values the earlier answers leave open, and a patient's condition
    only the conditions of the region chosen.
    """
    rs, who, given = ruleset(), audience(), Answers(answers)
    narrowed = regions.condition_values(rs, region)
    single = len(questions) == 1  # the question is the page's heading (page.html)
    views = []
    for q in questions:
        values = open_values(rs, given, q)
        if q.id == "condition" and narrowed is not None:
            values = tuple(v for v in values if v in narrowed)
        if form is None and q.id not in answers and len(values) == len(q.values):
            views.append(blank_view(rs, q, who, single))
        elif form is None:
            views.append(answer_view(rs, q, answers, who, values))
        else:
            views.append(posted_view(rs, q, form[q.id], who, values))
    return views


def _summary(fields: list[FieldView]) -> list[tuple[str, str]]:
    return [(f.error, f"#{f.anchor}") for f in fields if f.error]


def _refuse_closed(form: Any, questions: list[Question], answers: dict[str, Value]) -> bool:
    """Mark an answer the earlier answers rule out (a limb without evidence): True if none."""
    rs, given, ok = ruleset(), Answers(answers), True
    for q in questions:
        value = form[q.id].data
        if value not in (None, "") and q.type == "choice":
            if str(value) not in open_values(rs, given, q):
                form[q.id].errors = [str(messages.INVALID_CHOICE)]
                ok = False
    return ok


def page_title(page: Page) -> str:
    """Return the page title in the audience's wording, translated."""
    title = page.clinician_title if audience() == "clinician" else page.title
    return gettext(title)


def render_page(page_id: str, state: State, form: Any = None, region: str | None = None) -> str:
    """Render one question page with the answers so far in its hidden field.

    The fields show the posted `form` (with its errors), else the answers in `state`. A
    patient's condition page offers the conditions of the region they chose (or of the condition
    they chose before); the region travels in a hidden field of its own.
    """
    index, page = _page(page_id)
    if limbitems.is_limb_grid(ruleset(), page):
        return render_items(page, state)
    if region is None:
        region = regions.region_of(ruleset(), state.answers.get("condition"))
    region = region if _asks_region(page) else ""
    fields = _fields(_questions(page.questions, state.answers), state.answers, form, region)
    back = _neighbour(index, state.answers, -1) is not None or _asks_region(page)
    return render_template(
        "page.html",
        page=page,
        title=page_title(page),
        hint=gettext(page.hint) if page.hint else "",
        fields=fields,
        errors=_summary(fields),
        state=dump_state(state),
        back=back or state.mode == "review",
        hidden=[("region", region)] if region else [],
    )


def render_items(
    page: Page, state: State, chosen: tuple[str, ...] | None = None, error: str = ""
) -> str:
    """Render the limb items' first step: which apply (ticked as answered, unless `chosen`)."""
    questions = _questions(page.questions, state.answers)
    if chosen is None:
        chosen = limbitems.ticked(questions, state.answers)
    field = limbitems.items_field(questions, audience(), chosen, error)
    return _render_steps(page, state, [field], field.legend, [])


def render_where(
    page: Page, state: State, chosen: tuple[str, ...], where: dict[str, Any], errors: dict[str, str]
) -> str:
    """Render the limb items' second step: for each item ticked, which arm or leg."""
    questions = [q for q in _questions(page.questions, state.answers) if q.id in chosen]
    fields = limbitems.where_fields(questions, audience(), where, errors)
    hidden = [("stage", limbitems.WHERE), *((limbitems.FIELD, qid) for qid in chosen)]
    return _render_steps(page, state, fields, gettext("Which arm or leg is it?"), hidden)


def _render_steps(
    page: Page, state: State, fields: list[FieldView], title: str, hidden: list[tuple[str, str]]
) -> str:
    return render_template(
        "page.html",
        page=page,
        title=title,
        hint="",
        fields=fields,
        errors=_summary(fields),
        state=dump_state(state),
        back=True,
        hidden=hidden,
    )


def answer_items(index: int, page: Page, state: State) -> str | Response:
    """Take either step of the limb items: back, a language switch, or the answers."""
    form = request.form
    questions = _questions(page.questions, state.answers)
    chosen = tuple(form.getlist(limbitems.FIELD))
    action = form.get("action", "next")
    if form.get("stage") == limbitems.WHERE:
        where = {q.id: form.getlist(q.id) for q in questions if q.id in chosen}
        if action == "back":
            return render_items(page, state, chosen)
        errors = (
            {}
            if "lang" in form
            else {qid: e for qid, values in where.items() if (e := limbitems.where_error(values))}
        )
        if errors or "lang" in form:
            return render_where(page, state, chosen, where, errors)
        given = limbitems.answers_for(questions, chosen, where)
        return render_next(index, _pruned(state.with_answers(tuple(given), given)))
    if action == "change":
        return render_items(page, state)
    if action == "back":
        previous = _neighbour(index, state.answers, -1)
        if state.mode == "review" or previous is None:
            return render_check(state)
        return render_page(previous.id, state)
    error = "" if "lang" in form else limbitems.items_error(chosen, {q.id for q in questions})
    if error or "lang" in form:
        return render_items(page, state, chosen, error)
    if chosen in ((limbitems.NONE,), (DONT_KNOW,)):
        given = limbitems.answers_for(questions, chosen, {})
        return render_next(index, _pruned(state.with_answers(tuple(given), given)))
    where = {q.id: state.answers.get(q.id) or () for q in questions}
    kept = {qid: [v for v in values if v != limbitems.NONE] for qid, values in where.items()}
    return render_where(page, state, chosen, kept, {})


def _asks_region(page: Page) -> bool:
    """Return whether "Where is the problem?" comes before this page (patients, conditions)."""
    return audience() == "patient" and page.id == "condition"


def render_region(state: State, chosen: str = "", error: str = "") -> str:
    """Render "Where is the problem?", the patient's first question."""
    field = regions.region_field(ruleset(), chosen, error)
    return render_template(
        "page.html",
        page={"id": "region"},
        title=field.legend,
        hint="",
        fields=[field],
        errors=_summary([field]),
        state=dump_state(state),
        back=True,
        hidden=[],
    )


def _urgent(answers: dict[str, Value]) -> bool:
    """Return whether the answers given make the result urgent (not questions still to come)."""
    rs = ruleset()
    urgent = (i for i in rs.items if i.urgent and i.when is not None)
    return (
        all(q in answers for i in urgent for q in i.when.questions)
        and evaluate(rs, Answers(answers)).urgent
    )


def render_next(index: int, state: State) -> str:
    """Show what comes after page `index`: the urgent result at once, a page, or the check page.

    From "Check your answers" (review), a changed answer returns there, unless it made a question
    apply that has no answer yet: that page comes first.
    """
    if _urgent(state.answers):  # README §2: nothing else first
        return render_result(state)
    following = _neighbour(index, state.answers, 1)
    while state.mode == "review" and following and not _unanswered(following, state.answers):
        following = _neighbour(_page(following.id)[0], state.answers, 1)
    if following is None:
        return render_check(state)
    return render_page(following.id, state)


def check_rows(state: State) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """Return each page that was asked: its id, title, change URL, and rows (question, answer).

    One Change per page, as the page's questions are changed together: a keyboard user passes
    seven buttons on the way to "See the result", not one per answer.
    """
    rows, who, given = [], audience(), state.answers
    for page in ruleset().pages:
        questions = _questions(page.questions, given)
        if limbitems.is_limb_grid(ruleset(), page):
            legend = gettext("Does any of these apply to an arm or leg?")
            answered = [(legend, limbitems.summary(questions, who, given))]
        else:
            answered = [
                (question_text(q, who), answer_text(q, given[q.id], who) if q.id in given else "")
                for q in questions
            ]
        if answered:
            url = link("web.answer", page_id=page.id)
            rows.append((page.id, page_title(page), url, answered))
    return rows


def missing(state: State) -> list[Question]:
    """Return the required questions this audience is asked that have no answer yet."""
    if all(q in state.answers for q in ruleset().required):  # the usual clinician result
        return []
    asked_now = _questions(tuple(ruleset().questions), state.answers)
    return [q for q in asked_now if not q.optional and q.id not in state.answers]


def render_check(state: State, show_missing: bool = False) -> str:
    """Render "Check your answers"; with show_missing, list the unanswered questions as errors."""
    state = state.with_mode("review")
    errors = {}  # a page of limb items is one error; each leads to its page's Change
    for q in missing(state) if show_missing else []:
        grid = limbitems.is_limb_grid(ruleset(), _page(q.page)[1])
        message = str(messages.MANDATORY_ITEMS) if grid else question_error(q, audience())
        errors[message] = f"#change-{q.page}"
    errors = list(errors.items())
    return render_template(
        "check.html", rows=check_rows(state), errors=errors, state=dump_state(state)
    )


def _answers(state: State) -> Answers:
    # A state read from its signed field was validated as it was read (load_state).
    return Answers(state.answers) if state.token else parse_answers(ruleset(), state.answers)


def today() -> date:
    """Return today's date where the person is (the app's time zone)."""
    return to_user_timezone(datetime.now(UTC)).date()


def _decided(state: State) -> tuple[Answers, Decision] | None:
    """Return the answers and their decision, or None while there is no result yet: a required
    question asked and unanswered, unless the result is already urgent. The engine lists those
    questions (clinician-only ones are optional): the same as missing(), worked out once."""
    answers = _answers(state)
    decision = evaluate(ruleset(), answers)
    return None if decision.missing and not decision.urgent else (answers, decision)


def render_result(state: State) -> str:
    """Render the decision, or send the person back to the questions still unanswered.

    An urgent result (current signs of a clot) is shown at once, whatever is still unanswered.
    """
    found = _decided(state)
    if found is None:
        return render_check(state, show_missing=True)
    answers, decision = found
    view = result_view(ruleset(), answers, audience(), state.mode, embedded(), decision)
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
    first = "region" if chosen == "patient" else ruleset().pages[0].id
    return redirect(link("web.page", page_id=first, audience=chosen), 303)


@bp.get("/q/region")
def region() -> str:
    """Ask a patient where the problem is, before the conditions of that region."""
    return render_region(State())


@bp.post("/q/region")
def region_answer() -> str | Response:
    """Take the region: the conditions of that region next, or back to the start."""
    state = load_state(request.form.get("state"))
    chosen = request.form.get("region", "")
    if request.form.get("action") == "back":
        return redirect(link("web.start"), 303)
    if "lang" in request.form or chosen not in (*regions.regions(ruleset()), regions.NOT_SURE):
        error = "" if "lang" in request.form else str(messages.MANDATORY_REGION)
        return render_region(state, chosen, error)
    return render_page("condition", state, region=chosen)


@bp.get("/q/<page_id>")
def page(page_id: str) -> str:
    """Show a question page with no answers yet."""
    return render_page(page_id, State())


@bp.post("/q/<page_id>")
def answer(page_id: str) -> str | Response:
    """Take a page's answers: continue, go back, change, or switch language."""
    index, page = _page(page_id)
    state = load_state(request.form.get("state"))
    if limbitems.is_limb_grid(ruleset(), page):
        return answer_items(index, page, state)
    questions = _questions(page.questions, state.answers)
    action = request.form.get("action", "next")
    region = request.form.get("region") if _asks_region(page) else None
    if "lang" in request.form:
        form = build_form(questions, audience(), request.form)
        return render_page(page_id, state, form, region)
    if action == "change":
        return render_page(page_id, state)
    form = build_form(questions, audience(), request.form)
    ids = tuple(q.id for q in questions)
    if action == "back":
        state = _pruned(state.with_answers(ids, form_answers(form, questions)))
        if state.mode == "review":
            return render_check(state)
        previous = _neighbour(index, state.answers, -1)
        if previous is None and _asks_region(page):
            chosen = region or regions.region_of(ruleset(), state.answers.get("condition"))
            return render_region(state, chosen)
        if previous is None:
            return redirect(link("web.start"), 303)
        return render_page(previous.id, state)
    valid = form.validate()
    if not (_refuse_closed(form, questions, state.answers) and valid):
        return render_page(page_id, state, form, region)
    return render_next(index, _pruned(state.with_answers(ids, form_answers(form, questions))))


@bp.post("/check")
def check() -> str:
    """Show "Check your answers" again (after a language switch), or go back to the last page."""
    state = load_state(request.form.get("state"))
    if request.form.get("action") == "back":
        # Back walks the pages backwards from here, as it would have before the check page.
        last = _neighbour(len(ruleset().pages), state.answers, -1)
        if last is not None:
            return render_page(last.id, state.with_mode("steps"))
    return render_check(state)


@bp.post("/result")
def result() -> str:
    """Show the decision for the answers in the signed field."""
    return render_result(load_state(request.form.get("state")))


def _note(state: State) -> str:
    """Return the note for the record (clinicians only: a patient never reads its instructions);
    404 before there is a result, by the same rule as the result page."""
    if audience() != "clinician":
        abort(404)
    found = _decided(state)
    if found is None:
        abort(404)
    return journal_note(ruleset(), found[0], today())


@bp.post("/note")
def note_page() -> str:
    """Show the note for the record, to copy into the journal or download (one click from the
    result, like a share link: the result page stays light)."""
    state = load_state(request.form.get("state"))
    return render_template("note.html", note=_note(state), state=dump_state(state))


@bp.post("/note.txt")
def note() -> Response:
    """Download the note for the record for the answers in the signed field."""
    text = _note(load_state(request.form.get("state")))
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{NOTE_FILE}"'
    response.headers["Content-Language"] = locale()
    response.headers["Cache-Control"] = "no-store"
    return response
