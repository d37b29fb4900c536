"""The findings of the attack run on a production instance (issue 14), each kept fixed.

1 share tokens in logs (also test_logs.py), 2 debug/testing round the secret (test_config.py),
3 slow clients (test_slow_clients.py), 4 the Host header deciding absolute URLs, 5 a non-ASCII
origin, 6 no Cache-Control on answers, 7 weak secrets (test_config.py), 8 malformed payloads,
oversized chunked bodies, duplicate JSON keys, a lying Allow and gunicorn's bare error pages.
"""

from __future__ import annotations

import base64
import re
import socket
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from served import raw, serve
from webflow import PATIENT, share, state_of, walk
from werkzeug.test import TestResponse

from bfr_triage import create_app
from bfr_triage.config import ConfigError
from bfr_triage.web.share import _fernet
from bfr_triage.web.state import SALT

SECRET = "hardening-tests-secret-key-not-for-production"
PUBLIC = "https://triage.clinic.example"
EVIL = "evil.example"


def production(**settings: Any) -> Flask:
    return create_app({"TESTING": False, "SECRET_KEY": SECRET, **settings})


def share_link(client: FlaskClient, app: Flask, **kwargs: Any) -> tuple[str, TestResponse]:
    """Walk to a result, make its share link; return the link's path and the share page."""
    result = walk(client, app.extensions["bfr_ruleset"], PATIENT)[-1]
    page = share(client, result, **kwargs)
    found = re.search(r"(https?://[^/\"<]+)?(/share/[A-Za-z0-9_-]+)", page.get_data(as_text=True))
    assert found, "no share link on the page"
    return found.group(2), page


# ---- 1. share links: no Referer carries them on ----


def test_share_pages_send_no_referrer() -> None:
    app = production(PUBLIC_URL=PUBLIC)
    client = app.test_client()
    path, made = share_link(client, app)
    assert made.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"  # POST /share
    for url in (
        path,
        f"{path}?audience=clinician",
        f"{path}/qr.svg",
        f"{path}/result.json",
        f"{path}/questionnaire-response.json",
        "/share/not-a-token",
        "/share/not-a-token/nothing-here",
    ):
        response = client.get(url)
        assert response.status_code < 500, url
        assert response.headers.getlist("Referrer-Policy") == ["no-referrer"], url
    assert client.get("/").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


# ---- 4. one public address: the Host header decides no URL ----


def test_every_absolute_url_comes_from_the_public_address() -> None:
    app = production(PUBLIC_URL=PUBLIC + "/")
    client = app.test_client()
    evil = {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "http"}
    path, made = share_link(client, app, headers=evil)
    page = made.get_data(as_text=True)
    assert f"{PUBLIC}{path}" in page  # the share link shown
    assert EVIL not in page
    qr = client.get(f"{path}/qr.svg", headers=evil).get_data(as_text=True)
    assert EVIL not in qr  # the QR code holds the same link (read back in test_share.py)
    embed = client.get("/embed", headers=evil).get_data(as_text=True)
    assert f"{PUBLIC}/static/embed.js" in embed
    assert EVIL not in embed
    fhir = client.get("/api/v1/fhir/Questionnaire/bfr-triage-clinician-en", headers=evil)
    assert fhir.get_json(force=True)["url"] == (
        f"{PUBLIC}/api/v1/fhir/Questionnaire/bfr-triage-clinician-en"
    )
    started = client.post("/start", data={"audience": "patient"}, headers=evil)
    assert started.status_code == 303
    assert EVIL not in started.headers["Location"]


def test_the_public_address_may_have_a_path() -> None:
    client = production(PUBLIC_URL="https://clinic.example/triage").test_client()
    fhir = client.get("/api/v1/fhir/Questionnaire/bfr-triage-clinician-en").get_json(force=True)
    assert fhir["url"] == (
        "https://clinic.example/triage/api/v1/fhir/Questionnaire/bfr-triage-clinician-en"
    )
    # Over HTTPS, as the public address says: HSTS is sent.
    assert "Strict-Transport-Security" in client.get("/").headers


