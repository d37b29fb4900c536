"""The result page renders the whole decision: a clearance item answered "don't know" must read
differently from one answered yes, a limb item must name the limb (and say whether it is the one
to be trained), and an indication without trials must say so."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from markupsafe import escape
from webflow import PATIENT, walk

from bfr_triage.engine import RuleSet


def result(client: FlaskClient, rs: RuleSet, audience: str = "patient", **answers: Any) -> str:
    return walk(client, rs, {**PATIENT, **answers}, audience)[-1].get_data(as_text=True)


def reason(page: str, rule: str) -> str:
    found = re.search(rf'<li class="reason-{rule}">(.*?)</li>', page, re.S)
    assert found, rule
    return found.group(1)


def test_dont_know_reads_differently_from_yes(client: FlaskClient, ruleset: RuleSet) -> None:
    unknown_page = result(client, ruleset, prior_clot="dont_know")
    yes_page = result(client, ruleset, prior_clot="yes")
    assert "<strong>I don&#39;t know</strong>" in reason(unknown_page, "clear_prior_clot")
    assert "<strong>Yes</strong>" in reason(yes_page, "clear_prior_clot")
    note = "the item counts as yes until a doctor has checked"
    assert unknown_page.count(note) == 1 and note not in yes_page
    # The patient reads what they do, never the clinician's instruction (README §5, §7 v2).
    assert "Medical clearance before BFR" not in yes_page
    assert "Ask your doctor whether BFR training is safe" in reason(yes_page, "clear_prior_clot")
    clinician = result(client, ruleset, "clinician", prior_clot="yes")
    assert "Medical clearance before BFR" in reason(clinician, "clear_prior_clot")


def test_dont_know_note_is_said_once_per_section(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(
        client, ruleset, prior_clot="dont_know", cancer="dont_know", wound_limbs=["dont_know"]
    )
    assert page.count("the item counts as yes until a doctor has checked") == 1
    assert page.count("as if it affects the arm or leg you would train") == 1


def test_limb_item_names_the_limb_and_whether_it_is_trained(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    page = result(client, ruleset, wound_limbs=["left_leg"], lymph_limbs=["right_arm"])
    trained = reason(page, "local_wound")
    other = reason(page, "local_lymph")
    assert "Do not cuff: Left leg" in trained and "is the arm or leg you would train" in trained
    assert "Do not cuff: Right arm" in other and "is not the arm or leg you would train" in other
    assert "Which arm or leg would you train?" in page  # the trained limb, once, with Change


def test_indication_without_trials_says_so(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(client, ruleset, condition="hip_pain")
    assert "No specific trial was found" in page


def test_honesty_note_and_references_are_shown(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(client, ruleset, condition="knee_pain")
    knee = ruleset.indications["knee_pain"]
    assert str(escape(knee.honesty)) in page
    for sid in knee.sources:
        assert f'href="https://doi.org/{ruleset.sources[sid].doi}"' in page


def test_patient_sees_no_clinician_sections(client: FlaskClient, ruleset: RuleSet) -> None:
    patient = result(client, ruleset)
    clinician = result(client, ruleset, "clinician")
    for words in ("Clot-risk points", "Starting parameters", "Pain threshold: a policy choice"):
        assert words not in patient and words in clinician
    for parameter in ruleset.parameters:
        assert str(escape(parameter.text)) in clinician


def test_clot_points_are_the_engine_sum(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(client, ruleset, "clinician", age_60="yes", immobilised="yes", icu_recent="yes")
    assert '<p class="big">3</p>' in page and "not a threshold" in page


def test_precautions_say_what_to_do(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(client, ruleset, risk_factors=["oestrogen"])
    assert "they will ask about signs of a blood clot" in reason(page, "prec_oestrogen")
    assert "screen for" not in page  # the clinician's instruction (README §7 v2)
    clinician = result(client, ruleset, "clinician", risk_factors=["oestrogen"])
    assert "Oestrogen raises clot risk" in reason(clinician, "prec_oestrogen")


def test_result_carries_intended_use_and_provenance(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(client, ruleset, "clinician")
    assert "It is not CE-marked" in page and "decides with you" in page
    assert ruleset.sha256 in page and ruleset.policy.ruleset_version in page
    assert ruleset.policy.id in page and ruleset.policy.version in page
    assert "Start again" in page and "Print" in page
    # The patient's page: the intended use, and of the provenance the rule-set version only.
    patient = result(client, ruleset)
    assert "It is not CE-marked" in patient and ruleset.policy.ruleset_version in patient
    assert ruleset.sha256 not in patient


def test_every_reason_has_a_change_control(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(client, ruleset, surgery="dont_know", risk_factors=["smoking"], cancer="yes")
    items = re.findall(r'<li class="reason-[^"]+">(.*?)</li>', page, re.S)
    assert len(items) >= 4
    for item in items:
        assert 'value="change"' in item


def test_pain_is_read_back_on_its_scale(client: FlaskClient, ruleset: RuleSet) -> None:
    page = result(client, ruleset, pain_heavy=7)
    assert "<strong>7 out of 10</strong>" in reason(page, "barrier_pain")
