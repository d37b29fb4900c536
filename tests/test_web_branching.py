"""The pages branch on the answers (README §2, §4 v2; patient-flow.md): where the problem is, then
that region's conditions, then only the limbs that fit; questions that do not apply are not asked;
current clot signs end the questions with the urgent result."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from webflow import PATIENT, fields, state_of, walk
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from bfr_triage.engine import RuleSet


def names(response: TestResponse, field: str) -> list[str]:
    """Return the values offered for `field` on a page."""
    return re.findall(rf'name="{field}" value="([^"]+)"', response.get_data(as_text=True))


def heading(response: TestResponse) -> str:
    found = re.search(r"<h1[^>]*>(?:<label[^>]*>)?(.*?)<", response.get_data(as_text=True))
    assert found
    return found.group(1)


def step(client: FlaskClient, page: str, response: TestResponse, **form: object) -> TestResponse:
    data = MultiDict([*form.items(), ("state", state_of(response)), ("action", "next")])
    return client.post(f"/q/{page}", data=data)


def test_a_patient_starts_with_where_the_problem_is(client: FlaskClient) -> None:
    start = client.post("/start", data={"audience": "patient"})
    assert start.status_code == 303 and start.location.startswith("/q/region?")
    region = client.get("/q/region")
    assert heading(region) == "Where is the problem?"
    offered = names(region, "region")
    assert "knee" in offered and "goals" in offered and offered[-1] == "not_sure"
    assert len(offered) <= 9


def test_no_region_reads_as_a_button_in_danish(client: FlaskClient) -> None:
    """A region named "Back" took the back link's Danish (»Tilbage«): regions have their own."""
    page = client.get("/q/region?lang=da").get_data(as_text=True)
    labels = dict(re.findall(r'name="region" value="(\w+)">([^<]+)</label>', page))
    assert labels["back"] == "Ryg", labels
    assert not {"Tilbage", "Næste", "Rediger", "Start"} & set(labels.values()), labels


def test_a_region_offers_its_own_conditions_and_something_else(client: FlaskClient) -> None:
    knee = step(client, "region", client.get("/q/region"), region="knee")
    offered = names(knee, "condition")
    assert "acl" in offered and "knee_osteoarthritis" in offered and offered[-1] == "not_listed"
    assert "shoulder_pain" not in offered and "fracture" not in offered
    everything = step(client, "region", client.get("/q/region"), region="not_sure")
    assert len(names(everything, "condition")) > 25


def test_no_region_chosen_says_what_to_do(client: FlaskClient) -> None:
    page = step(client, "region", client.get("/q/region")).get_data(as_text=True)
    assert "<title>Error: " in page and "Select where the problem is" in page


def test_the_limb_page_offers_only_the_limbs_the_condition_has_evidence_for(
    client: FlaskClient,
) -> None:
    limb = step(client, "condition", client.get("/q/condition"), condition="knee_osteoarthritis")
    assert names(limb, "limb") == ["left_leg", "right_leg", "both_legs"]
    refused = step(client, "limb", limb, limb="left_arm").get_data(as_text=True)
    assert "<title>Error: " in refused and "Select one of the answers shown" in refused


def test_weight_bearing_is_asked_only_for_a_leg(client: FlaskClient) -> None:
    limb = step(client, "condition", client.get("/q/condition"), condition="fracture")
    arm = step(client, "limb", limb, limb="left_arm")
    leg = step(client, "limb", limb, limb="left_leg")
    assert 'name="weight_bearing"' not in arm.get_data(as_text=True)
    assert names(leg, "weight_bearing")[:1] == ["fwb"]
    assert "not_relevant" not in names(leg, "weight_bearing")  # no "it is an arm" for a leg


def test_which_limb_was_operated_on_is_asked_only_after_an_operation(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    titles = []
    for surgery in ("none", "weeks_1_6"):
        answers = {**PATIENT, "surgery": surgery, "surgery_on_trained_limb": "no"}
        screens = walk(client, ruleset, answers)
        titles.append([heading(r) for r in screens])
    question = "Was the operation on the arm or leg you would train?"
    assert question not in titles[0] and question in titles[1]


def test_clot_signs_end_the_questions_with_the_urgent_result(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    page = client.get("/q/condition")
    for name in ("condition", "limb", "loading"):
        form = fields(ruleset, next(p for p in ruleset.pages if p.id == name), PATIENT, "patient")
        page = step(client, name, page, **dict(form))
    urgent = step(
        client,
        "safety",
        page,
        **{
            **dict(
                fields(
                    ruleset, next(p for p in ruleset.pages if p.id == "safety"), PATIENT, "patient"
                )
            ),
            "clot_signs": "yes",
        },
    )
    html = urgent.get_data(as_text=True)
    assert heading(urgent).startswith("Wait before you start BFR training")
    assert "112" in html and 'name="wound_limbs"' not in html
    assert 'formaction="/q/safety#q-clot_signs"' in html  # Change, for a mis-click
    assert "Your arms and legs" not in html and "What the research says" not in html
    # Nothing of the pages not asked: no item read as "Not answered", none of their sources;
    # the headline, then what to do today, each said once.
    wound = next(i for i in ruleset.items if i.id == "local_wound")
    assert "Not answered" not in html and wound.patient_text not in html
    assert "Elite Learning" not in html and "Bond CW" in html
    assert heading(urgent) == "Wait before you start BFR training"
    assert html.count("Call 112") == 1 and html.count("contact your doctor the same day") == 0


def test_a_changed_limb_drops_the_answers_no_longer_asked(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    check = walk(client, ruleset, PATIENT)[-2]
    assert "How much weight may you put on the leg" in check.get_data(as_text=True)
    opened = client.post("/q/limb", data={"state": state_of(check), "action": "change"})
    back_to_check = step(client, "limb", opened, limb="left_arm")
    # The meniscus is a knee condition: an arm is refused; a fracture allows both.
    assert "<title>Error: " in back_to_check.get_data(as_text=True)
    opened = client.post("/q/condition", data={"state": state_of(check), "action": "change"})
    limb = step(client, "condition", opened, condition="fracture")
    check_again = step(client, "limb", limb, limb="left_arm")
    html = check_again.get_data(as_text=True)
    assert heading(check_again) == "Check your answers"
    assert "How much weight may you put on the leg" not in html


def test_back_from_the_conditions_returns_to_the_region_chosen(client: FlaskClient) -> None:
    knee = step(client, "region", client.get("/q/region"), region="knee")
    back = client.post(
        "/q/condition", data={"state": state_of(knee), "region": "knee", "action": "back"}
    )
    assert heading(back) == "Where is the problem?"
    assert 'value="knee" checked' in back.get_data(as_text=True)
