"""The note for the record: one text for the result page, the share page and the download.

Golden cases in English and Danish; the clinician sees it (readable without script, a copy button
only with script, a plain-text download); a patient never gets it. docs/journal-note.md shows three
golden cases and must match what the app writes (BFR_UPDATE_DOCS=1 rewrites it).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from golden import CASES, Case
from test_danish_pages import english_in
from test_share import SECRET, WORDS

from bfr_triage import create_app
from bfr_triage.engine import RuleSet, evaluate, load_ruleset, parse_answers
from bfr_triage.engine.export import headline, rule_text
from bfr_triage.extensions import ruleset
from bfr_triage.i18n import gettext
from bfr_triage.paths import data_dir
from bfr_triage.records.journal import journal_note
from bfr_triage.web.share import make_token
from bfr_triage.web.state import State, dump_state

DOC = Path(__file__).resolve().parents[1] / "docs" / "journal-note.md"
DOC_CASES = ("indication_knee_pain", "local_on_trained_limb", "clot_points_summed")
DAY = date(2026, 11, 30)
UPDATE_DOCS = os.environ.get("BFR_UPDATE_DOCS") == "1"  # read before the fixtures clear BFR_*
NOTE = re.compile(r'<textarea id="note-text"[^>]*>(.*?)</textarea>', re.S)


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_ruleset(data_dir("rules"))


@pytest.fixture
def app() -> Flask:
    return create_app({"ENV": "development", "TESTING": True, "SECRET_KEY": SECRET})


def note_of(app: Flask, case: Case, lang: str, day: date = DAY) -> str:
    with app.test_request_context(f"/?lang={lang}"):
        rs = ruleset()
        return journal_note(rs, parse_answers(rs, case.answers), day)


@pytest.mark.parametrize("lang", ["en", "da"])
@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_the_note_says_what_matters_for_every_golden_case(
    app: Flask, rules: RuleSet, case: Case, lang: str
) -> None:
    ruleset = rules
    note = note_of(app, case, lang)
    answers = parse_answers(ruleset, case.answers)
    decision = evaluate(ruleset, answers)
    with app.test_request_context(f"/?lang={lang}"):
        text, step = headline(ruleset, decision, "clinician", gettext)
        expected = [
            text.rstrip("."),
            step,
            "30. november 2026" if lang == "da" else "November 30, 2026",
            decision.provenance.ruleset_version,
            decision.provenance.rules_sha256,
        ]
        for reason in decision.reasons:
            if reason.kind in ("clearance", "local", "precaution"):
                expected.append(gettext(rule_text(ruleset, reason)))
                action = next(i.action for i in ruleset.items if i.id == reason.rule)
                expected += [gettext(action).rstrip(".")] if action else []
            if reason.kind == "barrier":  # the answers that made it fire
                for qid, _ in reason.answers:
                    expected.append(gettext(ruleset.questions[qid].clinician_text))
        parameters = [gettext(p.text) for p in ruleset.parameters]
    missing = [text for text in expected if text not in note]
    assert not missing, note
    starting = decision.verdict in ("first_line", "consider")
    assert all((p in note) is starting for p in parameters)  # only where BFR is an option
    assert "\n\n\n" not in note and note.endswith(".\n")
    if lang == "da":
        assert not english_in(note), english_in(note)


def state_of_page(html: str) -> str:
    return unescape(re.search(r'name="state" value="([^"]*)"', html).group(1))  # type: ignore[union-attr]


def result_page(client: FlaskClient, app: Flask, case: Case, audience: str, lang: str) -> str:
    with app.test_request_context():
        state = dump_state(State(dict(case.answers), "review"))  # type: ignore[arg-type]
    page = client.post(f"/result?audience={audience}&lang={lang}", data={"state": state})
    assert page.status_code == 200
    return page.get_data(as_text=True)


SHOW_NOTE = re.compile(r'formaction="(/note\?[^"]*)"')


def note_page(client: FlaskClient, result: str) -> str:
    """Press the result's "Show the note for the record"; return the note's page."""
    found = SHOW_NOTE.search(result)
    assert found, "the result offers no note"
    page = client.post(unescape(found.group(1)), data={"state": state_of_page(result)})
    assert page.status_code == 200
    return page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_clinician_result_shows_the_note_the_download_gives(app: Flask, lang: str) -> None:
    client = app.test_client()
    case = next(c for c in CASES if c.name == "local_on_trained_limb")
    result = result_page(client, app, case, "clinician", lang)
    assert "note-text" not in result  # one click away: the result page stays light
    html = note_page(client, result)
    found = NOTE.search(html)
    assert found and "readonly" in found.group(0)
    shown = unescape(found.group(1))
    assert shown == note_of(app, case, lang, datetime.now(UTC).date())
    copy = re.search(r"<button[^>]*data-copy=\"note-text\"[^>]*>", html)
    assert copy and " hidden" in copy.group(0)  # shown only by app.js
    with app.test_request_context():
        state = dump_state(State(dict(case.answers), "review"))  # type: ignore[arg-type]
    download = client.post(f"/note.txt?audience=clinician&lang={lang}", data={"state": state})
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert download.headers["Content-Disposition"] == 'attachment; filename="bfr-triage-note.txt"'
    assert download.headers["Content-Language"] == lang
    assert download.get_data(as_text=True) == shown


def test_a_patient_never_gets_the_note(app: Flask) -> None:
    client = app.test_client()
    case = next(c for c in CASES if c.name == "local_on_trained_limb")
    html = result_page(client, app, case, "patient", "en")
    assert "note-text" not in html and "/note" not in html
    assert (
        client.post("/note?audience=patient", data={"state": state_of_page(html)}).status_code
        == 404
    )
    with app.test_request_context():
        state = dump_state(State(dict(case.answers), "review"))  # type: ignore[arg-type]
    assert client.post("/note.txt?audience=patient", data={"state": state}).status_code == 404
    assert client.post("/note.txt?audience=clinician", data={"state": "x"}).status_code == 400


def test_the_share_page_shows_the_same_note(app: Flask, rules: RuleSet) -> None:
    case = next(c for c in CASES if c.name == "clot_points_summed")
    token = make_token(SECRET, parse_answers(rules, case.answers), words=WORDS)
    client = app.test_client()
    shared = client.get(f"/share/{token}?audience=clinician&lang=da").get_data(as_text=True)
    direct = result_page(client, app, case, "clinician", "da")
    on_share, on_result = (
        NOTE.search(note_page(client, shared)),
        NOTE.search(note_page(client, direct)),
    )
    assert on_share and on_result and on_share.group(1) == on_result.group(1)
    patient = client.get(f"/share/{token}?audience=patient").get_data(as_text=True)
    assert "note-text" not in patient


# ---- docs/journal-note.md -------------------------------------------------------------------


def render_doc(app: Flask) -> str:
    parts = [
        "# The note for the record: three golden cases\n",
        "What a clinician copies or downloads from the result page and the share page "
        '("Note for the record"), written by `records/journal.py` for the golden cases in '
        "`tests/cases/`, dated 30 November 2026. `tests/test_journal.py` checks that this file "
        "is what the app writes today; `BFR_UPDATE_DOCS=1 .venv/bin/python -m pytest "
        "tests/test_journal.py` rewrites it.\n",
    ]
    for name in DOC_CASES:
        case = next(c for c in CASES if c.name == name)
        parts.append(f"## `{name}`\n\n{case.source}\n")
        for lang, title in (("en", "English"), ("da", "Dansk")):
            parts.append(f"### {title}\n\n```text\n{note_of(app, case, lang)}```\n")
    return "\n".join(parts)


def test_the_docs_show_the_note_as_the_app_writes_it(app: Flask) -> None:
    written = render_doc(app)
    if UPDATE_DOCS:
        DOC.write_text(written, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == written, "run with BFR_UPDATE_DOCS=1"
