"""The journey in the browser: start, one page per topic, check your answers, result.

Guards a clinical hazard: the web result must be the engine's decision for the same answers
(a page that showed another verdict than the engine would mislead the person)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from golden import CASES, Case
from webflow import PATIENT, fields, state_of, walk
from werkzeug.datastructures import MultiDict

from bfr_triage.engine import RuleSet, asked, evaluate, load_ruleset, parse_answers
from bfr_triage.engine.export import headline as engine_headline
from bfr_triage.paths import data_dir


def title(response: Any) -> str:
    found = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S)
    assert found
    return found.group(1)


def headline(rs: RuleSet, answers: dict[str, Any], audience: str) -> str:
    """Return the verdict headline the engine gives, in the audience's wording."""
    raw = {k: tuple(v) if isinstance(v, list) else v for k, v in answers.items()}
    return engine_headline(rs, evaluate(rs, parse_answers(rs, raw)), audience)[0]


def intake(client: FlaskClient, rs: RuleSet, answers: dict[str, Any]) -> Any:
    """Fill the clinicians' one-page form and submit it once."""
    page = client.get("/intake")
    form = [f for p in rs.pages for f in fields(rs, p, answers, "clinician")]
    form += [("state", state_of(page)), ("action", "next")]
    return client.post("/intake", data=MultiDict(form))


def test_start_sends_the_chosen_audience_to_the_first_question(client: FlaskClient) -> None:
    response = client.post("/start?lang=da&embed=1", data={"audience": "clinician"})
    assert response.status_code == 303
    assert response.location.startswith("/q/condition?")
    for param in ("audience=clinician", "lang=da", "embed=1"):
        assert param in response.location


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_a_named_audience_is_not_asked_again(client: FlaskClient, audience: str) -> None:
    """?audience= (what embed.js sends for data-bfr-audience) answers "Who is answering?"."""
    start = client.get(f"/?audience={audience}&embed=1").get_data(as_text=True)
    assert "Who is answering?" not in start and 'name="audience"' not in start
    assert 'action="/start?audience=' in start
    # A patient's embed offers no clinicians' intake form; a clinician's still does.
    assert ("/intake?" in start) == (audience == "clinician")
    response = client.post(f"/start?audience={audience}&embed=1", data={"action": "next"})
    assert response.status_code == 303
    assert f"audience={audience}" in response.location and "embed=1" in response.location
    # Without it, the question is asked, and an answer is required.
    assert "Who is answering?" in client.get("/").get_data(as_text=True)
    assert "error-summary" in client.post("/start", data={}).get_data(as_text=True)


def test_patient_reaches_the_result_in_seven_screens(client: FlaskClient, ruleset: RuleSet) -> None:
    screens = walk(client, ruleset, PATIENT)[1:]  # after the first page's GET: one per submit
    assert len(screens) <= 7
    assert title(screens[-2]).startswith("Check your answers")
    assert headline(ruleset, PATIENT, "patient") in title(screens[-1])
    assert "first option" in title(screens[-1])


