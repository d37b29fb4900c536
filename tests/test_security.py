"""Every response carries the security headers; only embeddable pages may be framed by clinics."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, abort, jsonify
from werkzeug.test import TestResponse

from bfr_triage import config, security
from bfr_triage.security import embeddable

CLINIC = "https://clinic.example"
FIXED = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}
DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def csp(response: TestResponse) -> dict[str, str]:
    """Return the Content-Security-Policy as {directive: sources}."""
    parts = (
        p.strip().split(" ", 1) for p in response.headers["Content-Security-Policy"].split(";")
    )
    return {name: rest for name, rest in parts}


def assert_secure_headers(response: TestResponse, *, framable: bool, ancestors: str) -> None:
    """Check every header the app promises, and the framing policy this response must have."""
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "Cross-Origin-Embedder-Policy" not in response.headers
    got = csp(response)
    assert {k: got.get(k) for k in DIRECTIVES} == DIRECTIVES
    if framable:
        assert got["frame-ancestors"] == ancestors
        assert "X-Frame-Options" not in response.headers
    else:
        assert got["frame-ancestors"] == "'none'"
        assert response.headers["X-Frame-Options"] == "DENY"


def tiny_app(**settings: Any) -> Flask:
    """Build a small app with one framable blueprint, one framable view and an API-like one."""
    app = Flask(__name__)
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping({"TESTING": True, **settings})
    config.init_app(app)
    security.init_app(app)
    pages = embeddable(Blueprint("pages", __name__))
    pages.add_url_rule("/page", "page", lambda: "<p>page</p>")
    pages.add_url_rule("/broken", "broken", lambda: abort(400))
    api = Blueprint("api", __name__, url_prefix="/api")
    api.add_url_rule("/thing", "thing", lambda: jsonify(ok=True), methods=["GET", "POST"])
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.add_url_rule("/framed", "framed", embeddable(lambda: "framed"))
    app.add_url_rule("/plain", "plain", lambda: "plain")

    @app.errorhandler(405)
    def not_allowed(error: Exception) -> Any:
        # As in the real app: errors under /api answer problem+json, elsewhere an HTML page.
        return jsonify(status=405), 405, {"Content-Type": "application/problem+json"}

    return app


@pytest.mark.parametrize(
    ("path", "framable"),
    [
        pytest.param("/page", True, id="embeddable-blueprint"),
        pytest.param("/broken", True, id="error-in-embeddable-view"),
        pytest.param("/framed", True, id="embeddable-view"),
        pytest.param("/no-such-page", True, id="html-404"),
        pytest.param("/plain", False, id="unmarked-view"),
        pytest.param("/api/thing", False, id="api"),
    ],
)
def test_framing_follows_the_marker(path: str, framable: bool) -> None:
    response = tiny_app(FRAME_ANCESTORS=f"{CLINIC} http://localhost:8001").test_client().get(path)
    assert_secure_headers(
        response, framable=framable, ancestors=f"'self' {CLINIC} http://localhost:8001"
    )


def test_without_clinic_origins_only_the_app_itself_may_frame() -> None:
    response = tiny_app().test_client().get("/page")
    assert_secure_headers(response, framable=True, ancestors="'self'")


def test_an_unrouted_error_is_framable_only_as_an_html_page() -> None:
    client = tiny_app().test_client()
    api = client.delete("/api/thing")
    assert (api.status_code, api.headers["X-Frame-Options"]) == (405, "DENY")
    page = client.get("/elsewhere")
    assert page.status_code == 404
    assert "X-Frame-Options" not in page.headers


def test_unhandled_error_still_gets_the_headers() -> None:
    app = tiny_app()
    app.config["TESTING"] = False  # let Flask render its 500 instead of raising into the test
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_secure_headers(response, framable=False, ancestors="")


def test_hsts_only_over_https() -> None:
    client = tiny_app().test_client()
    assert "Strict-Transport-Security" not in client.get("/page").headers
    secure = client.get("/page", base_url="https://bfr.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_follows_a_trusted_proxy_only() -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    untrusted = tiny_app().test_client().get("/page", headers=forwarded)
    assert "Strict-Transport-Security" not in untrusted.headers
    trusted = tiny_app(TRUST_PROXY=1).test_client().get("/page", headers=forwarded)
    assert "Strict-Transport-Security" in trusted.headers
