"""The note for the record in Chromium: readable and selectable without script; with script a
copy button appears and puts exactly the note on the clipboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from golden import CASES

from bfr_triage.engine import RuleSet, parse_answers
from bfr_triage.web.share import make_token, vocabulary

from .conftest import SECRET
from .tab import Tab

CASE = next(c for c in CASES if c.name == "clot_points_summed")


def shared(live_server: str, ruleset: RuleSet, lang: str) -> str:
    token = make_token(SECRET, parse_answers(ruleset, CASE.answers), words=vocabulary(ruleset))
    return f"{live_server}/share/{token}?audience=clinician&lang={lang}"


def open_note(page: Any, words: str) -> None:
    """On a clinician's result, press the button that shows the note (one click away)."""
    with page.expect_navigation():
        page.get_by_role("button", name=words).click()


def test_the_copy_button_copies_the_note(
    new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet
) -> None:
    tab = new_tab(live_server)
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = tab.page
    page.goto(shared(live_server, ruleset, "da"))
    open_note(page, "Vis journalnotatet")
    note = page.locator("#note-text")
    text = note.input_value()
    assert text.startswith("Screening for okklusionstræning") and "Risikopoint" in text
    button = page.get_by_role("button", name="Kopiér notatet")
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == text
    assert page.locator(".copy-status").inner_text() == "Notatet er kopieret."


def test_without_script_the_note_is_there_and_no_dead_button(
    new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet
) -> None:
    tab = new_tab(live_server, java_script_enabled=False)
    page = tab.page
    page.goto(shared(live_server, ruleset, "en"))
    open_note(page, "Show the note for the record")
    assert page.locator("#note-text").is_visible()
    assert page.locator("#note-text").input_value().startswith("BFR training screening")
    assert not page.get_by_role("button", name="Copy the note").is_visible()
    assert page.get_by_role("button", name="Download the note (.txt)").is_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the note (.txt)").click()
    path = info.value.path()
    assert path.read_text(encoding="utf-8") == page.locator("#note-text").input_value()


def test_the_note_is_left_out_of_the_printed_result(
    new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet
) -> None:
    page = new_tab(live_server).page
    page.goto(shared(live_server, ruleset, "en"))
    assert page.locator("section.note").is_visible()
    page.emulate_media(media="print")
    assert page.locator("section.note").is_hidden()  # the record gets the text, not paper
    assert page.locator(".verdict").is_visible()
