"""A patient and a clinician reach an explained result by keyboard alone, with no cookie.

Guards the hazard of a person who cannot use a mouse, or whose browser blocks cookies (a clinic's
iframe), never reaching the safety advice on the result page. The walks themselves are in
tour.py (run once per session); axe, focus and the rest are checked per screen in test_pages.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bfr_triage.engine import RuleSet, decision_to_dict, evaluate, parse_answers

from .tab import Tab
from .tour import CHANGED_PAIN, LANGS, Tour
from .walk import CLINICIAN_ANSWERS, PATIENT_ANSWERS, Walker, translations

# After the start page: one thing per page, only what applies (patient-flow.md: the shortest path
# is 8 pages, the longest 10, then the result).
MAX_PATIENT_SCREENS = 10


def expected_headline(ruleset: RuleSet, lang: str, audience: str, answers: dict) -> str:
    """Return the headline the engine gives these answers, as the catalogue words it."""
    decision = evaluate(ruleset, parse_answers(ruleset, answers))
    headline = decision_to_dict(ruleset, decision, audience)["headline"]
    return str(translations(lang).gettext(headline))


@pytest.mark.parametrize("lang", LANGS)
def test_patient_reaches_the_result_by_keyboard(
    tour: Tour, live_server: str, ruleset: RuleSet, lang: str
) -> None:
    walk = f"{lang}-patient"
    tour.walk(walk)
    start_page, *screens = tour.urls[walk]
    assert start_page == f"{live_server}/?lang={lang}"
    assert 1 <= len(screens) <= MAX_PATIENT_SCREENS, screens
    assert tour.headlines[walk] == expected_headline(ruleset, lang, "patient", PATIENT_ANSWERS)


@pytest.mark.parametrize("lang", LANGS)
def test_a_changed_answer_changes_the_result(tour: Tour, ruleset: RuleSet, lang: str) -> None:
    assert lang in tour.changed, f"never got there: {tour.broken}"
    changed = {**PATIENT_ANSWERS, "pain_heavy": CHANGED_PAIN}
    expected = expected_headline(ruleset, lang, "patient", changed)
    assert expected != expected_headline(ruleset, lang, "patient", PATIENT_ANSWERS)
    assert tour.changed[lang] == expected


@pytest.mark.parametrize("lang", LANGS)
def test_switching_language_keeps_the_answers(tour: Tour, lang: str) -> None:
    assert lang in tour.switched, f"never got there: {tour.broken}"
    assert tour.switched[lang] == ("da" if lang == "en" else "en", "fwb")


@pytest.mark.parametrize("lang", LANGS)
def test_clinician_reaches_the_result_with_one_submit_of_the_compact_form(
    tour: Tour, live_server: str, ruleset: RuleSet, lang: str
) -> None:
    walk = f"{lang}-clinician"
    tour.walk(walk)
    start_page, intake, result, shared = tour.urls[walk]  # then a share link, asked for
    assert start_page == f"{live_server}/?lang={lang}"
    assert "/intake?" in intake and "/share?" in shared
    assert tour.headlines[walk] == expected_headline(ruleset, lang, "clinician", CLINICIAN_ANSWERS)


def test_patient_reaches_the_result_with_javascript_off(
    new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet
) -> None:
    tab = new_tab(live_server, java_script_enabled=False)
    walker = Walker(tab, live_server, ruleset, "en", "patient")
    walker.go("/")
    walker.begin()
    walker.activate(walker.button("Continue"))  # nothing chosen: the error summary, by autofocus
    # Browsers run autofocus at the next rendering update after the page loads: wait for it (a
    # busy machine once saw the page before that update), then check where the focus went.
    tab.page.wait_for_function("document.activeElement !== document.body", timeout=5_000)
    assert tab.page.evaluate("document.activeElement.className") == "error-summary"
    walker.through(PATIENT_ANSWERS)
    walker.activate(walker.button("See the result"))
    assert walker.headline() == expected_headline(ruleset, "en", "patient", PATIENT_ANSWERS)
    # No control that does nothing: without a script there is no Print button, only the hint.
    assert tab.page.get_by_role("button", name="Print").count() == 0
    assert tab.page.locator("[data-print]").is_hidden()
    assert tab.page.get_by_text("use your browser's Print command").is_visible()


def clinician_result(new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet) -> Tab:
    """Open a tab on a clinician's result: the one-page intake, filled in by keyboard."""
    tab = new_tab(live_server)
    walker = Walker(tab, live_server, ruleset, "en", "clinician")
    walker.go("/intake?audience=clinician")
    walker.answer_all(tuple(ruleset.questions), CLINICIAN_ANSWERS)
    walker.activate(walker.button("See the result"))
    return tab


def test_the_print_button_shows_when_the_script_runs(
    new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet
) -> None:
    tab = clinician_result(new_tab, live_server, ruleset)
    assert tab.page.get_by_role("button", name="Print").is_visible()
    assert tab.page.get_by_text("use your browser's Print command").is_hidden()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_from_the_check_page_walks_the_pages_backwards(
    new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet, javascript: bool
) -> None:
    """Back carries the signed answers (no cookie): the last page, answered, then the one before."""
    tab = new_tab(live_server, java_script_enabled=javascript)
    walker = Walker(tab, live_server, ruleset, "en", "patient")
    walker.go("/?audience=patient")
    walker.activate(walker.button("Start"))
    walker.through(PATIENT_ANSWERS)
    last = ruleset.pages[-1]
    walker.activate(walker.button("Back"))
    assert walker.headline() == walker.t(last.title)
    for qid in last.questions:
        if qid in PATIENT_ANSWERS and isinstance(PATIENT_ANSWERS[qid], str):
            checked = tab.page.locator(f"input[name={qid}]:checked")
            assert checked.get_attribute("value") == PATIENT_ANSWERS[qid], qid
    # The page before it: the limb items, one question, answered "None of these".
    walker.activate(walker.button("Back"))
    assert walker.headline() == walker.t("Does any of these apply to an arm or leg?")
    assert tab.page.locator("input[name=items]:checked").get_attribute("value") == "none"


def test_a_printed_result_leaves_out_the_controls_and_the_share_button(
    new_tab: Callable[..., Tab], live_server: str, ruleset: RuleSet
) -> None:
    tab = clinician_result(new_tab, live_server, ruleset)
    page = tab.page
    assert page.get_by_role("button", name="Make a share link").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".verdict").is_visible()
    assert page.locator("#share-title").is_hidden()  # a button is no use on paper
    assert page.locator(".actions").is_hidden()  # Print, Start again
