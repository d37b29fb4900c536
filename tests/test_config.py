"""Settings come from BFR_* variables, are checked at start, and production refuses a weak key."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request

from bfr_triage import config
from bfr_triage.config import DEFAULTS, DEV_SECRET_KEY, ConfigError, parse_origins

STRONG = "0123456789abcdef0123456789abcdef"
PUBLIC = "https://triage.clinic.example"


def make_app(mapping: dict[str, Any] | None = None) -> Flask:
    """Load settings the way create_app does: defaults, BFR_* environment, mapping, checks."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("BFR")
    app.config.from_mapping(mapping or {})
    config.init_app(app)
    return app


def test_defaults_load_in_development() -> None:
    app = make_app({"ENV": "development"})
    assert app.config["FRAME_ANCESTORS"] == ()
    assert app.config["SHARE_MAX_AGE_DAYS"] == 30
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert app.config["TRUST_PROXY"] == 0
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("   \n", id="blank"),
        pytest.param(DEV_SECRET_KEY, id="development-default"),
        pytest.param(DEV_SECRET_KEY + " ", id="development-default-and-a-space"),
        pytest.param(DEV_SECRET_KEY.upper(), id="development-default-in-capitals"),
        pytest.param(" ".join(DEV_SECRET_KEY.split("-")), id="development-default-spaced"),
        pytest.param(f"x{DEV_SECRET_KEY}1", id="development-default-inside"),
        pytest.param("short", id="too-short"),
        pytest.param("a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p", id="31-characters"),
        pytest.param(" " + STRONG[:31] + " ", id="32-with-the-spaces"),
        pytest.param("a" * 16, id="16-times-one-character"),
        pytest.param("a" * 64, id="64-times-one-character"),
        pytest.param("abcd" * 16, id="four-characters-repeated"),
    ],
)
def test_production_refuses_a_weak_secret_key(secret: str | None) -> None:
    with pytest.raises(ConfigError, match="BFR_SECRET_KEY: refusing to start in production") as e:
        make_app({"SECRET_KEY": secret, "PUBLIC_URL": PUBLIC})
    # The message says how to make a good one.
    assert "secrets.token_urlsafe(48)" in str(e.value)


def test_a_secret_made_as_the_message_says_is_accepted() -> None:
    import secrets

    key = secrets.token_urlsafe(48)
    assert make_app({"SECRET_KEY": key, "PUBLIC_URL": PUBLIC}).config["SECRET_KEY"] == key


def test_production_is_the_default_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="BFR_ENV=development"):
        make_app()
    monkeypatch.setenv("BFR_ENV", "development")
    assert make_app().config["SECRET_KEY"] == DEV_SECRET_KEY


def test_production_starts_with_a_strong_key_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BFR_SECRET_KEY", STRONG)
    monkeypatch.setenv("BFR_PUBLIC_URL", PUBLIC)
    assert make_app().config["SECRET_KEY"] == STRONG


def test_a_numeric_secret_from_the_environment_stays_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFR_SECRET_KEY", "1234567890" * 4)
    monkeypatch.setenv("BFR_PUBLIC_URL", PUBLIC)
    assert make_app().config["SECRET_KEY"] == "1234567890" * 4


@pytest.mark.parametrize("flag", ["DEBUG", "TESTING"])
@pytest.mark.parametrize("secret", [None, STRONG])
def test_debug_and_testing_are_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, flag: str, secret: str | None
) -> None:
    # As an operator would set them: BFR_DEBUG=true, BFR_TESTING=true (finding 2).
    monkeypatch.setenv(f"BFR_{flag}", "true")
    if secret:
        monkeypatch.setenv("BFR_SECRET_KEY", secret)
    monkeypatch.setenv("BFR_PUBLIC_URL", PUBLIC)
    with pytest.raises(ConfigError, match=f"BFR_{flag}: refusing to start in production"):
        make_app()
    monkeypatch.setenv("BFR_ENV", "development")
    assert make_app().config[flag] is True


