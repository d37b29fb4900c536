"""Hostile input never breaks the app: random, oversized, malformed and tampered requests.

Every form step and every API operation gets random fields and values (unicode, huge, missing,
extra), forged or re-signed `state` values and garbage bodies. Each answer must be a clear 2xx,
3xx or 4xx page (never a 5xx, never an exception), and the app must still answer afterwards.
Bounded and derandomised so that CI runs the same examples every time.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from webflow import PATIENT, state_of, walk
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from bfr_triage import create_app
from bfr_triage.web.state import SALT

SECRET = "fuzz-tests-secret-key-not-for-production"
FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUERIES = settings(FUZZ, max_examples=50)  # few parameters to vary, and some pages are long
# Every operation that takes input; a guard test keeps this list equal to the app's routes.
FORM_STEPS = [
    "web.begin",
    "web.answer",
    "web.region_answer",
    "web.note_page",
    "web.check",
    "web.result",
    "web.intake_submit",
    "share.make",
    "web.note",
]
API_POSTS = ["api.assessments", "api.fhir_questionnaire_response", "api.fhir_decide"]
API_GETS = [
    "api.questionnaire",
    "api.openapi",
    "api.fhir_metadata",
    "api.fhir_questionnaire_search",
    "api.fhir_questionnaire",
    "api.fhir_operation_definition",
]
PAGES_WITH_QUERY = [
    "web.start", "web.region", "web.page", "web.intake", "web.about", "embed.guide"
]  # fmt: skip


def _app() -> Flask:
    """Build the app at import, with the developer's BFR_* variables out of the way."""
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("BFR_")]:
            mp.delenv(name)
        return create_app({"ENV": "development", "TESTING": True, "SECRET_KEY": SECRET})


APP = _app()
RS = APP.extensions["bfr_ruleset"]
PAGE_IDS = [p.id for p in RS.pages]
QUESTION_IDS = sorted(RS.questions)
OPTION_VALUES = sorted({o.value for q in RS.questions.values() for o in q.options})

# Strings that have broken web apps before, beside hypothesis's own text.
NASTY = [
    "", " ", "0", "-1", "1e309", "99999999999999999999", "NaN", "null", "[]", "{}", "dont_know",
    "none", "\x00", "%00", "%", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --",
    "ÆØÅ æøå", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🩸", "\u202e\u200b", "a" * 5000,
]  # fmt: skip
text = st.one_of(st.text(max_size=40), st.sampled_from(NASTY))
value = st.one_of(text, st.sampled_from(OPTION_VALUES), st.integers(-(10**12), 10**12).map(str))
name = st.one_of(
    st.sampled_from(
        [*QUESTION_IDS, "state", "action", "lang", "audience", "embed", "region", "items", "stage"]
    ),
    text,
)
query = st.dictionaries(
    st.sampled_from(["lang", "audience", "embed", "x"]),
    st.one_of(st.sampled_from(["en", "da", "patient", "clinician", "1"]), text),
    max_size=3,
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(name, text), inner, max_size=4)
    ),
    max_leaves=20,
)


def _valid_states() -> list[str]:
    client = APP.test_client()
    states = [state_of(r) for r in walk(client, RS, PATIENT)]
    states += [state_of(r) for r in walk(client, RS, PATIENT, audience="clinician")]
    return states + [state_of(client.get("/intake"))]


VALID_STATES = _valid_states()
_signer = URLSafeTimedSerializer(SECRET, salt=SALT)


@st.composite
def state(draw: st.DrawFn) -> str:
    """A state field: genuine, tampered, re-signed with nonsense inside, or plain garbage."""
    kind = draw(st.sampled_from(["valid", "tampered", "signed", "garbage", "foreign"]))
    if kind == "garbage":
        return draw(text)
    if kind == "signed":  # correctly signed, so only the re-validation of its content protects
        payload = draw(
            st.one_of(
                json_value,
                st.fixed_dictionaries(
                    {"a": st.dictionaries(st.one_of(name, text), json_value, max_size=6)},
                    optional={"m": st.one_of(st.sampled_from(["steps", "review", "intake"]), text)},
                ),
            )
        )
        return str(_signer.dumps(payload))
    genuine = draw(st.sampled_from(VALID_STATES))
    if kind == "valid":
        return genuine
    if kind == "foreign":  # signed with another key, e.g. by another deployment
        return str(URLSafeTimedSerializer("another-key", salt=SALT).dumps({"a": {}, "m": "steps"}))
    at = draw(st.integers(0, len(genuine) - 1))
    return genuine[:at] + draw(st.sampled_from(["", "A", ".", "=", "ÿ"])) + genuine[at + 1 :]


@st.composite
def form(draw: st.DrawFn) -> MultiDict[str, str]:
    """Form fields: any names and values, repeated, missing or extra, plus a state field."""
    fields = draw(st.lists(st.tuples(name, value), max_size=30))
    if draw(st.booleans()):
        fields.append(("state", draw(state())))
    return MultiDict(fields)


@pytest.fixture
def client() -> FlaskClient:
    return APP.test_client()


def url(endpoint: str, args: dict[str, str], page_id: str = "") -> str:
    """Build the URL of `endpoint` with query `args` (and a page id where it takes one)."""
    with APP.test_request_context():
        extra = (
            {"page_id": page_id or PAGE_IDS[0]} if endpoint in ("web.page", "web.answer") else {}
        )
        if endpoint in ("api.fhir_questionnaire", "api.fhir_operation_definition"):
            extra = {"id": page_id or "bfr-triage-clinician-da"}
        return url_for(endpoint, **extra, **args)


