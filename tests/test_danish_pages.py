"""Every page, error state, golden-case result and API answer in Danish shows no English text.

The English side is the catalogue itself: every msgid whose Danish differs, split at its
placeholders, in pieces of four words or more (shorter ones, such as "Knee", can be a name or a
code). References (citations) are English by design and are not msgids, so they never match.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import webflow
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from golden import CASES, Case
from webflow import PATIENT, share, state_of
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from bfr_triage.engine import RuleSet, parse_answers
from bfr_triage.engine.model import Question
from bfr_triage.web import limbitems
from bfr_triage.web.errors import render_error
from bfr_triage.web.share import make_token
from bfr_triage.web.state import State, dump_state

PO = Path(__file__).resolve().parents[1] / "translations" / "da" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
MIN_WORDS = 4
AUDIENCES = ("patient", "clinician")


@cache
def english_phrases() -> frozenset[str]:
    """Return the English source phrases that must not appear on a Danish page."""
    with PO.open("rb") as f:
        catalog = read_po(f, locale="da")
    phrases = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        danish = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in danish:
                continue  # the same in both languages, such as a code or a name
            for piece in PLACEHOLDER.split(msgid):
                piece = " ".join(piece.split()).strip(" .,:;")
                if len(piece.split()) >= MIN_WORDS:
                    phrases.add(piece)
    return frozenset(phrases)


def visible_text(page: str) -> str:
    """Return what a reader or a screen reader gets: text, titles, labels and alt texts."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    spoken = re.findall(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(" ".join([text, *spoken])).split())


def english_in(text: str) -> list[str]:
    return sorted(p for p in english_phrases() if p in text)


def assert_danish(response: TestResponse, what: str) -> str:
    """Fail if the page is not Danish: wrong <html lang>, or an English source phrase in it."""
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page, f"{what}: not served in Danish ({response.status_code})"
    found = english_in(visible_text(page))
    assert not found, f"{what} ({response.status_code}) shows English: {found}"
    return page


class Danish:
    """A test client that asks for Danish by ?lang=da or by Accept-Language: da."""

    def __init__(self, client: FlaskClient, via: str) -> None:
        self.client, self.via = client, via
        self.headers = {"Accept-Language": "da" if via == "header" else "en-GB,en;q=0.9"}

    def url(self, path: str) -> str:
        return path if self.via == "header" else f"{path}{'&' if '?' in path else '?'}lang=da"

    def get(self, path: str) -> TestResponse:
        return self.client.get(self.url(path), headers=self.headers)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.post(self.url(path), data=data, headers=self.headers, **kwargs)

    def walk(self, rs: RuleSet, answers: dict[str, Any], audience: str) -> list[TestResponse]:
        """Answer each page the app shows, then ask for the result; return every response."""
        return webflow.walk(self, rs, answers, audience)  # type: ignore[arg-type]


@pytest.fixture(params=["query", "header"])
def da(request: pytest.FixtureRequest, client: FlaskClient) -> Danish:
    return Danish(client, request.param)


def test_the_catalogue_gives_phrases_to_look_for() -> None:
    phrases = english_phrases()
    assert "Have you ever had a blood clot in a leg, an arm or the lungs?" in phrases
    assert "Check your answers" not in phrases  # three words: too short to tell from a name
    assert english_in("We ask: Have you ever had a blood clot in a leg, an arm or the lungs?")


def test_start_and_every_question_page(da: Danish, ruleset: RuleSet) -> None:
    for audience in AUDIENCES:
        assert_danish(da.get(f"/?audience={audience}"), "start")
        for page in ruleset.pages:
            assert_danish(da.get(f"/q/{page.id}?audience={audience}"), f"page {page.id}")
    page = assert_danish(da.post("/start", {}), "start without an audience")
    assert "Der er problemer" in page


def _bad_values(q: Question, attempt: int) -> list[str]:
    """Return a wrong answer to `q`: a second attempt tries another kind of mistake."""
    if q.type == "multi":
        return [q.exclusive[0], q.values[0]] if q.exclusive and attempt == 0 else ["bogus"]
    if q.type == "integer":
        return ["abc" if attempt == 0 else str((q.max or 0) + 1)]
    return ["bogus"]


def _forms(rs: RuleSet, page_id: str, audience: str) -> Iterator[list[tuple[str, str]]]:
    page = next(p for p in rs.pages if p.id == page_id)
    questions = [rs.questions[q] for q in page.questions]
    shown = [q for q in questions if q.audience == "all" or audience == "clinician"]
    shown = [q for q in shown if q.ask_when is None]  # the others are not on a blank page
    yield []  # nothing answered
    if limbitems.is_limb_grid(rs, page):  # asked as items, then where
        yield [("items", "none"), ("items", questions[0].id)]
        yield [("stage", "where"), ("items", questions[0].id)]
        return
    for attempt in (0, 1):
        yield [(q.id, v) for q in shown for v in _bad_values(q, attempt)]


