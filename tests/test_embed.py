"""Embed mode, framing headers, the clinic theme and the pages for clinics (Flask test client).

Guards: a clinic's frame must never fall out of embed mode (a link without embed=1 brings the
full site into the frame); only configured origins may frame the questionnaire; the theme
accepts a validated colour, never raw CSS.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webflow import PATIENT, state_of, walk
from werkzeug.test import TestResponse

from bfr_triage import create_app
from bfr_triage.config import ConfigError
from bfr_triage.engine import RuleSet
from bfr_triage.web.embed import text_on

CLINICS = "https://clinic.example http://127.0.0.1:8001"
EMBED = "?embed=1&audience=patient&lang=da"


class Links(HTMLParser):
    """Collect every URL a person can follow or submit to, and the page's landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, dict[str, str | None]]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        for name in ("href", "action", "formaction"):
            if found.get(name) and tag != "link":
                self.urls.append((tag, found[name] or "", found))


def parsed(response: TestResponse) -> Links:
    parser = Links()
    parser.feed(response.get_data(as_text=True))
    return parser


def embedded_walk(client: FlaskClient, rs: RuleSet) -> dict[str, TestResponse]:
    """Walk every page in embed mode, as the frame does; return each page's response by name."""
    seen = {"start": client.get(f"/{EMBED}")}
    started = client.post(f"/start{EMBED}", data={"audience": "patient"})
    assert started.status_code == 303
    assert parse_qs(urlsplit(started.location).query)["embed"] == ["1"]
    seen["start, nothing chosen"] = client.post(f"/start{EMBED}", data={})
    last = seen[f"page {rs.pages[0].id}"] = client.get(started.location)
    seen["page with errors"] = client.post(
        f"/q/{rs.pages[0].id}{EMBED}", data={"state": state_of(last), "action": "next"}
    )
    seen["region"] = client.get(f"/q/region{EMBED}")
    screens = walk(client, rs, PATIENT, "patient", EMBED.replace("?", "&"))
    for number, screen in enumerate(screens[1:-1], 1):
        seen[f"step {number}"] = screen
    seen["result"] = screens[-1]
    seen["about"] = client.get(f"/about{EMBED}")
    seen["intake"] = client.get(f"/intake{EMBED}")
    seen["not found"] = client.get(f"/no-such-page{EMBED}")
    seen["unreadable answers"] = client.post(f"/check{EMBED}", data={"state": "forged"})
    return seen


def test_every_link_and_form_in_embed_mode_stays_in_embed_mode(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    checked = elsewhere = 0
    for name, response in embedded_walk(client, ruleset).items():
        assert response.status_code < 500, name
        for tag, url, attrs in parsed(response).urls:
            parts = urlsplit(url)
            if parts.netloc:  # another website would refuse the frame or trap the reader in it
                assert (attrs.get("target"), attrs.get("rel")) == ("_blank", "noopener"), url
                elsewhere += 1
                continue
            if url.startswith("#") or parts.path.startswith("/static/"):
                continue  # a place on the page, or a file
            query = parse_qs(parts.query)
            assert query.get("embed") == ["1"], f"{name}: <{tag}> {url} leaves embed mode"
            wanted = attrs.get("hreflang") or "da"  # a language switch asks for the other one
            assert query.get("lang") == [wanted], f"{name}: <{tag}> {url} loses the language"
            checked += 1
    assert checked > 3 * len(ruleset.pages)  # the walk really went through every page
    assert elsewhere > 10  # the references on the result and evidence pages


def test_a_started_walk_reached_the_result(client: FlaskClient, ruleset: RuleSet) -> None:
    result = embedded_walk(client, ruleset)["result"]
    assert 'class="verdict' in result.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/about", "/intake", "/no-such-page"])
def test_embed_mode_drops_the_site_chrome(client: FlaskClient, path: str) -> None:
    full = parsed(client.get(path)).tags
    framed = parsed(client.get(f"{path}?embed=1")).tags
    assert ("header", {"class": "site"}) in full and ("footer", {"class": "site"}) in full
    assert not [t for t, _ in framed if t in ("header", "footer")]
    assert ("body", {"class": "embed"}) in framed
    assert any(t == "main" for t, _ in framed)


def framing(response: TestResponse) -> tuple[str, str | None]:
    csp = response.headers["Content-Security-Policy"]
    ancestors = next(d for d in csp.split(";") if d.strip().startswith("frame-ancestors"))
    return ancestors.strip(), response.headers.get("X-Frame-Options")


@pytest.fixture
def clinic_client() -> FlaskClient:
    return create_app({"TESTING": True, "FRAME_ANCESTORS": CLINICS}).test_client()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("get", "/", id="start"),
        pytest.param("get", "/q/condition", id="question-page"),
        pytest.param("post", "/result", id="result-without-answers"),
        pytest.param("post", "/check", id="unreadable-answers-error"),
        pytest.param("get", "/about", id="about"),
        pytest.param("get", "/no-such-page", id="not-found"),
    ],
)
def test_the_questionnaire_may_be_framed_by_the_configured_clinics_only(
    clinic_client: FlaskClient, method: str, path: str
) -> None:
    response = getattr(clinic_client, method)(f"{path}?embed=1")
    assert framing(response) == (
        "frame-ancestors 'self' https://clinic.example http://127.0.0.1:8001",
        None,
    )