def test_clinician_compact_form_reaches_the_result_in_one_submit(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    response = intake(client, ruleset, {**PATIENT, "bp_systolic": 185})
    assert response.status_code == 200
    assert title(response).startswith("Do not start BFR before medical clearance")
    page = response.get_data(as_text=True)
    # How to start is for after clearance (README §2 v2: nothing of the kind before it).
    assert "Clot-risk points" in page and "Starting parameters" not in page
    option = intake(client, ruleset, {**PATIENT, "bp_systolic": 120}).get_data(as_text=True)
    assert "Clot-risk points" in option and "Starting parameters" in option
    assert "Thomeé" in option or "thomee" in option.lower()  # the pain threshold's sources


def complete(case: Case, rs: RuleSet) -> bool:
    """Return whether a case answers every required question the web asks with its answers."""
    now = asked(rs, parse_answers(rs, case.answers))
    return all(q.id in case.answers for q in rs.questions.values() if not q.optional and now[q.id])


WEB_CASES = [c for c in CASES if complete(c, load_ruleset(data_dir("rules")))]


def test_most_golden_cases_can_be_entered_through_the_web() -> None:
    assert len(WEB_CASES) >= len(CASES) - 3


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in WEB_CASES])
def test_web_result_is_the_engine_decision(
    client: FlaskClient, ruleset: RuleSet, case: Case
) -> None:
    if case.audience == "clinician":
        response = intake(client, ruleset, case.answers)
    else:
        response = walk(client, ruleset, case.answers, case.audience)[-1]
    assert title(response).startswith(headline(ruleset, case.answers, case.audience))
    page = response.get_data(as_text=True)
    shown = ("clear_", "local_", "prec_")  # a patient's clearance result leaves out the rest
    if not (case.audience == "patient" and case.verdict == "needs_clearance"):
        shown = ("barrier_", *shown)
    if case.audience == "patient" and case.urgent:  # the pages after the health page: not asked
        shown = ("clear_",)
    for rule in case.fired:
        if rule.startswith(shown):
            assert f'class="reason-{rule}"' in page


def test_back_keeps_answers_of_both_pages(client: FlaskClient, ruleset: RuleSet) -> None:
    first = client.get("/q/condition")
    limb = client.post(
        "/q/condition", data={"condition": "acl", "state": state_of(first), "action": "next"}
    )
    loading = client.post(
        "/q/limb", data={"limb": "right_leg", "state": state_of(limb), "action": "next"}
    )
    back = client.post(
        "/q/loading",
        data={"weight_bearing": "nwb", "state": state_of(loading), "action": "back"},
    )
    page = back.get_data(as_text=True)
    assert 'value="right_leg" checked' in page
    again = client.post("/q/limb", data={"limb": "right_leg",
                                         "state": state_of(back), "action": "next"})  # fmt: skip
    assert 'value="nwb" checked' in again.get_data(as_text=True)


def loading_page(client: FlaskClient, audience: str, limb: str = "right_leg") -> str:
    """Answer the condition and limb pages; return the loading page the app shows next."""
    q = f"?audience={audience}"
    first = client.get(f"/q/condition{q}")
    page = client.post(f"/q/condition{q}",
                       data={"condition": "acl", "state": state_of(first), "action": "next"})  # fmt: skip
    page = client.post(
        f"/q/limb{q}", data={"limb": limb, "state": state_of(page), "action": "next"}
    )
    return page.get_data(as_text=True)


def test_back_from_the_first_page_returns_to_start(client: FlaskClient) -> None:
    first = client.get("/q/condition?lang=da&audience=clinician")
    response = client.post(
        "/q/condition?lang=da&audience=clinician", data={"state": state_of(first), "action": "back"}
    )
    assert response.status_code == 303 and response.location == "/?lang=da&audience=clinician"
    region = client.get("/q/region?lang=da")  # a patient's first question
    response = client.post("/q/region?lang=da", data={"state": state_of(region), "action": "back"})
    assert response.status_code == 303 and response.location == "/?lang=da"


