"""Every page renders in both languages and for both audiences; error pages are translated
pages with a way back; /about is generated from the rule set."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from webflow import PATIENT, walk

from bfr_triage import create_app
from bfr_triage.engine import RuleSet
from bfr_triage.records.labels import GRADES, REGIONS

PAGES = ["/", "/intake", "/about", *(f"/q/{p}" for p in
         ("condition", "loading", "safety", "limb_safety", "precautions"))]  # fmt: skip


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("query", ["", "?audience=clinician", "?lang=da", "?embed=1"])
def test_every_page_renders(client: FlaskClient, url: str, query: str) -> None:
    response = client.get(url + query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.startswith("<!doctype html>")
    assert re.search(r"<h1>.+</h1>", page)
    assert 'class="skip"' in page and 'id="main"' in page


@pytest.mark.parametrize(
    ("query", "header", "lang"),
    [
        pytest.param("?lang=da", None, "da", id="query"),
        pytest.param("", "da-DK,da;q=0.9,en;q=0.5", "da", id="accept-language"),
        pytest.param("?lang=en", "da", "en", id="query-beats-header"),
        pytest.param("?lang=xx", "fr", "en", id="default"),
    ],
)
def test_locale_chain_sets_html_lang(
    client: FlaskClient, query: str, header: str | None, lang: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    page = client.get("/" + query, headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


def test_language_switch_on_a_page_without_state_is_a_link(client: FlaskClient) -> None:
    page = client.get("/about?audience=clinician").get_data(as_text=True)
    assert 'href="/about?audience=clinician&amp;lang=da"' in page


def test_language_switch_on_a_question_page_is_a_button_of_its_form(client: FlaskClient) -> None:
    page = client.get("/q/loading").get_data(as_text=True)
    assert re.search(r'<button form="qform" name="lang" value="da"', page)
    # Enter in a text field must continue, not switch language: the first submit button of
    # the form in tree order is a hidden "Continue".
    first = re.search(r'<button form="qform" name="(\w+)" value="(\w+)"', page)
    assert first and first.groups() == ("action", "next")


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True).strip() == "ok"


def test_favicon_is_served(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.data.startswith(b"<svg")


def test_about_lists_every_indication_and_safety_item(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    page = client.get("/about").get_data(as_text=True)  # a patient's, by default
    clinician = client.get("/about?audience=clinician").get_data(as_text=True)
    for ind in ruleset.indications.values():
        assert f'id="ind-{ind.id}"' in page and escape(ind.label) in page
    for item in ruleset.items:
        assert escape(item.patient_text) in page and escape(item.text) in clinician
    for row in ruleset.policy.rows:
        assert escape(row.patient_text) in page and escape(row.text) in clinician
    assert ruleset.policy.ruleset_version in page and ruleset.sha256 in page
    assert "not CE-marked" in page
    assert "policy choice" in page


def test_every_grade_and_region_has_words(ruleset: RuleSet) -> None:
    assert {i.grade for i in ruleset.indications.values()} <= set(GRADES)
    assert {i.region for i in ruleset.indications.values()} <= set(REGIONS)


def test_every_question_has_a_field_on_its_page_for_clinicians(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    intake = client.get("/intake").get_data(as_text=True)  # every question, on one page
    for page in ruleset.pages:
        html = client.get(f"/q/{page.id}?audience=clinician").get_data(as_text=True)
        for qid in page.questions:
            # A question asked only after another answer (ask_when) is not on a blank page, nor
            # is a limb item's "which arm or leg" before the item was ticked.
            always = ruleset.questions[qid].ask_when is None and page.id != "limb_safety"
            assert f'name="{qid}"' in (html if always else intake), (page.id, qid)


def test_condition_options_are_grouped_by_region(client: FlaskClient) -> None:
    page = client.get("/q/condition").get_data(as_text=True)
    assert '<h2 class="group" id="condition-g1">Knee</h2>' in page
    # The brief's own wording helps clinicians only (Danish review, point 35).
    assert "In the original list" not in page
    clinician = client.get("/q/condition?audience=clinician").get_data(as_text=True)
    assert "In the original list: Joint replacement (shoulder, hip, knee)" in clinician


def test_pain_is_asked_with_radio_buttons_not_a_slider(client: FlaskClient) -> None:
    page = client.get("/q/loading").get_data(as_text=True)
    values = re.findall(r'type="radio" name="pain_heavy" value="(\w+)"', page)
    assert values == [str(n) for n in range(11)] + ["dont_know"]
    assert 'type="range"' not in page


@pytest.mark.parametrize(
    ("request_args", "status", "words"),
    [
        pytest.param(("GET", "/no-such-page"), 404, "Page not found", id="404"),
        pytest.param(("GET", "/q/no-such-topic"), 404, "Page not found", id="404-topic"),
        pytest.param(("PUT", "/"), 405, "cannot be used like that", id="405"),
        pytest.param(("GET", "/result"), 405, "cannot be used like that", id="405-get-result"),
    ],
)
def test_error_pages_have_a_way_back(
    client: FlaskClient, request_args: tuple[str, str], status: int, words: str
) -> None:
    method, url = request_args
    response = client.open(url, method=method)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert words in page and 'href="/"' in page and "<html lang=" in page


def test_too_large_a_body_is_a_413_page(client: FlaskClient) -> None:
    response = client.post("/q/condition", data={"state": "x" * (70 * 1024)})
    assert response.status_code == 413
    assert "Too much was sent" in response.get_data(as_text=True)


def test_error_page_is_translated_by_lang(client: FlaskClient) -> None:
    page = client.get("/nope?lang=da").get_data(as_text=True)
    assert '<html lang="da">' in page and 'href="/?lang=da"' in page


def test_unexpected_error_reraises_under_testing(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        app.test_client().get("/boom")


def test_unexpected_error_is_a_500_page_in_production_mode() -> None:
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "a-test-secret-long-enough-for-production",
            "TRUSTED_HOSTS": "localhost",
        }
    )

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "problem with the service" in response.get_data(as_text=True)


def test_result_page_weighs_at_most_40_kb_with_css_and_js(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    clinician = {**PATIENT, "surgery": "weeks_1_6", "surgery_on_trained_limb": "yes",
                 "risk_factors": ["diabetes", "smoking"]}  # fmt: skip
    html = walk(client, ruleset, clinician, "clinician")[-1].data
    with client.get("/static/app.css") as css_response, client.get("/static/app.js") as js_response:
        css, js = css_response.data, js_response.data
    assert len(css) < 10 * 1024
    assert len(html) + len(css) + len(js) <= 40 * 1024, (len(html), len(css), len(js))


def test_references_leave_the_frame_in_embed_mode(client: FlaskClient) -> None:
    framed = client.get("/about?embed=1").get_data(as_text=True)
    plain = client.get("/about").get_data(as_text=True)
    assert 'href="https://doi.org/' in framed and 'target="_blank" rel="noopener"' in framed
    assert 'target="_blank"' not in plain


def test_region_heading_is_not_the_back_link(client: FlaskClient) -> None:
    page = client.get("/q/condition").get_data(as_text=True)
    assert '<h2 class="group" id="condition-g5">Back and spine</h2>' in page


def test_about_speaks_to_a_patient_in_patient_words(client: FlaskClient) -> None:
    """README §7 (v2): no clinician instruction on a patient's page, /about included."""
    patient = client.get("/about?audience=patient").get_data(as_text=True)
    clinician = client.get("/about?audience=clinician").get_data(as_text=True)
    for term in ("LOP", "screen for", "Medical clearance before BFR"):
        assert term not in patient, term
    assert "Medical clearance before BFR" in clinician