def test_every_validation_message(da: Danish, ruleset: RuleSet) -> None:
    for audience in AUDIENCES:
        for page in ruleset.pages:
            if all(ruleset.questions[q].ask_when for q in page.questions):
                continue  # asked only after other answers (test_web_branching.py)
            first = da.get(f"/q/{page.id}?audience={audience}")
            for form in _forms(ruleset, page.id, audience):
                form += [("state", state_of(first)), ("action", "next")]
                response = da.post(f"/q/{page.id}?audience={audience}", MultiDict(form))
                html_page = assert_danish(response, f"errors on {page.id} ({audience})")
                assert "Der er problemer" in html_page and "Fejl:" in html_page


def test_check_page_and_missing_answers(da: Danish, ruleset: RuleSet) -> None:
    for audience in AUDIENCES:
        screens = da.walk(ruleset, PATIENT, audience)
        assert "Tjek dine svar" in assert_danish(screens[-2], f"check ({audience})")
        partial = state_of(screens[1])  # only the first page answered
        missing = da.post(f"/result?audience={audience}", {"state": partial})
        assert "Der er problemer" in assert_danish(missing, "check with missing answers")
        back = da.post(
            f"/q/{ruleset.pages[1].id}?audience={audience}",
            {"state": partial, "action": "back"},
        )
        assert_danish(back, "back to the first page")


# Each case in both wordings, asking for Danish by ?lang= and by Accept-Language in turn.
@pytest.mark.parametrize(
    ("case", "via"),
    [pytest.param(c, ("query", "header")[i % 2], id=c.name) for i, c in enumerate(CASES)],
)
def test_golden_case_result(app: Flask, client: FlaskClient, case: Case, via: str) -> None:
    da = Danish(client, via)
    with app.app_context():  # sign the answers as the last question page would
        state = dump_state(State(dict(case.answers)))
    # A case with answers left out ends on "Check your answers", listing what is missing.
    shown = (f"verdict-{case.verdict}", "Der er problemer")
    for audience in AUDIENCES:
        response = da.post(f"/result?audience={audience}", {"state": state})
        page = assert_danish(response, f"result of {case.name} ({audience})")
        assert any(s in page for s in shown)


def test_expired_share_link_and_server_error(app: Flask, da: Danish) -> None:
    answers = parse_answers(app.extensions["bfr_ruleset"], PATIENT)
    long_ago = int(time.time()) - 400 * 86_400
    expired = da.get(f"/share/{make_token(str(app.secret_key), answers, now=long_ago)}")
    assert expired.status_code == 410
    assert_danish(expired, "expired share link")
    # A 500 cannot be caused on purpose: render the page the error handler returns.
    headers = da.headers if da.via == "header" else {}
    with app.test_request_context(da.url("/"), headers=headers):
        page, code = render_error(500, 500)
    assert code == 500 and '<html lang="da">' in page
    assert not english_in(visible_text(page)), english_in(visible_text(page))


@pytest.mark.parametrize(("days", "words"), [(1, "1 dag."), (2, "2 dage."), (30, "30 dage.")])
def test_an_expired_link_counts_its_days_in_danish(days: int, words: str) -> None:
    """A number is followed by the form that fits it: 1 dag, 2 dage (never "1 dage")."""
    from bfr_triage import create_app

    app = create_app({"ENV": "development", "TESTING": True, "SHARE_MAX_AGE_DAYS": days})
    answers = parse_answers(app.extensions["bfr_ruleset"], PATIENT)
    long_ago = int(time.time()) - (days + 1) * 86_400
    token = make_token(str(app.secret_key), answers, now=long_ago)
    page = app.test_client().get(f"/share/{token}?lang=da")
    assert page.status_code == 410
    assert f"Delingslinks virker i {words}" in page.get_data(as_text=True)


def test_english_references_are_marked_english(da: Danish) -> None:
    """A screen reader reads a reference in English, not with a Danish voice."""
    for audience in AUDIENCES:
        page = da.get(f"/about?audience={audience}").get_data(as_text=True)
        items = re.findall(r'<ol class="sources">(.*?)</ol>', page, re.S)
        assert items, "the page lists its references"
        references = re.findall(r"<li[^>]*>(.*?)</li>", items[0], re.S)
        assert len(references) > 10
        assert all(r.startswith('<span lang="en">') for r in references), references[:3]


