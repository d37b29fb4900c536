"""Random form posts to every questionnaire URL: a clear 2xx/3xx/4xx page, never a 500."""

from __future__ import annotations

from functools import cache

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webflow import state_of
from werkzeug.datastructures import MultiDict

from bfr_triage import create_app
from bfr_triage.engine import load_ruleset
from bfr_triage.paths import data_dir

RULES = load_ruleset(data_dir("rules"))


@cache
def app() -> Flask:
    """Build the app once, inside the first test (after the BFR_* variables are cleared)."""
    return create_app({"ENV": "development", "TESTING": True})


URLS = ["/start", "/check", "/result", "/intake", *(f"/q/{p.id}" for p in RULES.pages)]
NAMES = [*RULES.questions, "state", "action", "lang", "audience"]
VALUES = st.one_of(
    st.sampled_from(["next", "back", "change", "da", "en", "dont_know", "none", "-1", "5", ""]),
    st.sampled_from([o.value for q in RULES.questions.values() for o in q.options]),
    st.text(max_size=20),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    url=st.sampled_from(URLS),
    query=st.sampled_from(["", "?audience=clinician", "?lang=da&embed=1", "?audience=x&lang=zz"]),
    form=st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=12),
    keep_state=st.booleans(),
)
def test_random_posts_never_give_a_server_error(
    url: str, query: str, form: list[tuple[str, str]], keep_state: bool
) -> None:
    client = app().test_client()
    if keep_state:  # a genuine signed state, so that validation itself gets exercised
        form = [(k, v) for k, v in form if k != "state"]
        form.append(("state", state_of(client.get("/q/condition"))))
    response = client.post(url + query, data=MultiDict(form))
    assert response.status_code < 500
    assert response.status_code in (200, 303, 400)
