"""A clinic's page frames the questionnaire from another site, in a real Chromium.

The clinic's page is served from http://127.0.0.1:<A> and the app from http://localhost:<B>: a
different site, so the frame gets no unpartitioned third-party cookie (and the tab allows none at
all). Guards: the whole questionnaire works inside the frame in English and Danish; the frame fits
its content after every step with no scrollbar of its own; an origin that is not configured gets
no questionnaire; embed.js believes height messages only from its own frame on the app's origin.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, request

from .checks import AXE, AXE_OPTIONS, assert_no_axe_violations, in_view, nu_errors
from .conftest import LOOPBACK, SECRET, serve
from .keyboard import tab_to
from .tab import Tab, origin_of
from .walk import PATIENT_ANSWERS

MIN_HEIGHT, MAX_HEIGHT = 200, 10_000  # the clamp in static/embed.js
FIT = 3  # px: how closely the frame must follow its content
MAX_STEPS = 20
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Our clinic</title></head>
<body><main><h1>Our clinic</h1><p>Is BFR training something for you? Answer below.</p>
<div id="bfr-triage"><a href="{app}/?lang={lang}">Open the questionnaire</a></div>
{spies}</main>
<script src="{app}/static/embed.js" {target} data-bfr-lang="{lang}"
        data-bfr-audience="patient" defer></script>
</body></html>"""
# Two frames that try to resize the clinic's frame: another website, and the app itself in a
# frame that is not the questionnaire's (its own height messages must be ignored too).
SPIES = """<iframe id="spy-other" title="Another website" src="{other}/plain"></iframe>
<iframe id="spy-app" title="The app again" src="{app}/about?embed=1"></iframe>"""
SPY_IDS = ("spy-other", "spy-app")
PLAIN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title>
</head><body><p>Another website.</p></body></html>"""


def host_app() -> Flask:
    """Return a clinic's website: one page that embeds the app with embed.js, one plain page."""
    host = Flask(__name__)

    @host.get("/host")
    def page() -> str:
        app, other = host.config["APP"], host.config["OTHER"]
        spies = SPIES.format(app=app, other=other) if request.args.get("spies") else ""
        lang = request.args.get("lang", "en")
        # Without data-bfr-target the frame goes right after the script.
        target = "" if request.args.get("notarget") else 'data-bfr-target="bfr-triage"'
        return HOST_PAGE.format(app=app, lang=lang, spies=spies, target=target)

    @host.get("/plain")
    def plain() -> str:
        return PLAIN

    return host


def production_app(**settings: Any) -> Any:
    """Build the real app as production runs it, with these settings and no BFR_* variable."""
    from bfr_triage import create_app

    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("BFR_"):
                mp.delenv(name)
        return create_app(
            {"TESTING": False, "SECRET_KEY": SECRET, "TRUSTED_HOSTS": LOOPBACK, **settings}
        )


@dataclass(frozen=True)
class Sites:
    clinic: str  # a clinic the app allows to frame it
    other: str  # a website the app does not allow
    app: str  # the app, on another site than both


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    host = host_app()
    with serve(host) as clinic, serve(host) as other:
        # Bound to 127.0.0.1, reached as localhost: another site than the clinic's 127.0.0.1.
        with serve(production_app(FRAME_ANCESTORS=clinic)) as served:
            app = f"http://localhost:{urlsplit(served).port}"
            host.config.update(APP=app, OTHER=other)
            yield Sites(clinic, other, app)


def open_host(tab: Tab, url: str) -> tuple[Any, Any]:
    """Open a clinic's page; return the iframe element made by embed.js and its loaded frame."""
    tab.page.goto(url)
    iframe = tab.page.locator("iframe.bfr-triage-frame")
    iframe.wait_for()
    frame = iframe.element_handle().content_frame()
    frame.wait_for_load_state("load")
    return iframe, frame