def test_only_development_may_use_the_development_key() -> None:
    assert make_app({"ENV": "development"}).config["SECRET_KEY"] == DEV_SECRET_KEY
    with pytest.raises(ConfigError, match="BFR_SECRET_KEY"):
        make_app({"ENV": "production", "PUBLIC_URL": PUBLIC})


def test_environment_variables_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFR_ENV", "Development")
    monkeypatch.setenv("BFR_FRAME_ANCESTORS", "https://clinic.example, HTTP://Other.example:8080/")
    monkeypatch.setenv("BFR_CORS_ORIGINS", "*")
    monkeypatch.setenv("BFR_STATE_MAX_AGE", "3600")
    monkeypatch.setenv("BFR_SHARE_MAX_AGE_DAYS", "7")
    monkeypatch.setenv("BFR_MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("BFR_DEFAULT_LOCALE", "da")
    monkeypatch.setenv("BFR_BRAND_COLOUR", "#0a7")
    monkeypatch.setenv("BFR_LOGO_URL", "/static/clinic-logo.png")
    monkeypatch.setenv("BFR_FHIR_BASE_URL", "https://records.clinic.example/fhir")
    cfg = make_app().config
    assert cfg["ENV"] == "development"
    assert cfg["FRAME_ANCESTORS"] == ("https://clinic.example", "http://other.example:8080")
    assert cfg["CORS_ORIGINS"] == ("*",)
    assert (cfg["STATE_MAX_AGE"], cfg["SHARE_MAX_AGE_DAYS"]) == (3600, 7)
    assert cfg["MAX_CONTENT_LENGTH"] == 2048
    assert cfg["BABEL_DEFAULT_LOCALE"] == "da"
    assert (cfg["BRAND_COLOUR"], cfg["LOGO_URL"]) == ("#0a7", "/static/clinic-logo.png")
    assert cfg["FHIR_BASE_URL"] == "https://records.clinic.example/fhir"


def test_origins_accept_a_json_list_and_drop_duplicates() -> None:
    got = parse_origins(["https://a.example", "https://a.example/", "http://[::1]:5000"], "X")
    assert got == ("https://a.example", "http://[::1]:5000")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("clinic.example", id="no-scheme"),
        pytest.param("ftp://clinic.example", id="not-http"),
        pytest.param("https://clinic.example/page", id="path"),
        pytest.param("https://clinic.example?x=1", id="query"),
        pytest.param("https://user@clinic.example", id="userinfo"),
        pytest.param("https://*.clinic.example", id="wildcard"),
        pytest.param("https://clinic.example;script-src", id="csp-injection"),
        pytest.param("https://clinic.example:99999", id="bad-port"),
        pytest.param("*", id="star-for-framing"),
        pytest.param("'unsafe-inline'", id="keyword"),
    ],
)
def test_a_bad_frame_ancestor_refuses_to_start(value: str) -> None:
    with pytest.raises(ConfigError, match="BFR_FRAME_ANCESTORS"):
        make_app({"ENV": "development", "TESTING": True, "FRAME_ANCESTORS": value})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("ENV", "staging", id="env"),
        pytest.param("CORS_ORIGINS", "* https://a.example", id="cors-star-and-origin"),
        pytest.param("STATE_MAX_AGE", 0, id="state-age-zero"),
        pytest.param("SHARE_MAX_AGE_DAYS", "thirty", id="share-days-text"),
        pytest.param("MAX_CONTENT_LENGTH", True, id="body-limit-bool"),
        pytest.param("TRUST_PROXY", 9, id="too-many-proxies"),
        pytest.param("DEFAULT_LOCALE", "fr", id="locale"),
        pytest.param("BRAND_COLOUR", "red;background:url(x)", id="colour-css"),
        pytest.param("BRAND_COLOUR", "#12345", id="colour-five-digits"),
        pytest.param("LOGO_URL", "https://cdn.example/logo.png", id="logo-third-party"),
        pytest.param("LOGO_URL", "//cdn.example/logo.png", id="logo-protocol-relative"),
        pytest.param("FHIR_BASE_URL", "clinic.example/fhir", id="fhir-base-no-scheme"),
        pytest.param("FHIR_BASE_URL", "https://clinic.example/fhir?x=1", id="fhir-base-query"),
    ],
)
def test_a_bad_setting_names_itself(key: str, value: Any) -> None:
    with pytest.raises(ConfigError, match=f"BFR_{key}"):
        make_app({"ENV": "development", "TESTING": True, key: value})