@pytest.mark.parametrize("path", ["/embed", "/embed/demo", "/theme.css"])
def test_pages_for_clinic_staff_are_never_framed(clinic_client: FlaskClient, path: str) -> None:
    response = clinic_client.get(path)
    assert response.status_code == 200
    assert framing(response) == ("frame-ancestors 'none'", "DENY")


def test_without_configured_clinics_only_the_app_itself_may_frame(client: FlaskClient) -> None:
    assert framing(client.get("/?embed=1")) == ("frame-ancestors 'self'", None)


def themed(**settings: Any) -> Flask:
    return create_app({"TESTING": True, **settings})


def test_a_brand_colour_becomes_a_custom_property_in_theme_css() -> None:
    client = themed(BRAND_COLOUR="#1D4F91").test_client()
    page = client.get("/?embed=1")
    sheets = [
        a["href"] for t, a in parsed(page).tags if t == "link" and a.get("rel") == "stylesheet"
    ]
    assert sheets[-1] == "/theme.css?v=1D4F91"  # after app.css, so that it wins
    css = client.get(sheets[-1])
    assert css.mimetype == "text/css"
    assert (
        ":root { --brand: #1D4F91; --on-brand: #fff; "
        "--brand-button: #1D4F91; --on-brand-button: #fff; }"
    ) in css.get_data(as_text=True)


def test_without_a_theme_no_page_asks_for_theme_css(client: FlaskClient) -> None:
    page = parsed(client.get("/"))
    assert not [a for t, a in page.tags if t == "link" and "theme.css" in (a.get("href") or "")]
    assert "--brand" not in client.get("/theme.css").get_data(as_text=True)


@pytest.mark.parametrize(
    "colour",
    [
        pytest.param("red", id="a-name"),
        pytest.param("#12345g", id="not-hex"),
        pytest.param("#1234", id="four-digits"),
        pytest.param("#fff; } body { display: none", id="css-injection"),
        pytest.param("url(https://evil.example/x)", id="a-url"),
    ],
)
def test_a_brand_colour_that_is_not_hex_stops_the_app_from_starting(colour: str) -> None:
    with pytest.raises(ConfigError, match="BFR_BRAND_COLOUR"):
        themed(BRAND_COLOUR=colour)


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        pytest.param("#1d4f91", "#fff", id="dark-blue"),
        pytest.param("#fd0", "#000", id="yellow-short-form"),
        pytest.param("#ffffff", "#000", id="white"),
        pytest.param("#000000", "#fff", id="black"),
    ],
)
def test_text_on_the_brand_colour_is_black_or_white_as_contrast_needs(
    colour: str, text: str
) -> None:
    assert text_on(colour) == text


def test_text_on_any_brand_colour_is_readable() -> None:
    def contrast(a: str, b: str) -> float:
        from bfr_triage.web.embed import _luminance

        hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    for value in range(0, 0x1000, 7):  # a spread of #rgb colours
        colour = f"#{value:03x}"
        assert contrast(colour, text_on(colour)) >= 4.5, colour


def test_a_logo_from_configuration_is_an_image_served_by_the_app() -> None:
    client = themed(LOGO_URL="/static/favicon.svg").test_client()
    images = [a for t, a in parsed(client.get("/")).tags if t == "img"]
    assert {"src": "/static/favicon.svg", "alt": "", "class": "clinic-logo"} in images
    with client.get("/static/favicon.svg") as logo:
        assert logo.status_code == 200


@pytest.mark.parametrize(
    "url",
    ["https://cdn.example/logo.png", "//cdn.example/logo.png", "javascript:alert(1)", "logo.png"],
)
def test_a_logo_from_another_website_stops_the_app_from_starting(url: str) -> None:
    with pytest.raises(ConfigError, match="BFR_LOGO_URL"):
        themed(LOGO_URL=url)


def test_the_page_for_clinics_fills_in_this_servers_address() -> None:
    client = themed(FRAME_ANCESTORS=CLINICS, BRAND_COLOUR="#1d4f91").test_client()
    html = client.get("/embed?lang=da", base_url="https://bfr.hospital.example").get_data(
        as_text=True
    )
    assert (
        "&lt;script src=&#34;https://bfr.hospital.example/static/embed.js&#34; "
        "data-bfr-target=&#34;bfr-triage&#34;\n        data-bfr-lang=&#34;da&#34;"
    ) in html
    assert "&lt;a href=&#34;https://bfr.hospital.example/?lang=da&#34;&gt;" in html
    for text in ("BFR_FRAME_ANCESTORS", "https://clinic.example", "http://127.0.0.1:8001"):
        assert text in html
    assert "BFR_BRAND_COLOUR" in html and "#1d4f91" in html
    assert 'href="/embed/demo?lang=da"' in html


def test_the_demo_page_loads_embed_js_from_this_server(client: FlaskClient) -> None:
    page = parsed(client.get("/embed/demo?lang=da&audience=clinician"))
    scripts = [a for t, a in page.tags if t == "script" and "embed.js" in (a.get("src") or "")]
    assert scripts == [
        {
            "src": "/static/embed.js",
            "data-bfr-target": "bfr-triage",
            "data-bfr-lang": "da",
            "data-bfr-audience": "clinician",
            "defer": None,
        }
    ]
    # Without JavaScript the container still offers the questionnaire as a plain link.
    assert ("div", {"id": "bfr-triage", "class": "notice"}) in page.tags
    assert "/?lang=da&audience=clinician" in [url for _, url, _ in page.urls]