def wait_until(check: Callable[[], bool], what: str, seconds: float = 5) -> None:
    """Poll `check` until it holds; fail with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.05)


def measure(iframe: Any, frame: Any) -> dict[str, int]:
    inner = frame.evaluate(
        """() => ({content: Math.ceil(document.documentElement.getBoundingClientRect().height),
                   scroll: document.documentElement.scrollHeight, viewport: innerHeight})"""
    )
    return {"frame": iframe.evaluate("el => el.clientHeight"), **inner}


def settled(iframe: Any, frame: Any) -> dict[str, int]:
    """Wait (up to 5 s) until the frame is as tall as its content; return the heights."""
    deadline = time.monotonic() + 5
    while True:
        sizes = measure(iframe, frame)
        fits = abs(sizes["frame"] - sizes["content"]) <= FIT
        # The frame's own viewport catches up a moment later (it runs in another process).
        if fits and sizes["viewport"] == sizes["frame"] or time.monotonic() > deadline:
            return sizes
        time.sleep(0.05)


def assert_fits(iframe: Any, frame: Any, where: str) -> int:
    """Assert the frame follows its content, without a scrollbar of its own; return its height."""
    sizes = settled(iframe, frame)
    assert abs(sizes["frame"] - sizes["content"]) <= FIT, f"{where}: {sizes}"
    assert sizes["scroll"] <= sizes["viewport"], f"{where}: the frame scrolls inside: {sizes}"
    return int(sizes["frame"])


def answer(frame: Any, answers: dict[str, Any]) -> None:
    """Fill in every question on the frame's page from `answers`."""
    names = frame.locator("main input:not([type=hidden])").evaluate_all(
        "els => [...new Set(els.map(e => e.name))]"
    )
    for name in names:
        values = answers[name]
        for value in values if isinstance(values, list) else [values]:
            field = frame.locator(f'input[name="{name}"]')
            if field.first.get_attribute("type") == "text":
                field.fill(str(value))
            else:
                frame.locator(f'input[name="{name}"][value="{value}"]').check()


def complete_in_frame(iframe: Any, frame: Any, lang: str) -> list[int]:
    """Answer the whole questionnaire inside the frame; check fit, language and axe on each page.

    Step 0 is the start page, step 1 the first question page.
    """
    # The region step and the limb items' first step take answers of the pages, not the engine.
    answers = {"audience": "patient", "region": "knee", "items": ["none"], **PATIENT_ANSWERS}
    heights = []
    for step in range(MAX_STEPS):
        where = f"{lang} step {step}: {frame.url}"
        assert parse_qs(urlsplit(frame.url).query).get("embed") in (["1"], None), where
        assert frame.evaluate("document.documentElement.lang") == lang, where
        assert frame.locator("header.site, footer.site").count() == 0, where
        heights.append(assert_fits(iframe, frame, where))
        assert iframe.get_attribute("title") == frame.title(), where
        assert_no_axe_violations(frame, where)
        if frame.locator(".verdict").count():
            return heights
        # The first question page is sent once unanswered: its error page must fit and pass too.
        assert (frame.locator(".error-summary").count() > 0) == (step == 2), where
        if step != 1:
            answer(frame, answers)
        with frame.expect_navigation():
            frame.locator("main button.button[value=next]").click()
        frame.wait_for_load_state("load")
        # embed.js brings the top of the next page into view (the click was at the bottom).
        wait_until(lambda: iframe.evaluate("el => el.getBoundingClientRect().top") > -1, where)
    raise AssertionError(f"no result after {MAX_STEPS} pages")


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_patient_completes_the_questionnaire_in_a_clinics_frame(
    new_tab: Callable[..., Tab], sites: Sites, lang: str
) -> None:
    tab = new_tab(sites.clinic, sites.app)
    iframe, frame = open_host(tab, f"{sites.clinic}/host?lang={lang}")
    query = parse_qs(urlsplit(iframe.get_attribute("src")).query)
    assert query == {"lang": [lang], "audience": ["patient"], "embed": ["1"]}
    heights = complete_in_frame(iframe, frame, lang)
    assert len(set(heights)) > 2, heights  # the frame really changed size with the pages
    assert iframe.get_attribute("referrerpolicy") == "no-referrer"
    results = AXE.run(tab.page, options={**AXE_OPTIONS, "iframes": False})
    assert results.violations_count == 0, results.generate_report()
    # Two sites and no third: no font, script or beacon from anywhere else, and no cookie.
    assert {origin_of(r.split()[1]) for r in tab.requests} == {sites.clinic, sites.app}
    tab.assert_clean()