def test_back_from_check_opens_the_last_page_answered_then_walks_backwards(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    check = walk(client, ruleset, PATIENT)[-2]
    page = check.get_data(as_text=True)
    assert '<button form="qform" class="link back" name="action" value="back">' in page
    last = client.post("/check?audience=patient", data={"state": state_of(check), "action": "back"})
    assert title(last).startswith(ruleset.pages[-1].title)
    assert 'name="age_60" value="no" checked' in last.get_data(as_text=True)
    # Back again: the page before it (not the check page), its answers kept.
    form = fields(ruleset, ruleset.pages[-1], PATIENT, "patient")
    form += [("state", state_of(last)), ("action", "back")]
    before = client.post(f"/q/{ruleset.pages[-1].id}?audience=patient", data=MultiDict(form))
    assert title(before).startswith("Does any of these apply to an arm or leg?")
    assert 'name="items" value="none" checked' in before.get_data(as_text=True)


def test_change_from_check_opens_the_page_prefilled_and_returns_to_check(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    check = walk(client, ruleset, PATIENT)[-2]
    # One Change per page, named by the page's heading.
    changes = re.findall(r'formaction="([^"]+)" id="change-(\w+)"', check.get_data(as_text=True))
    assert ("/q/loading?audience=patient", "loading") in changes
    assert len(changes) == len({page for _, page in changes}) >= 5, changes
    opened = client.post("/q/loading?audience=patient",
                         data={"state": state_of(check), "action": "change"})  # fmt: skip
    page = opened.get_data(as_text=True)
    assert 'name="pain_heavy" value="2" checked' in page
    loading = next(p for p in ruleset.pages if p.id == "loading")
    form = fields(ruleset, loading, {**PATIENT, "pain_heavy": 8}, "patient")
    form += [("state", state_of(opened)), ("action", "next")]
    back_to_check = client.post("/q/loading?audience=patient", data=MultiDict(form))
    assert title(back_to_check).startswith("Check your answers")
    result = client.post("/result?audience=patient", data={"state": state_of(back_to_check)})
    assert "reason-barrier_pain" in result.get_data(as_text=True)


def test_result_change_control_reopens_the_question(client: FlaskClient, ruleset: RuleSet) -> None:
    result = walk(client, ruleset, PATIENT)[-1].get_data(as_text=True)
    assert 'formaction="/q/loading?audience=patient#q-weight_bearing"' in result
    assert "Because you answered" in result


def test_result_with_missing_answers_lists_them_on_the_check_page(client: FlaskClient) -> None:
    first = client.get("/q/condition")
    response = client.post("/result", data={"state": state_of(first)})
    page = response.get_data(as_text=True)
    assert title(response).startswith("Error: Check your answers")
    assert 'href="#change-condition"' in page and 'id="change-condition"' in page


def test_language_switch_keeps_answers_without_validating(client: FlaskClient) -> None:
    first = client.get("/q/condition")
    response = client.post(
        "/q/condition", data={"condition": "acl", "state": state_of(first), "lang": "da"}
    )
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page
    assert 'value="acl" checked' in page
    assert "There is a problem" not in page and "Der er" not in page
    assert 'action="/q/condition?lang=da"' in page


def test_carried_parameters_appear_on_every_form_and_link(client: FlaskClient) -> None:
    page = client.get("/q/loading?audience=clinician&embed=1&lang=en").get_data(as_text=True)
    actions = re.findall(r'(?:action|href)="(/[^"#]*)', page)
    own = [a for a in actions if not a.startswith("/static/")]
    assert own, page
    for url in own:
        assert "audience=clinician" in url and "embed=1" in url and "lang=en" in url, url
    assert '<header class="site">' not in page  # embed mode drops the site chrome


def test_clinician_sees_clinician_wording_and_extra_questions(client: FlaskClient) -> None:
    clinician = loading_page(client, "clinician")
    patient = loading_page(client, "patient")
    assert "Current weight-bearing status" in clinician and "weight_bearing_percent" in clinician
    assert "How much weight may you put" in patient and "weight_bearing_percent" not in patient


def test_compact_form_result_changes_reopen_the_compact_form(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    result = intake(client, ruleset, {**PATIENT, "bp_systolic": 120})
    page = result.get_data(as_text=True)
    assert 'formaction="/intake?audience=clinician#q-weight_bearing"' in page
    reopened = client.post(
        "/intake?audience=clinician", data={"state": state_of(result), "action": "change"}
    )
    html = reopened.get_data(as_text=True)
    assert 'value="nwb" checked' in html and 'name="bp_systolic" value="120"' in html
    assert "There is a problem" not in html


def test_compact_form_language_switch_keeps_what_was_typed(client: FlaskClient) -> None:
    blank = client.get("/intake")
    response = client.post(
        "/intake", data={"state": state_of(blank), "bp_systolic": "150", "lang": "da"}
    )
    html = response.get_data(as_text=True)
    assert '<html lang="da">' in html and 'name="bp_systolic" value="150"' in html