def test_boundary_values_are_accepted() -> None:
    cfg = make_app(
        {"ENV": "development", "TESTING": True, "TRUST_PROXY": 5, "BRAND_COLOUR": "#A1b2C3"}
    ).config
    assert (cfg["TRUST_PROXY"], cfg["BRAND_COLOUR"]) == (5, "#A1b2C3")


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted() -> None:
    def seen(trust: int) -> str:
        app = make_app({"ENV": "development", "TESTING": True, "TRUST_PROXY": trust})
        app.add_url_rule("/", "where", lambda: f"{request.scheme} {request.remote_addr}")
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        return app.test_client().get("/", headers=headers).get_data(as_text=True)

    assert seen(0) == "http 127.0.0.1"
    assert seen(1) == "https 203.0.113.9"


# ---- the real app ----


def test_the_app_refuses_to_start_in_production_without_a_key() -> None:
    from bfr_triage import create_app

    with pytest.raises(ConfigError, match="BFR_SECRET_KEY"):
        create_app()


def test_serve_stops_with_a_clear_message_before_starting_gunicorn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bfr_triage.cli import main

    assert main(["serve", "--bind", "127.0.0.1:1"]) == 2
    assert "bfr-triage serve: BFR_SECRET_KEY: refusing to start" in capsys.readouterr().err


def test_serve_rejects_a_bad_worker_count(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bfr_triage.cli import main

    monkeypatch.setenv("BFR_WORKERS", "many")
    assert main(["serve"]) == 2
    assert "BFR_WORKERS: 'many'" in capsys.readouterr().err


def test_serve_settings_default_to_loopback_and_two_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bfr_triage.server import options

    assert (options()["bind"], options()["workers"]) == (["127.0.0.1:8000"], 2)
    monkeypatch.setenv("BFR_BIND", "0.0.0.0:8080")
    monkeypatch.setenv("BFR_WORKERS", "4")
    assert (options()["bind"], options()["workers"]) == (["0.0.0.0:8080"], 4)
    assert options("127.0.0.1:9000", 3)["workers"] == 3


@pytest.mark.parametrize(
    ("lang", "title"),
    [pytest.param("en", "Too much was sent", id="en"), pytest.param("da", "for meget", id="da")],
)
def test_a_body_over_the_limit_gets_a_translated_413_page(
    monkeypatch: pytest.MonkeyPatch, lang: str, title: str
) -> None:
    from bfr_triage import create_app

    monkeypatch.setenv("BFR_MAX_CONTENT_LENGTH", "2048")
    client = create_app({"ENV": "development", "TESTING": True}).test_client()
    over = client.post(f"/result?lang={lang}", data={"state": "x" * 2100})
    assert over.status_code == 413
    assert over.mimetype == "text/html"
    page = over.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert title in page
    under = client.post(f"/result?lang={lang}", data={"state": "x" * 1900})
    assert under.status_code == 400  # read, and refused as a forged state: not too large


def test_a_body_over_the_limit_gets_problem_json_from_the_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bfr_triage import create_app

    monkeypatch.setenv("BFR_MAX_CONTENT_LENGTH", "2048")
    client = create_app({"ENV": "development", "TESTING": True}).test_client()
    body = '{"answers": {}, "pad": "' + "x" * 2100 + '"}'
    response = client.post("/api/v1/assessments", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 413