def test_the_frame_follows_its_content_when_the_window_narrows(
    new_tab: Callable[..., Tab], sites: Sites
) -> None:
    tab = new_tab(sites.clinic, sites.app)
    iframe, frame = open_host(tab, f"{sites.clinic}/host?lang=da&notarget=1")
    assert iframe.evaluate("el => el.previousElementSibling.src.endsWith('/static/embed.js')")
    wide = assert_fits(iframe, frame, "wide")
    tab.page.set_viewport_size({"width": 320, "height": 700})
    narrow = assert_fits(iframe, frame, "narrow")
    assert narrow > wide
    tab.page.set_viewport_size({"width": 1000, "height": 900})
    assert assert_fits(iframe, frame, "wide again") == wide


def test_a_website_that_is_not_allowed_gets_no_questionnaire(
    new_tab: Callable[..., Tab], sites: Sites
) -> None:
    tab = new_tab(sites.other, sites.app)
    iframe, frame = open_host(tab, f"{sites.other}/host?lang=en")
    assert frame.url.startswith("chrome-error://"), frame.url
    assert iframe.evaluate("el => el.clientHeight") == MIN_HEIGHT
    blocked = [r for r in tab.csp_reports if "frame-ancestors" in r]
    assert blocked, tab.csp_reports  # Chromium says why it refused
    tab.csp_reports.clear()  # provoked on purpose; every other check of the tab still runs


def post_from(page: Any, source: Any, message: str) -> None:
    """Post `message` (a JS expression) to the clinic's page from `source`; wait until handled.

    A listener added now runs after embed.js's, so once it has seen the message, embed.js has too.
    """
    page.evaluate(
        """() => { window.handled = new Promise(done => addEventListener('message',
             e => { if (e.data && e.data.probe) done(); })); }"""
    )
    source.evaluate(f"() => window.parent.postMessage({{...{message}, probe: 1}}, '*')")
    page.evaluate("() => window.handled")


def height_of(iframe: Any) -> int:
    return int(iframe.evaluate("el => el.clientHeight"))


def test_embed_js_believes_only_its_own_frame_on_the_apps_origin(
    new_tab: Callable[..., Tab], sites: Sites
) -> None:
    tab = new_tab(sites.clinic, sites.app, sites.other)
    page = tab.page
    iframe, frame = open_host(tab, f"{sites.clinic}/host?lang=en&spies=1")
    fitted = assert_fits(iframe, frame, "start")
    other, spy = (page.locator(f"#{i}").element_handle().content_frame() for i in SPY_IDS)
    for spying in (other, spy):
        spying.wait_for_load_state("load")
    assert spy.evaluate("window.parent !== window")  # it is framed and posts its own height
    fake = "{type: 'bfr-triage:height', height: 4321}"
    for source, who in [(page.main_frame, "the clinic's page"), (other, "another origin"),
                        (spy, "another frame of the app")]:  # fmt: skip
        post_from(page, source, fake)
        assert height_of(iframe) == fitted, who
    for bad in ["'4321px'", "''", "NaN", "Infinity", "null", "[4321]", "{}", "true"]:
        post_from(page, frame, f"{{type: 'bfr-triage:height', height: {bad}}}")
        assert height_of(iframe) == fitted, bad
    post_from(page, frame, "{type: 'other', height: 4321}")
    assert height_of(iframe) == fitted
    for sent, clamped in [("1e9", MAX_HEIGHT), ("-50", MIN_HEIGHT), ("'777.2'", 778)]:
        post_from(page, frame, f"{{type: 'bfr-triage:height', height: {sent}}}")
        assert height_of(iframe) == clamped, sent
    # The frame itself, once it shows another website (a link followed inside it), is not believed.
    iframe.evaluate("(el, url) => { el.src = url; }", f"{sites.other}/plain")
    elsewhere = iframe.element_handle().content_frame()
    elsewhere.wait_for_url(f"{sites.other}/plain")
    post_from(page, elsewhere, fake)
    assert height_of(iframe) == 778


