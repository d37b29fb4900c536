"""The result page's HTML, CSS and JS together stay within 40 KB, even for the heaviest answers.

An old phone on a slow connection must get the whole result; the heaviest result is every safety
item hit on every limb, in Danish (longer words), for a clinician (most sections).

A clinician's result also holds the note for the record (plain text, read by the journal, not
by a phone on the move): it has a budget of its own, and the rest of the page keeps the 40 KB.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bfr_triage.engine import RuleSet
from bfr_triage.web.state import State, dump_state

LIMIT = 40 * 1024
NOTE_LIMIT = 12 * 1024  # the note section; every item of the heaviest case in Danish: 10.4 KB
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


@pytest.mark.parametrize("audience", ["patient", "clinician"])
@pytest.mark.parametrize("lang", ["en", "da"])
def test_heaviest_result_page_weighs_at_most_40_kb(
    app: Flask, client: FlaskClient, ruleset: RuleSet, audience: str, lang: str
) -> None:
    with app.test_request_context():
        state = dump_state(State(_heaviest(ruleset), "review"))  # type: ignore[arg-type]
    page = client.post(f"/result?audience={audience}&lang={lang}", data={"state": state})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "verdict-needs_clearance" in html
    assets = re.findall(r'(?:href|src)="(/static/[^"?]+\.(?:css|js))', html)
    assert assets, "the page links its stylesheet and script"
    total = len(page.data)
    for asset in set(assets):
        with client.get(asset) as response:  # close the static file behind the response
            total += len(response.data)
    note = re.search(r'<section class="section note".*?</section>', html, re.S)
    assert (note is not None) is (audience == "clinician")
    note_bytes = len(note.group(0).encode()) if note else 0
    assert note_bytes <= NOTE_LIMIT, f"note: {note_bytes} bytes"
    assert total - note_bytes <= LIMIT, f"{total - note_bytes} bytes without the note"
