"""Every response carries the security headers; only embeddable pages may be framed by clinics."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, jsonify, session
from webflow import PATIENT, share, walk
from werkzeug.test import TestResponse

from bfr_triage import config, security
from bfr_triage.security import embeddable

CLINIC = "https://clinic.example"
FIXED = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Each sent at most once: the app adds its headers, it does not replace any a view has set.
ONCE = (
    "Permissions-Policy",
    "Content-Security-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
    "Cross-Origin-Resource-Policy",
    "Cache-Control",
)
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
    for name in (*FIXED, *ONCE):
        assert len(response.headers.getlist(name)) <= 1, f"{name} sent twice"
    for name, value in FIXED.items():
        if name == "Referrer-Policy" and response.request.path.startswith("/share/"):
            value = "no-referrer"  # the URL holds the answers: never sent on
        assert response.headers.get(name) == value, name
    assert response.headers.get("Cross-Origin-Resource-Policy") in ("same-origin", "cross-origin")
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
    app.config.from_mapping({"ENV": "development", "TESTING": True, **settings})
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
    client = tiny_app(TRUSTED_HOSTS="localhost bfr.example").test_client()
    assert "Strict-Transport-Security" not in client.get("/page").headers
    secure = client.get("/page", base_url="https://bfr.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_follows_a_trusted_proxy_only() -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    untrusted = tiny_app().test_client().get("/page", headers=forwarded)
    assert "Strict-Transport-Security" not in untrusted.headers
    trusted = tiny_app(TRUST_PROXY=1).test_client().get("/page", headers=forwarded)
    assert "Strict-Transport-Security" in trusted.headers


# ---- the real app: every route, the whole questionnaire, the error pages ----

SECRET = "security-tests-secret-key-not-for-production"
# The questionnaire and the pages a share link opens; the clinic guide and the API never.
FRAMED_BLUEPRINTS = {"web", "share"}


@pytest.fixture
def real_app() -> Flask:
    from bfr_triage import create_app

    return create_app(
        {"ENV": "development", "TESTING": True, "SECRET_KEY": SECRET, "FRAME_ANCESTORS": CLINIC}
    )


def sample_args(app: Flask) -> dict[str, str]:
    """Return a working value for every URL argument the app's routes take."""
    rs = app.extensions["bfr_ruleset"]
    client = app.test_client()
    page = share(client, walk(client, rs, PATIENT)[-1]).get_data(as_text=True)
    token = re.search(r"/share/([A-Za-z0-9_-]+)", page)
    assert token, "the share page shows no link"
    return {
        "page_id": rs.pages[0].id,
        "filename": "app.css",
        "token": token.group(1),
        "rest": "no-such-operation",
        "id": "bfr-triage-clinician-en",
    }


def expected_framable(endpoint: str) -> bool:
    return endpoint.split(".")[0] in FRAMED_BLUEPRINTS


def test_every_get_route_has_the_headers_and_sets_no_cookie(real_app: Flask) -> None:
    args = sample_args(real_app)
    client = real_app.test_client()
    seen = set()
    for rule in real_app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        path = rule.build({a: args[a] for a in rule.arguments})[1]
        for url in (path, f"{path}?lang=da&audience=clinician&embed=1"):
            with client.get(url) as response:
                assert response.status_code < 500, url
                assert "Set-Cookie" not in response.headers, url
                framable = expected_framable(rule.endpoint)
                assert_secure_headers(response, framable=framable, ancestors=f"'self' {CLINIC}")
        seen.add(rule.endpoint)
    assert {"web.start", "web.page", "api.openapi", "share.open", "static"} <= seen


def test_every_questionnaire_step_is_framable_and_sets_no_cookie(real_app: Flask) -> None:
    responses = walk(real_app.test_client(), real_app.extensions["bfr_ruleset"], PATIENT)
    assert "verdict-" in responses[-1].get_data(as_text=True)
    for response in responses:
        assert "Set-Cookie" not in response.headers
        assert_secure_headers(response, framable=True, ancestors=f"'self' {CLINIC}")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "framable"),
    [
        pytest.param("POST", "/result", {"state": "forged"}, 400, True, id="bad-state-page"),
        pytest.param("GET", "/q/no-such-page", None, 404, True, id="unknown-page"),
        pytest.param("GET", "/no/such/path", None, 404, True, id="unknown-path"),
        pytest.param("PUT", "/result", None, 405, True, id="wrong-method-page"),
        pytest.param("POST", "/result", {"state": "x" * 70_000}, 413, True, id="too-large-page"),
        pytest.param("POST", "/api/v1/assessments", "[]", 400, False, id="api-not-an-object"),
        pytest.param("GET", "/api/v1/nothing", None, 404, False, id="api-unknown"),
        pytest.param("DELETE", "/api/v1/assessments", None, 405, False, id="api-method"),
        pytest.param("POST", "/api/v1/assessments", "x" * 70_000, 413, False, id="api-too-large"),
    ],
)
def test_error_responses_have_the_headers(
    real_app: Flask, method: str, path: str, body: Any, status: int, framable: bool
) -> None:
    headers = {"Content-Type": "application/json"} if path.startswith("/api") else {}
    response = real_app.test_client().open(path, method=method, headers=headers, data=body)
    assert response.status_code == status
    assert "Set-Cookie" not in response.headers
    assert_secure_headers(response, framable=framable, ancestors=f"'self' {CLINIC}")


def test_hsts_on_every_page_served_over_https(real_app: Flask) -> None:
    real_app.config["TRUSTED_HOSTS"] = ["bfr.example"]
    client = real_app.test_client()
    for path in ("/", "/about", "/api/v1/questionnaire", "/static/app.css", "/nowhere"):
        with client.get(path, base_url="https://bfr.example") as response:
            assert response.headers["Strict-Transport-Security"] == security.HSTS, path


def test_the_app_keeps_no_session_so_no_page_can_set_a_cookie() -> None:
    app = tiny_app()

    @app.get("/remember")
    def remember() -> str:
        session["answer"] = "yes"
        return "kept"

    client = app.test_client()
    with pytest.raises(RuntimeError, match="session is unavailable"):
        client.get("/remember")
    plain = client.get("/page", headers={"Cookie": "session=eyJhIjoxfQ.forged"})
    assert "Set-Cookie" not in plain.headers