def assert_clear(response: TestResponse) -> None:
    """A 2xx/3xx, or a 4xx that says what went wrong: a page or a problem, never a 5xx."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        body = response.get_data(as_text=True)
        if response.mimetype == "application/problem+json":
            assert json.loads(body)["status"] == response.status_code
        elif response.mimetype == "application/fhir+json":  # errors under /api/v1/fhir
            outcome = json.loads(body)
            assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"]
        else:
            assert response.mimetype == "text/html"
            assert "<h1" in body


def assert_still_answering(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert "verdict-" in walk(client, RS, PATIENT)[-1].get_data(as_text=True)


def test_the_fuzzed_operations_are_all_the_operations_that_take_input() -> None:
    rules = list(APP.url_map.iter_rules())
    posts = {r.endpoint for r in rules if "POST" in (r.methods or ())} - {"api_fallback"}
    assert posts == set(FORM_STEPS + API_POSTS)
    api_gets = {r.endpoint for r in rules if r.endpoint.startswith("api.") and "GET" in r.methods}
    assert api_gets == set(API_GETS)


@pytest.mark.parametrize("endpoint", FORM_STEPS)
def test_a_form_step_answers_any_post_clearly(client: FlaskClient, endpoint: str) -> None:
    @FUZZ
    @given(fields=form(), args=query, page=st.one_of(st.sampled_from(PAGE_IDS), text.filter(bool)))
    def post(fields: MultiDict[str, str], args: dict[str, str], page: str) -> None:
        assert_clear(client.post(url(endpoint, args, page), data=fields))

    post()
    assert_still_answering(client)


@pytest.mark.parametrize("endpoint", FORM_STEPS)
def test_a_form_step_answers_malformed_bodies_clearly(client: FlaskClient, endpoint: str) -> None:
    @FUZZ
    @given(
        body=st.one_of(st.binary(max_size=2000), text.map(str.encode)),
        kind=st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "multipart/form-data; boundary=x",
                "application/json",
                "text/plain",
                "",
            ]
        ),
    )
    def post(body: bytes, kind: str) -> None:
        headers = {"Content-Type": kind} if kind else {}
        assert_clear(client.post(url(endpoint, {}), data=body, headers=headers))

    post()
    assert_still_answering(client)


@pytest.mark.parametrize("endpoint", API_POSTS)
def test_an_api_operation_answers_any_json_clearly(client: FlaskClient, endpoint: str) -> None:
    answers = st.dictionaries(
        st.one_of(st.sampled_from(QUESTION_IDS), text),
        st.one_of(st.sampled_from(OPTION_VALUES), json_value),
        max_size=12,
    )
    body = st.one_of(
        json_value,
        st.fixed_dictionaries(
            {"answers": st.one_of(answers, json_value)},
            optional={"audience": st.one_of(st.sampled_from(["patient", "clinician"]), json_value)},
        ),
        st.fixed_dictionaries({"audience": st.just("patient"), "answers": st.just(PATIENT)}),
    )

    @FUZZ
    @given(data=body, args=query)
    def post(data: Any, args: dict[str, str]) -> None:
        assert_clear(client.post(url(endpoint, args), json=data))

    post()
    assert_still_answering(client)


@pytest.mark.parametrize("endpoint", API_POSTS)
def test_an_api_operation_answers_malformed_bodies_clearly(
    client: FlaskClient, endpoint: str
) -> None:
    @FUZZ
    @given(
        body=st.one_of(st.binary(max_size=2000), text.map(str.encode)),
        kind=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "", "a/b"]),
    )
    def post(body: bytes, kind: str) -> None:
        headers = {"Content-Type": kind} if kind else {}
        assert_clear(client.post(url(endpoint, {}), data=body, headers=headers))

    post()
    assert_still_answering(client)


@pytest.mark.parametrize("endpoint", API_GETS + PAGES_WITH_QUERY)
def test_a_page_answers_any_query_clearly(client: FlaskClient, endpoint: str) -> None:
    @QUERIES
    @given(args=query, extra=st.dictionaries(text.filter(bool), text, max_size=3))
    def get(args: dict[str, str], extra: dict[str, str]) -> None:
        with client.get(url(endpoint, {**extra, **args})) as response:
            assert_clear(response)

    get()
    assert_still_answering(client)


@pytest.mark.parametrize("token", ["", "A", "x" * 5000, "ÆØÅ", "gAAAA" + "B" * 200, "../etc"])
def test_a_forged_share_link_gets_a_clear_answer(client: FlaskClient, token: str) -> None:
    for path in (f"/share/{token}", f"/share/{token}/result.json"):
        with client.get(path) as response:
            assert_clear(response)


@pytest.mark.parametrize("endpoint", FORM_STEPS + API_POSTS)
def test_an_oversized_body_is_refused_with_413(client: FlaskClient, endpoint: str) -> None:
    big = "x" * (APP.config["MAX_CONTENT_LENGTH"] + 1)
    if endpoint in API_POSTS:
        response = client.post(url(endpoint, {}), json={"answers": {"condition": big}})
    else:
        response = client.post(url(endpoint, {}), data={"state": big})
    assert response.status_code == 413
    assert_clear(response)
    assert_still_answering(client)