def test_error_pages(da: Danish) -> None:
    tampered = da.post("/check", {"state": "tampered"})
    assert tampered.status_code == 400
    assert_danish(tampered, "tampered state")
    for response, code in (
        (da.get("/no-such-page"), 404),
        (da.get("/q/no-such-page"), 404),
        (da.get("/check"), 405),
        (da.post("/q/condition", {"state": "x" * 100_000}), 413),
        (da.get("/share/not-a-token"), 400),
    ):
        assert response.status_code == code, response.request.path
        assert_danish(response, f"error {code}")


def test_about_intake_embed_and_share_pages(da: Danish, ruleset: RuleSet) -> None:
    for audience in AUDIENCES:
        assert_danish(da.get(f"/about?audience={audience}"), f"about ({audience})")
    assert_danish(da.get("/intake"), "intake")
    empty = da.post("/intake", {"state": state_of(da.get("/intake")), "action": "next"})
    assert "Der er problemer" in assert_danish(empty, "intake without answers")
    assert_danish(da.get("/embed"), "embed guide")
    assert_danish(da.get("/embed/demo"), "embed demo")
    for audience in AUDIENCES:
        result = da.walk(ruleset, PATIENT, audience)[-1]
        page = assert_danish(share(da.client, result, headers=da.headers), f"share ({audience})")
        url = re.search(r'id="share-url"[^>]*value="([^"]+)"', page)
        assert url, "the share page shows no link"
    path = html.unescape(url.group(1)).split("://", 1)[-1].partition("/")[2]
    token_path = "/" + path.partition("?")[0]
    assert_danish(da.get(token_path), "open a shared result")
    for audience in AUDIENCES:
        assert_danish(da.get(f"{token_path}?audience={audience}"), f"shared ({audience})")


def _strings(data: Any) -> Iterator[str]:
    """Yield every string in a JSON document, references (citations) left out."""
    if isinstance(data, dict):
        for key, value in data.items():
            # Citations are references; "schema" is JSON Schema, English like the OpenAPI document.
            if key not in ("citation", "schema"):
                yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
    elif isinstance(data, str):
        yield data


def assert_danish_json(response: TestResponse, what: str) -> None:
    found = english_in(" ".join(_strings(response.get_json())))
    assert not found, f"{what} ({response.status_code}) returns English: {found}"


def test_api_labels_fhir_and_problems(da: Danish) -> None:
    questionnaire = da.get("/api/v1/questionnaire")
    assert questionnaire.get_json()["language"] == "da"
    assert_danish_json(questionnaire, "question catalogue")
    for audience in AUDIENCES:
        fhir = da.get(f"/api/v1/fhir/Questionnaire/bfr-triage-{audience}-da")
        assert fhir.get_json(force=True)["language"] == "da"
        assert_danish_json(fhir, f"FHIR Questionnaire ({audience})")
    for case in CASES:
        body = {"audience": case.audience, "answers": case.answers}
        response = da.post("/api/v1/assessments", json=body)
        assert response.status_code == 200
        assert_danish_json(response, f"assessment of {case.name}")
        fhir = da.post("/api/v1/fhir/QuestionnaireResponse", json=body)
        assert_danish_json(fhir, f"FHIR QuestionnaireResponse of {case.name}")
    bad = da.post("/api/v1/assessments", json={"audience": "x", "answers": {"limb": "tail"}})
    assert bad.status_code == 422
    assert_danish_json(bad, "invalid assessment")
    for response in (
        da.get("/api/v1/nothing"),
        da.get("/api/v1/assessments"),
        da.get("/api/v1/fhir/Questionnaire/nothing"),
    ):
        assert_danish_json(response, f"API error {response.status_code}")


# Keys of an assessment whose values are sentences for people (the rest are codes and numbers).
TEXT_KEYS = ("headline", "next_step", "text", "action", "label", "evidence", "honesty_note", "note")


def _texts(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in TEXT_KEYS and isinstance(value, str) and value:
                yield f"{path}/{key}", value
            elif key != "answers":
                yield from _texts(value, f"{path}/{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _texts(value, f"{path}/{i}")


def test_api_texts_all_change_language(client: FlaskClient) -> None:
    """Catch English the catalogue does not know: every text must differ between en and da."""
    with PO.open("rb") as f:
        same = {m.id for m in read_po(f, locale="da") if m.id and m.string == m.id}
    untranslated = set()
    for case in CASES:
        for audience in AUDIENCES:
            body = {"audience": audience, "answers": case.answers}
            en, da = (
                dict(_texts(client.post(f"/api/v1/assessments?lang={lang}", json=body).get_json()))
                for lang in ("en", "da")
            )
            assert en.keys() == da.keys()
            untranslated |= {(p, en[p]) for p in en if en[p] == da[p] and en[p] not in same}
    assert not untranslated, f"English in Danish assessments: {sorted(untranslated)}"
