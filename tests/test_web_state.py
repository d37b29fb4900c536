"""The answers travel in one signed hidden field: a tampered, stale or foreign field gives a
clear 400 page with "Start again" — never a 500, never a result built on unchecked answers."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from webflow import PATIENT, state_of, walk

from bfr_triage import create_app
from bfr_triage.web.state import SALT


def assert_bad_state_page(response: object) -> None:
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Your answers could not be read" in page
    assert 'href="/' in page and "Start again" in page


def signed(app: Flask, payload: object, secret: str | None = None) -> str:
    key = secret or app.secret_key
    return str(URLSafeTimedSerializer(key, salt=SALT).dumps(payload))


@pytest.mark.parametrize("url", ["/q/condition", "/q/precautions", "/check", "/result", "/intake"])
def test_missing_state_is_a_400_page(client: FlaskClient, url: str) -> None:
    assert_bad_state_page(client.post(url, data={"action": "next"}))


def test_tampered_state_is_a_400_page(client: FlaskClient, ruleset: object) -> None:
    token = state_of(client.get("/q/condition"))
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert_bad_state_page(client.post("/result", data={"state": tampered}))


def test_state_signed_with_another_key_is_a_400_page(app: Flask, client: FlaskClient) -> None:
    token = signed(app, {"a": {}, "m": "steps"}, secret="someone-else")
    assert_bad_state_page(client.post("/q/condition", data={"state": token}))


def signed_ago(app: Flask, payload: object, seconds: int) -> str:
    """Sign `payload` as if it had been signed `seconds` ago."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    return str(URLSafeTimedSerializer(app.secret_key, salt=SALT, signer=Earlier).dumps(payload))


def test_stale_state_is_a_400_page(app: Flask, client: FlaskClient) -> None:
    token = signed_ago(app, {"a": {}, "m": "steps"}, app.config["STATE_MAX_AGE"] + 5)
    assert_bad_state_page(client.post("/q/condition", data={"state": token, "action": "next"}))


def test_state_just_inside_max_age_is_read(app: Flask, client: FlaskClient) -> None:
    token = signed_ago(
        app, {"a": {"condition": "acl"}, "m": "steps"}, app.config["STATE_MAX_AGE"] - 5
    )
    response = client.post("/q/condition", data={"state": token, "action": "change"})
    assert response.status_code == 200 and 'value="acl" checked' in response.get_data(as_text=True)


def test_max_age_comes_from_configuration() -> None:
    app = create_app({"ENV": "development", "TESTING": True, "STATE_MAX_AGE": 120})
    token = signed_ago(app, {"a": {}, "m": "steps"}, 125)
    assert_bad_state_page(app.test_client().post("/check", data={"state": token}))


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"a": {"condition": "spleen"}, "m": "steps"}, id="unknown-option"),
        pytest.param({"a": {"pain_heavy": "7"}, "m": "steps"}, id="number-as-text"),
        pytest.param({"a": {"nickname": "x"}, "m": "steps"}, id="unknown-question"),
        pytest.param({"a": {}, "m": "admin"}, id="unknown-mode"),
        pytest.param(["not", "a", "dict"], id="not-an-object"),
    ],
)
def test_signed_but_invalid_answers_are_a_400_page(
    app: Flask, client: FlaskClient, payload: object
) -> None:
    assert_bad_state_page(client.post("/result", data={"state": signed(app, payload)}))


def test_valid_signed_answers_give_the_result(app: Flask, client: FlaskClient) -> None:
    response = client.post("/result", data={"state": signed(app, {"a": PATIENT, "m": "review"})})
    assert response.status_code == 200 and "first option" in response.get_data(as_text=True)


def test_no_response_sets_a_cookie(client: FlaskClient, ruleset: object) -> None:
    responses = walk(client, ruleset, PATIENT)  # type: ignore[arg-type]
    responses += [client.get(u) for u in ("/", "/about", "/intake", "/healthz", "/nope")]
    responses += [client.post("/start", data={"audience": "patient"})]
    responses += [client.post("/result", data={"state": "forged"})]
    for response in responses:
        assert "Set-Cookie" not in response.headers, response.request.path


def test_answers_are_not_in_the_state_in_plain_text(client: FlaskClient, ruleset: object) -> None:
    check = walk(client, ruleset, PATIENT)[-2]  # type: ignore[arg-type]
    assert "meniscus" not in state_of(check)  # compressed; signed, not secret — but not greppable


def test_answers_never_reach_the_log(
    client: FlaskClient, ruleset: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    walk(client, ruleset, PATIENT)  # type: ignore[arg-type]
    client.post("/result", data={"state": "forged"})
    assert "meniscus" not in caplog.text and "left_leg" not in caplog.text
