"""Answers never reach a log: not the app's, not werkzeug's, not gunicorn's access log.

Privacy hazard guarded: a log line that carries what a patient answered (or the signed state,
which encodes it) would store health information the service promises never to keep.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from webflow import PATIENT, state_of, walk

from bfr_triage import create_app

MARKER = "zqx7731marker"
FORM = "application/x-www-form-urlencoded"
SECRET = "log-tests-secret-key-not-for-production"


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": False, "SECRET_KEY": SECRET})


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(url: str, body: bytes | None = None, kind: str = "") -> int:
    headers = {"Content-Type": kind} if kind else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as error:
        return error.code


def answers(url: str) -> bool:
    try:
        return request(url) == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def test_the_served_access_log_has_paths_without_query_strings_or_bodies(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BFR_")}
    env.update(BFR_SECRET_KEY=SECRET, BFR_WORKERS="1")
    log = tmp_path / "serve.log"
    command = [str(Path(sys.executable).parent / "bfr-triage"), "serve"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}"], env=env, stdout=out, stderr=out
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while not answers(base + "/healthz"):
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            assert request(f"{base}/?lang=en&note={MARKER}") == 200
            body = f"condition={MARKER}&state={MARKER}".encode()
            assert request(f"{base}/q/condition?x={MARKER}", body, FORM) == 400
        finally:
            server.terminate()
            server.wait(timeout=20)
    text = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert '"GET / HTTP/1.1" 200' in text
    assert '"POST /q/condition HTTP/1.1" 400' in text
    assert MARKER not in text