def test_the_demo_page_frames_the_app_from_its_own_origin(
    new_tab: Callable[..., Tab], sites: Sites
) -> None:
    tab = new_tab(sites.app)
    iframe, frame = open_host(tab, f"{sites.app}/embed/demo?lang=da")
    assert frame.url == f"{sites.app}/?lang=da&audience=patient&embed=1"
    assert_fits(iframe, frame, "demo")
    assert_no_axe_violations(frame, "demo frame")
    results = AXE.run(tab.page, options={**AXE_OPTIONS, "iframes": False})
    assert results.violations_count == 0, results.generate_report()
    tab.page.goto(f"{sites.app}/embed?lang=da")
    assert_no_axe_violations(tab.page, "page for clinics")
    tab.page.set_viewport_size({"width": 320, "height": 700})
    # The copy-paste snippet wraps: the page never scrolls sideways on a phone.
    assert tab.page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_pages_for_clinics_are_valid_html(vnu: list[str], tmp_path: Path) -> None:
    client = production_app(
        FRAME_ANCESTORS="https://clinic.example",
        BRAND_COLOUR="#1d4f91",
        LOGO_URL="/static/favicon.svg",
    ).test_client()
    paths = (("guide", "/embed?"), ("demo", "/embed/demo?"), ("start", "/?"),
             ("start-named", "/?audience=patient&embed=1&"))  # fmt: skip
    pages = {
        f"{name}-{lang}": client.get(f"{path}lang={lang}").get_data(as_text=True)
        for name, path in paths
        for lang in ("en", "da")
    }
    assert nu_errors(vnu, pages, tmp_path) == []


@pytest.mark.parametrize("colour", ["#ffdd00", "#1d4f91"])
def test_a_clinic_colour_and_logo_keep_the_pages_readable(
    new_tab: Callable[..., Tab], colour: str
) -> None:
    themed = production_app(BRAND_COLOUR=colour, LOGO_URL="/static/favicon.svg")
    with serve(themed) as app:
        tab = new_tab(app)
        tab.page.goto(f"{app}/")
        header = tab.page.locator("header.site")
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        for painted in (header, tab.page.locator("main .button").first):
            background = painted.evaluate("el => getComputedStyle(el).backgroundColor")
            assert background == f"rgb({red}, {green}, {blue})"
        logo = header.locator("img.clinic-logo")
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
        assert_no_axe_violations(tab.page, f"themed {colour}")
        tab.close()  # checked while the server still runs


@pytest.mark.parametrize("lang", ["en", "da"])
def test_an_error_summary_link_brings_its_question_into_view_in_a_clinics_frame(
    new_tab: Callable[..., Tab], sites: Sites, lang: str
) -> None:
    """In a cross-site frame the browser neither autofocuses nor scrolls the host to a #link:
    app.js focuses the summary, then, for a link, the question's first answer, and scrolls the
    question (its legend) into the host's window."""
    tab = new_tab(sites.clinic, sites.app)
    page = tab.page
    iframe, frame = open_host(tab, f"{sites.clinic}/host?lang={lang}")
    assert frame.locator("input[name=audience]").count() == 0  # named by data-bfr-audience
    with frame.expect_navigation():
        frame.locator("main button.button[value=next]").click()
    # Where, what and which leg; then on the loading page only its first question answered:
    # the last error link is for the last question, far down the page.
    for name, value in (("region", "knee"), ("condition", PATIENT_ANSWERS["condition"]),
                        ("limb", PATIENT_ANSWERS["limb"])):  # fmt: skip
        frame.locator(f'input[name={name}][value="{value}"]').check()
        with frame.expect_navigation():
            frame.locator("main button.button[value=next]").click()
    frame.locator('input[name=weight_bearing][value="fwb"]').check()
    with frame.expect_navigation():
        frame.locator("main button.button[value=next]").click()
    frame.wait_for_load_state("load")
    assert_fits(iframe, frame, "error page")
    # wait_for_function would poll with eval, which the app's CSP forbids: poll from here.
    focused = "document.activeElement.className"
    wait_until(lambda: frame.evaluate(focused) == "error-summary", "the summary focused")
    legend = frame.locator("#q-cannot_train_heavy legend")
    assert not in_view(page, legend, iframe), "the question was on screen before the jump"
    tab_to(page, frame.locator(".error-summary a").last)
    page.keyboard.press("Enter")
    last = "document.activeElement.name"
    wait_until(lambda: frame.evaluate(last) == "cannot_train_heavy", "the last question focused")
    wait_until(lambda: in_view(page, legend, iframe), "the question's legend on screen")
    assert frame.evaluate("location.hash") == ""  # the script did it, not a fragment
