"""The browser checks themselves can fail: each is shown a small page built to break it, once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, Response

from .checks import (
    assert_no_axe_violations,
    focus_is_visible,
    nu_errors,
    overflow_at,
    page_weight,
    small_targets,
)
from .conftest import serve
from .keyboard import tab_to
from .tab import Tab

CSS = (
    "input, button { min-height: 2.5rem; }\n"
    ".tiny { min-height: 0; width: 10px; height: 10px; }\n"
    ".wide { width: 600px; }\n"
)
GOOD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Good page</title>
<link rel="stylesheet" href="/site.css"></head>
<body><main><h1>A good page</h1>
<form action="/good" method="get"><label for="q">Your name</label> <input id="q" name="q">
<button>Continue</button></form></main></body></html>"""
BROKEN = """<!doctype html>
<html><head><meta charset="utf-8"><title>Broken page</title>
<link rel="stylesheet" href="/site.css">
<style>*:focus { outline: none; }</style></head>
<body><h1 class="wide">A broken page</h1><img src="/site.css">
<form><input name="q"><button class="tiny"></button></form></body></html>"""


def tiny_app() -> Flask:
    """Return an app with one good page and one page that breaks every rule the checks know."""
    app = Flask(__name__)

    @app.get("/good")
    def good() -> str:
        return GOOD

    @app.get("/broken")
    def broken() -> Response:
        html = BROKEN + '<link rel="stylesheet" href="https://example.invalid/font.css">'
        response = Response(html)
        response.set_cookie("session", "x")
        return response

    @app.get("/site.css")
    def css() -> Response:
        return Response(CSS, mimetype="text/css")

    return app


@pytest.fixture(scope="module")
def tiny() -> Iterator[str]:
    with serve(tiny_app()) as origin:
        yield origin


@pytest.fixture
def tiny_tab(new_tab: Callable[..., Tab], tiny: str) -> Tab:
    return new_tab(tiny)


def test_a_good_page_passes_every_check(tiny_tab: Tab, tiny: str) -> None:
    page = tiny_tab.page
    page.goto(f"{tiny}/good")
    assert_no_axe_violations(page)
    assert small_targets(page) == []
    assert overflow_at(page) == []
    tab_to(page, page.get_by_label("Your name"))
    visible, drawn = focus_is_visible(page)
    assert visible, drawn
    assert tiny_tab.screens == [f"{tiny}/good"]
    assert page_weight(page) == {f"{tiny}/good": len(GOOD), f"{tiny}/site.css": len(CSS)}


def test_a_broken_page_fails_every_check(tiny_tab: Tab, tiny: str) -> None:
    page = tiny_tab.page
    page.goto(f"{tiny}/broken")
    with pytest.raises(AssertionError) as failed:
        assert_no_axe_violations(page)
    for rule in ("html-has-lang", "image-alt", "label", "button-name", "target-size"):
        assert rule in str(failed.value)
    assert len(small_targets(page)) == 1
    assert [o.split(" ", 1)[1][:15] for o in overflow_at(page)] == ['<h1 class="wide']
    tab_to(page, page.locator("input[name=q]"))
    visible, drawn = focus_is_visible(page)
    assert not visible, drawn
    page.evaluate("document.cookie = 'js=1'")
    assert page.evaluate("document.cookie") == ""
    assert tiny_tab.set_cookies() == [f"{tiny}/broken: session=x; Path=/"]
    assert set(tiny_tab.foreign) == {"https://example.invalid/font.css"}
    with pytest.raises(AssertionError, match="Set-Cookie headers"):
        tiny_tab.assert_clean()
    tiny_tab.discard()


def test_the_nu_checker_reports_broken_html(vnu: list[str], tmp_path: Path) -> None:
    errors = nu_errors(vnu, {"good": GOOD, "broken": BROKEN + "<p><div></p>"}, tmp_path)
    assert errors and all(e.startswith("broken:") for e in errors), errors
