"""Answers never reach a log: not the app's, not werkzeug's, not gunicorn's access or error log.

Privacy hazard guarded: a log line that carries what a patient answered (or the signed state,
which encodes it) would store health information the service promises never to keep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from served import SECRET as SERVED_SECRET
from served import raw, serve, status
from webflow import PATIENT, state_of, walk

from bfr_triage import create_app
from bfr_triage.engine import Answers
from bfr_triage.web.share import make_token

MARKER = "zqx7731marker"
FORM = "application/x-www-form-urlencoded"
SECRET = "log-tests-secret-key-not-for-production"


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": False, "SECRET_KEY": SECRET, "TRUSTED_HOSTS": "localhost"})


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG, werkzeug and the app's own included."""
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "bfr_triage", "gunicorn.error", "gunicorn.access"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Return everything logged: messages, arguments and any traceback text."""
    return "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {r.stack_info or ''}"
        for r in caplog.records
    )


def test_a_whole_questionnaire_leaves_no_answer_in_the_logs(
    app: Flask, all_logs: pytest.LogCaptureFixture
) -> None:
    rs = app.extensions["bfr_ruleset"]
    client = app.test_client()
    states = [state_of(r) for r in walk(client, rs, PATIENT)]
    first = rs.pages[0].id
    hostile = {"condition": MARKER, "state": MARKER, MARKER: MARKER, "action": MARKER}
    assert client.post(f"/q/{first}?note={MARKER}", data=hostile).status_code == 400
    assert client.post(f"/result?x={MARKER}", data={"state": MARKER}).status_code == 400
    assert client.get(f"/?lang={MARKER}&audience={MARKER}").status_code == 200
    valid = {"audience": "clinician", "answers": PATIENT}
    assert client.post("/api/v1/assessments", json=valid).status_code == 200
    assert client.post("/api/v1/fhir/QuestionnaireResponse", json=valid).status_code == 200
    bad = {"audience": MARKER, "answers": {"condition": MARKER, MARKER: [MARKER]}}
    assert client.post(f"/api/v1/assessments?x={MARKER}", json=bad).status_code == 422
    assert client.post("/api/v1/assessments", data=MARKER).status_code in (400, 415)
    assert client.get(f"/share/{MARKER}").status_code in (400, 404)
    text = logged(all_logs)
    assert MARKER not in text
    assert not [s for s in states if s in text], "a signed state was logged"


def test_an_error_page_logs_the_path_but_no_answer(
    app: Flask, all_logs: pytest.LogCaptureFixture
) -> None:
    @app.post("/explode")
    def explode() -> str:
        raise RuntimeError("kaput")

    client = app.test_client()
    assert client.post(f"/explode?x={MARKER}", data={"condition": MARKER}).status_code == 500
    text = logged(all_logs)
    assert "/explode" in text  # the failure itself is logged, so the check above can fail
    assert MARKER not in text


def test_the_app_log_holds_no_share_token(app: Flask, all_logs: pytest.LogCaptureFixture) -> None:
    # Finding 1: a share token is the answers, encrypted; the path is logged without it.
    @app.get("/share/<token>/explode")
    def explode(token: str) -> str:
        raise RuntimeError("kaput")

    client = app.test_client()
    assert client.get(f"/share/{MARKER}/explode").status_code == 500
    logging.getLogger("werkzeug").info('"GET /share/%s/qr.svg HTTP/1.1" 200 -', MARKER)
    text = logged(all_logs)
    assert "/share/…/explode" in text  # the failure is logged, where it happened
    assert "/share/…/qr.svg" in text  # the development server's request log (make run)
    assert MARKER not in text


def test_the_served_logs_have_paths_without_query_strings_bodies_or_share_tokens(
    tmp_path: Path,
) -> None:
    with serve(tmp_path) as served:
        base = served.base
        assert status(f"{base}/?lang=en&note={MARKER}") == 200
        body = f"condition={MARKER}&state={MARKER}".encode()
        assert status(f"{base}/q/condition?x={MARKER}", body, FORM) == 400
        token = make_token(SERVED_SECRET, Answers(PATIENT))
        assert status(f"{base}/share/{token}?audience=patient") == 200
        assert status(f"{base}/share/{token}/qr.svg") == 200
        assert status(f"{base}/share/{MARKER}/qr.svg") == 400
        # A request line gunicorn refuses is logged by gunicorn itself (its error log).
        refused = raw(served.port, f"GET /share/{MARKER}\x01 HTTP/1.1\r\n\r\n".encode())
        assert refused.startswith(b"HTTP/1.1 400")
        text = served.log_text()
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert '"GET / HTTP/1.1" 200' in text
    assert '"POST /q/condition HTTP/1.1" 400' in text
    assert '"GET /share/… HTTP/1.1" 200' in text
    assert '"GET /share/…/qr.svg HTTP/1.1" 200' in text
    assert "Invalid request from ip=127.0.0.1" in text
    assert MARKER not in text
    assert token not in text
