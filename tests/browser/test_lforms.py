"""The app's FHIR in NLM's LHC-Forms (npm `lforms`, served from node_modules: no CDN).

A clinician fills a realistic case in LHC-Forms rendering the app's Questionnaire; LHC-Forms'
own `getFormFHIRData` extracts the QuestionnaireResponse; $decide answers with the same verdict
and fired rules as /api/v1/assessments. And the app's own QuestionnaireResponse, loaded back
into LHC-Forms, shows every answer.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from .conftest import ROOT, missing, serve
from .tab import Tab

LFORMS = ROOT / "node_modules" / "lforms" / "dist" / "lforms"
PAGE = Path(__file__).parent / "lforms" / "index.html"
Resource = dict[str, Any]

# Knee osteoarthritis, left leg, 7/10 pain with heavy loading, a wound on the other leg, 64 years
# old with treated hypertension: first-line, with precautions; blood pressure measured.
CASE: dict[str, Any] = {
    "condition": "knee_osteoarthritis",
    "limb": "left_leg",
    "weight_bearing": "fwb",
    "load_restriction": "no",
    "immobilised": "no",
    "bed_rest": "no",
    "surgery": "none",
    "pain_heavy": 7,
    "cannot_train_heavy": "no",
    "prior_clot": "no",
    "clot_signs": "no",
    "clotting_disorder": "no",
    "cancer": "no",
    "leg_paralysis": "no",
    "high_bp": "no",
    "bp_systolic": 148,
    "bp_diastolic": 88,
    "heart_disease": "no",
    "poor_circulation": "no",
    "pregnancy": "no",
    "sickle_cell": "no",
    "acute_illness": "no",
    "wound_limbs": ["right_leg"],
    "infection_limbs": ["none"],
    "lymph_limbs": ["none"],
    "fistula_limbs": ["none"],
    "swelling_limbs": ["none"],
    "numbness_limbs": ["none"],
    "flare_limbs": ["none"],
    "cuff_site_fracture_limbs": ["none"],
    "age_60": "yes",
    "icu_recent": "no",
    "blood_thinners": "no",
    "risk_factors": ["controlled_hypertension", "varicose_veins"],
}


@Request.application
def lforms_site(request: Request) -> Response:
    """A test page that loads LHC-Forms from node_modules and nothing else."""
    if request.path == "/":
        return Response(PAGE.read_bytes(), mimetype="text/html")
    if request.path == "/favicon.ico":
        return Response(status=204)
    wanted = (LFORMS / request.path.removeprefix("/lforms/")).resolve()
    if request.path.startswith("/lforms/") and LFORMS in wanted.parents and wanted.is_file():
        kind = mimetypes.guess_type(wanted.name)[0] or "application/octet-stream"
        return Response(wanted.read_bytes(), mimetype=kind)
    return Response("not found", status=404)


@pytest.fixture(scope="module")
def lforms_origin() -> Iterator[str]:
    if not (LFORMS / "webcomponent" / "main.js").is_file():
        missing("node_modules/lforms missing (npm ci --ignore-scripts)")
    with serve(lforms_site) as origin:
        yield origin


def call(url: str, body: Any = None, kind: str = "application/json") -> Resource:
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"Content-Type": kind}
    with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=30) as r:
        found: Resource = json.load(r)
        return found


def walk(items: list[Resource]) -> Iterator[Resource]:
    for item in items:
        yield item
        yield from walk(item.get("item", []))


def control(item: Resource) -> str:
    for extension in item.get("extension", []):
        if extension["url"].endswith("questionnaire-itemControl"):
            return str(extension["valueCodeableConcept"]["coding"][0]["code"])
    return item["type"]


def option(page: Any, qid: str, code: str) -> Any:
    """The radio button or check box of one answer code (LHC-Forms: id "<linkId>/…|system|code")."""
    return page.locator(f'[id^="{qid}/"][id$="|{code}"]')


def open_form(tab: Tab, origin: str, questionnaire: Resource, response: Resource | None) -> Any:
    page = tab.page
    page.goto(origin + "/")
    page.wait_for_function(
        "() => typeof LForms !== 'undefined' && typeof LForms.Util?.addFormToPage === 'function'"
    )
    options = {"fhirVersion": "R4", **({"questionnaireResponse": response} if response else {})}
    page.evaluate(
        "([q, o]) => LForms.Util.addFormToPage(q, 'formContainer', o)", [questionnaire, options]
    )
    page.locator('[id^="condition/"]').first.wait_for()
    return page


def fill(page: Any, questionnaire: Resource, answers: dict[str, Any]) -> None:
    """Answer as a person does: click radio buttons and boxes, type numbers, pick from a list."""
    items = {i["linkId"]: i for i in walk(questionnaire["item"])}
    for qid, value in answers.items():
        item = items[qid]
        how = control(item)
        if how == "integer":
            page.locator(f'input[id^="{qid}/"]').fill(str(value))
        elif how == "drop-down":
            label = next(
                o["valueCoding"]["display"]
                for o in item["answerOption"]
                if o["valueCoding"]["code"] == value
            )
            field = page.locator(f'input[id^="{qid}/"]')
            field.click()
            field.press_sequentially(label)
            pattern = re.compile(rf"^\d+:\s+{re.escape(label)}$")  # "6: Osteoarthritis"
            page.locator("#completionOptions li").filter(has_text=pattern).click()
        else:
            for code in value if isinstance(value, list) else [value]:
                option(page, qid, str(code)).click()


def extract(page: Any) -> Resource:
    found: Resource | None = page.evaluate(
        "() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4',"
        " document.getElementById('formContainer'))"
    )
    assert found is not None, "LHC-Forms finds the form invalid"
    return found


def codes(qr: Resource) -> dict[str, list[Any]]:
    """Each answered linkId's values: codes, or numbers."""
    return {
        item["linkId"]: [
            a["valueCoding"]["code"] if "valueCoding" in a else a["valueInteger"]
            for a in item["answer"]
        ]
        for item in walk(qr.get("item", []))
        if "answer" in item
    }


