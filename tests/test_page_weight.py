"""Every HTML page weighs at most 40 KB uncompressed, in every language and error state.

An old phone on a slow connection must get the whole page. The heaviest answers are every safety
item hit on every limb; Danish has the longer words. The result page keeps the stricter budget
it had: with its stylesheet and script, 40 KB.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webflow import state_of
from werkzeug.test import TestResponse

from bfr_triage.engine import RuleSet
from bfr_triage.web.state import State, dump_state

LIMIT = 40 * 1024
LANGS = ("en", "da")
AUDIENCES = ("patient", "clinician")
HEAVIEST: dict[str, object] = {
    "condition": "rheumatoid_arthritis", "limb": "both_legs", "weight_bearing": "nwb",
    "weight_bearing_percent": 20, "load_restriction": "yes", "immobilised": "yes",
    "surgery": "weeks_1_6", "pain_heavy": 9, "cannot_train_heavy": "yes",
    "bp_systolic": 150, "bp_diastolic": 95, "age_60": "yes", "icu_recent": "yes",
    "risk_factors": ["diabetes", "kidney_disease", "rheumatoid_arthritis", "controlled_hypertension",
                     "oestrogen", "varicose_veins", "smoking", "obesity", "anabolic_steroids"],
}  # fmt: skip


def _heaviest(ruleset: RuleSet) -> dict[str, object]:
    answers = dict(HEAVIEST)
    for question in ruleset.questions.values():
        if question.page == "safety" and question.type == "choice":
            answers[question.id] = "dont_know"
        elif question.page == "limb_safety":
            answers[question.id] = ["left_arm", "right_arm", "left_leg", "right_leg"]
    return answers


Visit = Callable[[FlaskClient, str], TestResponse]


def _signed(app: Flask, answers: dict[str, object], mode: str) -> str:
    with app.test_request_context():
        return dump_state(State(answers, mode))  # type: ignore[arg-type]


def _submit_empty(url: str) -> Visit:
    """Open a form page, then send it back with no answer: its error state."""

    def visit(client: FlaskClient, q: str) -> TestResponse:
        blank = client.get(f"{url}{q}")
        return client.post(f"{url}{q}", data={"state": state_of(blank), "action": "next"})

    return visit


def _states(app: Flask, ruleset: RuleSet) -> dict[str, tuple[str, Visit]]:
    """Return every page state: name -> (audience, how to reach it with the query string q).

    No audience: the page is opened without one (the start page then asks who is answering).
    """
    heavy = _signed(app, _heaviest(ruleset), "review")
    empty = _signed(app, {}, "review")
    states: dict[str, tuple[str, Visit]] = {
        "start": ("", lambda c, q: c.get(f"/{q}")),
        "start-error": ("", lambda c, q: c.post(f"/start{q}", data={})),
        "intake": ("clinician", lambda c, q: c.get(f"/intake{q}")),
        "intake-error": ("clinician", _submit_empty("/intake")),
        "embed": ("", lambda c, q: c.get(f"/embed{q}")),
        "embed-demo": ("", lambda c, q: c.get(f"/embed/demo{q}")),
        "404": ("", lambda c, q: c.get(f"/no-such-page{q}")),
        "405": ("", lambda c, q: c.put(f"/about{q}")),
        "400": ("", lambda c, q: c.post(f"/q/loading{q}", data={"state": "x"})),
        "413": ("", lambda c, q: c.post(f"/q/loading{q}", data={"state": "x" * 70_000})),
    }
    states["region"] = ("patient", lambda c, q: c.get(f"/q/region{q}"))
    states["region-error"] = ("patient", _submit_empty("/q/region"))
    states["note"] = ("clinician", lambda c, q: c.post(f"/note{q}", data={"state": heavy}))
    for audience in AUDIENCES:
        for page in ruleset.pages:
            if all(ruleset.questions[q].ask_when for q in page.questions):
                continue  # asked only after other answers: weighed in test_web_branching's walks
            url = f"/q/{page.id}"
            states[f"{page.id}-{audience}"] = (audience, lambda c, q, u=url: c.get(f"{u}{q}"))
            states[f"{page.id}-{audience}-error"] = (audience, _submit_empty(url))
        states[f"check-{audience}"] = (
            audience, lambda c, q: c.post(f"/check{q}", data={"state": heavy})
        )  # fmt: skip
        states[f"check-{audience}-error"] = (
            audience, lambda c, q: c.post(f"/result{q}", data={"state": empty})
        )  # fmt: skip
        states[f"result-{audience}"] = (
            audience, lambda c, q: c.post(f"/result{q}", data={"state": heavy})
        )  # fmt: skip
        states[f"share-{audience}"] = (
            audience, lambda c, q: c.post(f"/share{q}", data={"state": heavy})
        )  # fmt: skip
        states[f"about-{audience}"] = (audience, lambda c, q: c.get(f"/about{q}"))
    return states


def test_every_page_state_weighs_at_most_40_kb(
    app: Flask, client: FlaskClient, ruleset: RuleSet
) -> None:
    weights, errors = {}, []
    for lang in LANGS:
        for name, (audience, visit) in _states(app, ruleset).items():
            query = f"?lang={lang}" + (f"&audience={audience}" if audience else "")
            response = visit(client, query)
            key = f"{lang} {name}"
            if response.mimetype != "text/html" or f'lang="{lang}"' not in response.text:
                errors.append(f"{key}: {response.status_code} {response.mimetype}")
            weights[key] = len(response.data)
    assert not errors, errors
    heavy = {key: size for key, size in weights.items() if size > LIMIT}
    assert not heavy, heavy
    # The error states are there (a page that never showed its errors would weigh less).
    assert all(
        "error-summary" in visit(client, f"?audience={audience}" if audience else "").text
        for name, (audience, visit) in _states(app, ruleset).items()
        if name.endswith("-error")
    )


def test_a_shared_link_page_weighs_at_most_40_kb(app: Flask, client: FlaskClient) -> None:
    """The page a share link opens on (the choice of view) and its result."""
    made = client.post("/share?lang=da", data={"state": _signed(app, HEAVIEST, "review")})
    url = re.search(r'value="https?://[^/"]+(/share/[^"]+)"', made.text)
    assert url, "no share link on the page"
    for query in ("?lang=da", "?lang=da&audience=clinician"):
        page = client.get(url.group(1) + query)
        assert page.status_code == 200 and len(page.data) <= LIMIT, (query, len(page.data))


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("lang", LANGS)
def test_heaviest_result_page_with_its_css_and_js_weighs_at_most_40_kb(
    app: Flask, client: FlaskClient, ruleset: RuleSet, audience: str, lang: str
) -> None:
    state = _signed(app, _heaviest(ruleset), "review")
    page = client.post(f"/result?audience={audience}&lang={lang}", data={"state": state})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "verdict-needs_clearance" in html
    assets = re.findall(r'(?:href|src)="(/static/[^"?]+\.(?:css|js))', html)
    assert assets, "the page links its stylesheet and script"
    total = len(page.data)
    for asset in set(assets):
        with client.get(asset) as response:  # close the static file behind the response
            total += len(response.data)
    assert total <= LIMIT, f"{total} bytes"
