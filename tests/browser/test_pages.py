"""Every page type, in English and Danish, error states included, passes the browser checks.

Guards the hazard of a page some people cannot use: unreadable to a screen reader, invisible focus,
targets too small for an unsteady hand, an error that is not announced, a page too heavy for a
poor connection, or one that talks to another site about a person's health.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .checks import nu_errors
from .tour import ERROR_SCREENS, FORM_SCREENS, LANGS, SCREENS, WALK_NAMES, Tour

MAX_RESULT_BYTES = 40 * 1024  # HTML + CSS + JS of the result page, uncompressed (issue 3)
STATUS = {"404": 404, "405": 405, "400-state": 400, "413": 413}
EVERY_SCREEN = [pytest.param(lang, s, id=f"{lang}-{s}") for lang in LANGS for s in SCREENS]


@pytest.mark.parametrize("walk", WALK_NAMES)
def test_walk_reaches_its_end_without_cookie_or_other_origin(tour: Tour, walk: str) -> None:
    tour.walk(walk)
    assert tour.tabs[walk] == {}
    # The counter saw the page and its files on every screen: every request, all to the app.
    assert len(tour.requests[walk]) >= 3 * len(tour.urls[walk]), tour.requests[walk]


@pytest.mark.parametrize(("lang", "name"), EVERY_SCREEN)
def test_axe_finds_no_violation(tour: Tour, lang: str, name: str) -> None:
    report = tour.screen(lang, name).axe
    assert not report, report


@pytest.mark.parametrize(("lang", "name"), EVERY_SCREEN)
def test_page_has_its_language_status_large_targets_and_reflows(
    tour: Tour, lang: str, name: str
) -> None:
    screen = tour.screen(lang, name)
    assert screen.lang == lang
    assert screen.status == STATUS.get(name, 200)
    assert screen.small_targets == []
    assert screen.overflow == []


@pytest.mark.parametrize("name", FORM_SCREENS)
def test_every_stop_shows_focus(tour: Tour, name: str) -> None:
    screen = tour.screen("en", name)
    assert screen.stops >= 3, "the sweep found almost nothing to Tab to"
    assert screen.no_visible_focus == []


@pytest.mark.parametrize(
    ("lang", "name"),
    [pytest.param(lang, s, id=f"{lang}-{s}") for lang in LANGS for s in ERROR_SCREENS],
)
def test_error_summary_takes_focus_after_a_failed_submit(tour: Tour, lang: str, name: str) -> None:
    screen = tour.screen(lang, name)
    summary, prefix = (
        ("There is a problem", "Error:") if lang == "en" else ("Der er problemer", "Fejl:")
    )
    assert screen.focused.startswith("div.error-summary"), screen.focused
    assert summary in screen.focused
    assert screen.html.split("<title>")[1].startswith(prefix)


@pytest.mark.parametrize("lang", LANGS)
def test_error_summary_link_takes_focus_to_its_field(tour: Tour, lang: str) -> None:
    assert lang in tour.jumps, f"never tried: {tour.broken}"
    href, focused, legend_in_view = tour.jumps[lang]
    assert (href, focused) == ("#q-cannot_train_heavy", "cannot_train_heavy")
    assert legend_in_view, "the question scrolled off the screen"


@pytest.mark.parametrize(
    "walk", [f"{lang}-{w}" for lang in LANGS for w in ("patient", "clinician")]
)
def test_result_page_weighs_at_most_40_kb(tour: Tour, walk: str) -> None:
    assert walk in tour.weights, f"no result reached: {tour.broken}"
    weights = tour.weights[walk]
    total = sum(weights.values())
    assert total <= MAX_RESULT_BYTES, weights
    assert any(url.endswith(".css") for url in weights), weights


def test_nu_html_checker_finds_no_error(tour: Tour, vnu: list[str], tmp_path: Path) -> None:
    pages = {key: screen.html for key, screen in tour.screens.items()}
    assert len(pages) == len(LANGS) * len(SCREENS), f"missing screens: {tour.broken}"
    assert nu_errors(vnu, pages, tmp_path) == []


def test_screenshots_show_the_start_page_and_a_result(tour: Tour) -> None:
    shots = (("start", 600), ("question", 600), ("result", 1200))
    for name, min_height in ((f"{n}{s}.png", h) for n, h in shots for s in ("", "-da")):
        path = tour.shots / name
        assert path.stat().st_mtime >= tour.started, f"{name} was not made by this run"
        png = path.read_bytes()
        assert png.startswith(b"\x89PNG")
        height = int.from_bytes(png[20:24], "big")
        assert height >= min_height, (name, height)