def test_a_case_filled_in_lhc_forms_gets_the_decision_of_the_api(
    new_tab: Callable[..., Tab], live_server: str, lforms_origin: str
) -> None:
    questionnaire = call(f"{live_server}/api/v1/fhir/Questionnaire/bfr-triage-clinician-en")
    tab = new_tab(lforms_origin)
    page = open_form(tab, lforms_origin, questionnaire, None)
    fill(page, questionnaire, CASE)
    qr = extract(page)
    assert qr["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    pain = codes(qr)["pain_heavy"]
    assert pain == ["7"], pain  # a code, not {"display": 7}
    assert codes(qr) == {q: v if isinstance(v, list) else [str(v)] if q == "pain_heavy" else [v]
                         for q, v in CASE.items()}  # fmt: skip

    guidance = call(
        f"{live_server}/api/v1/fhir/QuestionnaireResponse/$decide", qr, "application/fhir+json"
    )
    params = guidance["contained"][0]["parameter"]
    attached = next(p for p in params if p["name"] == "decision")["valueAttachment"]
    decision = json.loads(base64.b64decode(attached["data"]))
    api = call(f"{live_server}/api/v1/assessments", {"audience": "clinician", "answers": CASE})
    assert decision == api
    assert api["verdict"] == "first_line"
    fired = [p["valueCode"] for p in params if p["name"] == "fired"]
    assert fired == [r["rule"] for r in api["reasons"]]  # first-line: the JSON lists them all
    assert {"barrier_pain", "ind_knee_osteoarthritis"} <= set(fired)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_apps_own_response_loads_back_with_every_answer_shown(
    new_tab: Callable[..., Tab], live_server: str, lforms_origin: str, lang: str
) -> None:
    questionnaire = call(f"{live_server}/api/v1/fhir/Questionnaire/bfr-triage-clinician-{lang}")
    body = {"audience": "clinician", "answers": CASE}
    response = call(f"{live_server}/api/v1/fhir/QuestionnaireResponse?lang={lang}", body)
    assert response["questionnaire"].startswith(questionnaire["url"] + "|")
    tab = new_tab(lforms_origin)
    page = open_form(tab, lforms_origin, questionnaire, response)
    items = {i["linkId"]: i for i in walk(questionnaire["item"])}
    for qid, values in codes(response).items():
        how = control(items[qid])
        if how == "integer":
            assert page.locator(f'input[id^="{qid}/"]').input_value() == str(values[0]), qid
        elif how == "drop-down":
            shown = page.locator(f'input[id^="{qid}/"]').input_value()
            assert shown == next(
                o["valueCoding"]["display"]
                for o in items[qid]["answerOption"]
                if o["valueCoding"]["code"] == values[0]
            ), qid
        else:
            for code in values:
                assert option(page, qid, code).locator("input").is_checked(), (qid, code)
            others = [
                o["valueCoding"]["code"]
                for o in items[qid]["answerOption"]
                if o["valueCoding"]["code"] not in values
            ]
            for code in others:
                assert not option(page, qid, code).locator("input").is_checked(), (qid, code)
    assert codes(extract(page)) == codes(response)


def test_lhc_forms_asks_what_the_engine_asks(
    new_tab: Callable[..., Tab], live_server: str, lforms_origin: str
) -> None:
    """enableWhen from the rule files' ask_when: weight-bearing only for a leg, the operation's
    limb only after an operation."""
    questionnaire = call(f"{live_server}/api/v1/fhir/Questionnaire/bfr-triage-clinician-en")
    page = open_form(new_tab(lforms_origin), lforms_origin, questionnaire, None)
    weight = page.locator('[id^="weight_bearing/"][id$="|fwb"]')
    operated = page.locator('[id^="surgery_on_trained_limb/"]')
    assert weight.count() == 0 and operated.count() == 0
    option(page, "limb", "left_leg").click()
    weight.wait_for()
    option(page, "limb", "right_arm").click()
    weight.wait_for(state="detached")
    option(page, "surgery", "weeks_1_6").click()
    operated.first.wait_for()
    option(page, "surgery", "none").click()
    operated.first.wait_for(state="detached")