def test_without_a_public_address_only_trusted_hosts_are_answered() -> None:
    client = production(TRUSTED_HOSTS="triage.clinic.example, .hospital.example").test_client()
    ok = ("triage.clinic.example", "triage.clinic.example:8443", "www.hospital.example")
    for host in ok:
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    for host in (EVIL, "triage.clinic.example.evil.example", "localhost"):
        refused = client.get("/", headers={"Host": host})
        assert refused.status_code == 400, host
        assert refused.mimetype == "text/html"
        assert EVIL not in refused.get_data(as_text=True)
    api = client.get("/api/v1/questionnaire", headers={"Host": EVIL})
    assert api.status_code == 400


@pytest.mark.parametrize(
    "path", ["/", "/q/condition", "/embed", "/about", "/nowhere", "/api/v1/questionnaire"]
)
@pytest.mark.parametrize(("lang", "title"), [("en", "not served here"), ("da", "findes ikke")])
def test_an_untrusted_host_gets_a_translated_400_page(path: str, lang: str, title: str) -> None:
    # TESTING on: a failure while answering would raise here instead of hiding behind a 500.
    app = create_app({"ENV": "development", "TESTING": True})
    response = app.test_client().get(f"{path}?lang={lang}", headers={"Host": EVIL})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert title in page
    assert EVIL not in page
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_development_answers_only_loopback_names() -> None:
    client = create_app({"ENV": "development"}).test_client()
    assert client.get("/", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/", headers={"Host": EVIL}).status_code == 400


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({}, "BFR_PUBLIC_URL: refusing to start", id="neither"),
        pytest.param(
            {"PUBLIC_URL": PUBLIC, "TRUSTED_HOSTS": "triage.clinic.example"},
            "BFR_TRUSTED_HOSTS",
            id="both",
        ),
        pytest.param({"PUBLIC_URL": "triage.clinic.example"}, "BFR_PUBLIC_URL", id="no-scheme"),
        pytest.param({"PUBLIC_URL": PUBLIC + "/?x=1"}, "BFR_PUBLIC_URL", id="query"),
        pytest.param({"PUBLIC_URL": "https://u@clinic.example"}, "BFR_PUBLIC_URL", id="user"),
        pytest.param({"TRUSTED_HOSTS": "clinic.example/path"}, "BFR_TRUSTED_HOSTS", id="path"),
    ],
)
def test_production_needs_one_way_to_know_its_address(
    settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        production(**settings)


# ---- 5. non-ASCII origins are written in punycode ----


def test_non_ascii_origins_are_written_in_punycode() -> None:
    app = production(
        PUBLIC_URL="https://トリアージ.例え.jp",
        FRAME_ANCESTORS="https://例え.jp",
        CORS_ORIGINS="https://例え.jp:8443",
    )
    assert app.config["PUBLIC_URL"] == "https://xn--cck1b4b5htd.xn--r8jz45g.jp"
    assert app.config["FRAME_ANCESTORS"] == ("https://xn--r8jz45g.jp",)
    assert app.config["CORS_ORIGINS"] == ("https://xn--r8jz45g.jp:8443",)
    client = app.test_client()
    for path in ("/", "/q/condition", "/embed", "/api/v1/questionnaire"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert (
        "frame-ancestors 'self' https://xn--r8jz45g.jp"
        in client.get("/").headers["Content-Security-Policy"]
    )
    hosts = production(TRUSTED_HOSTS="例え.jp").config["TRUSTED_HOSTS"]
    assert hosts == ["xn--r8jz45g.jp"]


@pytest.mark.parametrize("origin", ["https://\udcff.jp", "https://a..b.jp", "https://-" * 40])
def test_an_origin_that_cannot_be_written_in_ascii_is_refused(origin: str) -> None:
    with pytest.raises(ConfigError, match="BFR_FRAME_ANCESTORS"):
        production(PUBLIC_URL=PUBLIC, FRAME_ANCESTORS=origin)


# ---- 6. answers are never kept by a cache; language and resource policy ----


def answered_responses(client: FlaskClient, app: Flask) -> dict[str, TestResponse]:
    """Every kind of response that holds answers."""
    rs = app.extensions["bfr_ruleset"]
    steps = walk(client, rs, PATIENT)
    api = {"audience": "patient", "answers": PATIENT}
    path, made = share_link(client, app)
    return {
        "question step": steps[1],
        "check": client.post("/check", data={"state": state_of(steps[-2])}),
        "result": steps[-1],
        "intake": client.post("/intake", data={"state": state_of(client.get("/intake"))}),
        "share made": made,
        "share opened": client.get(f"{path}?audience=patient"),
        "API": client.post("/api/v1/assessments", json=api),
        "FHIR": client.post("/api/v1/fhir/QuestionnaireResponse", json=api),
        "bad state": client.post("/result", data={"state": "forged"}),
    }


def test_no_cache_keeps_a_response_that_holds_answers() -> None:
    app = production(PUBLIC_URL=PUBLIC)
    client = app.test_client()
    for name, response in answered_responses(client, app).items():
        assert response.status_code < 500, name
        assert response.headers.getlist("Cache-Control") == ["no-store"], name
        assert "Accept-Language" in response.vary, name


def test_every_response_has_a_resource_policy_and_varies_with_the_language() -> None:
    client = production(PUBLIC_URL=PUBLIC).test_client()
    for path in ("/", "/q/condition", "/about", "/api/v1/openapi.json", "/healthz", "/nowhere"):
        response = client.get(path)
        assert response.headers.getlist("Cross-Origin-Resource-Policy") == ["same-origin"], path
        assert "Accept-Language" in response.vary, path
        assert response.headers["Cache-Control"] == "no-store", path
    css = client.get("/static/app.css")
    assert css.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "no-store" not in css.headers.get("Cache-Control", "")  # files may be kept
    css.close()
    script = client.get("/static/embed.js")  # loaded by the clinics' own pages
    assert script.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    script.close()
    theme = client.get("/theme.css")  # its view chose to be cached
    kept = theme.headers.getlist("Cache-Control")
    assert len(kept) == 1 and kept[0].startswith("public, max-age=")


# ---- 8. malformed payloads, bodies, JSON and methods ----


def test_a_signed_state_that_is_not_json_gets_the_400_page() -> None:
    client = production(PUBLIC_URL=PUBLIC).test_client()
    serializer = URLSafeTimedSerializer(SECRET, salt=SALT)
    # Signed with the real key, so only the payload can be wrong: not JSON at all.
    signer = serializer.make_signer(SALT)
    payload = base64.urlsafe_b64encode(b"not json {").rstrip(b"=")
    forged = signer.sign(payload).decode()
    for path in ("/result", "/check", "/q/condition", "/share", "/intake"):
        response = client.post(path, data={"state": forged})
        assert response.status_code == 400, path
        assert "Your answers could not be read" in response.get_data(as_text=True), path


def test_a_share_token_holding_deeply_nested_json_gets_the_400_page() -> None:
    app = production(PUBLIC_URL=PUBLIC)
    client = app.test_client()
    nested = b"[" * 10_000 + b"]" * 10_000  # well within the 64 KB a token may unpack to
    token = _fernet(SECRET).encrypt(zlib.compress(nested, 9)).decode().rstrip("=")
    for suffix in ("", "/qr.svg", "/result.json", "/questionnaire-response.json"):
        response = client.get(f"/share/{token}{suffix}")
        assert response.status_code == 400, suffix
        assert "This link does not work" in response.get_data(as_text=True), suffix


@pytest.mark.parametrize(
    "body",
    [
        '{"audience": "patient", "answers": {}, "answers": {"condition": "acl"}}',
        '{"audience": "patient", "audience": "clinician", "answers": {}}',
        '{"answers": {"condition": "acl", "condition": "none"}}',
    ],
)
def test_duplicate_json_members_are_refused(body: str) -> None:
    client = production(PUBLIC_URL=PUBLIC).test_client()
    for path in ("/api/v1/assessments", "/api/v1/fhir/QuestionnaireResponse"):
        for lang, words in (("en", "twice"), ("da", "to gange")):
            response = client.post(
                f"{path}?lang={lang}", data=body, content_type="application/json"
            )
            assert response.status_code == 400
            error = response.get_json(force=True)
            if "/fhir/" in path:  # FHIR's own error resource there (issue 15)
                assert response.mimetype == "application/fhir+json"
                assert words in error["issue"][0]["diagnostics"]
            else:
                assert response.mimetype == "application/problem+json"
                assert words in error["detail"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/v1/assessments", {"POST", "OPTIONS"}),
        ("/api/v1/questionnaire", {"GET", "HEAD", "OPTIONS"}),
        ("/api/v1/fhir/QuestionnaireResponse", {"POST", "OPTIONS"}),
        ("/result", {"POST", "OPTIONS"}),
    ],
)
def test_allow_lists_only_the_methods_that_work(path: str, allowed: set[str]) -> None:
    client = production(PUBLIC_URL=PUBLIC).test_client()
    options = client.options(path)
    assert options.status_code == 200
    listed = {m.strip() for m in options.headers["Allow"].split(",")}
    assert listed == allowed
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        status = client.open(path, method=method).status_code
        assert (status != 405) == (method in listed), method


# ---- served: gunicorn's own error pages and chunked bodies ----


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with serve(tmp_path_factory.mktemp("served")) as served:
        yield served


def head_of(response: bytes) -> tuple[int, dict[str, str]]:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), {k.lower(): v for k, v in fields.items()}


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        pytest.param(b"GET /\x01 HTTP/1.1\r\n\r\n", 400, id="bad-request-line"),
        pytest.param(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 414, id="uri-too-long"),
        pytest.param(b"GET / HTTP/1.1\r\nX: " + b"b" * 9000 + b"\r\n\r\n", 431, id="big-header"),
    ],
)
def test_the_servers_own_error_pages_have_the_security_headers(
    server: Any, request_bytes: bytes, code: int
) -> None:
    status, headers = head_of(raw(server.port, request_bytes))
    assert status == code
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("path", "kind", "mimetype"),
    [
        ("/result", "application/x-www-form-urlencoded", "text/html"),
        ("/api/v1/assessments", "application/json", "application/problem+json"),
    ],
)
def test_an_oversized_chunked_body_gets_413(
    server: Any, path: str, kind: str, mimetype: str
) -> None:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\n"
    head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    block = b"x" * 65536
    chunk = b"%x\r\n" % len(block) + block + b"\r\n"
    body = chunk * 160 + b"0\r\n\r\n"  # 10 MB
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        try:
            s.sendall(head.encode() + body)
        except OSError:  # the server answered and closed before the whole body was sent
            pass
        answer = s.recv(65536)
    status, headers = head_of(answer)
    assert status == 413
    assert headers["content-type"].startswith(mimetype)
    small = head.encode() + b"%x\r\n" % 10 + b"state=abcd" + b"\r\n0\r\n\r\n"
    if path == "/result":  # within the limit: read, and refused as a forged state
        assert head_of(raw(server.port, small))[0] == 400


def test_the_served_app_answers_through_its_public_address(server: Any) -> None:
    answer = raw(
        server.port, f"GET /embed HTTP/1.1\r\nHost: {EVIL}\r\nConnection: close\r\n\r\n".encode()
    )
    assert head_of(answer)[0] == 200
    assert EVIL.encode() not in answer
    assert f"{server.base}/static/embed.js".encode() in answer


def test_the_server_stops_at_once_even_right_after_it_started(tmp_path: Path) -> None:
    # A worker still booting (gevent patching) lost SIGTERM and was killed only after gunicorn's
    # 30 s graceful timeout; it happened about every other time, so three tries.
    for _ in range(3):
        with serve(tmp_path):
            began = time.monotonic()
        assert time.monotonic() - began < 10
