"""Every validation error shows the error summary, the message beside the field and `Error:` in
the title; no WTForms message (English-only) ever reaches the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from webflow import state_of
from werkzeug.datastructures import MultiDict


def post(client: FlaskClient, url: str, form: list[tuple[str, str]]) -> str:
    """Post `form` to a page; the loading page is reached with a leg to be trained, as the
    weight-bearing questions are asked only then."""
    blank = client.get(url)
    if url.startswith("/q/loading"):
        q = url.partition("?")[2]
        blank = client.post(f"/q/condition?{q}", data={"condition": "acl", "action": "next",
                                                      "state": state_of(blank)})  # fmt: skip
        blank = client.post(f"/q/limb?{q}", data={"limb": "left_leg", "action": "next",
                                                  "state": state_of(blank)})  # fmt: skip
    response = client.post(url, data=MultiDict([*form, ("state", state_of(blank))]))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def assert_error(page: str, field: str, words: str) -> None:
    """Assert the summary links to the field and the field carries the message."""
    assert re.search(r"<title>Error: ", page)
    assert "There is a problem" in page
    assert re.search(rf'<a href="#{field}[-"][^>]*>[^<]*{re.escape(words)}', page), page
    assert f'id="{field}-error"' in page
    message = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page, re.S)
    assert message and words in message.group(1)
    assert '<span class="visually-hidden">Error:</span>' in message.group(1)
    assert re.search(rf'aria-describedby="[^"]*{field}-error', page)


LOADING_OK = [
    ("weight_bearing", "fwb"), ("load_restriction", "no"), ("immobilised", "no"),
    ("bed_rest", "no"), ("surgery", "none"), ("pain_heavy", "3"), ("cannot_train_heavy", "no"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "form", "field", "words"),
    [
        pytest.param("/q/condition", [], "condition", "Select an answer",
                     id="missing-choice"),
        pytest.param("/q/condition", [("condition", "spleen")], "condition",
                     "Select one of the answers shown", id="unknown-choice"),
        pytest.param("/q/loading", [*LOADING_OK[:5], ("cannot_train_heavy", "no")], "pain_heavy",
                     "Select an answer", id="missing-pain"),
        pytest.param("/q/loading", [*LOADING_OK[:5], ("pain_heavy", "11"),
                                    ("cannot_train_heavy", "no")],
                     "pain_heavy", "Select one of the answers shown", id="pain-off-scale"),
        pytest.param("/q/limb_safety", [], "items", "Select what applies", id="missing-items"),
        pytest.param("/q/limb_safety", [("items", "none"), ("items", "wound_limbs")], "items",
                     "not both", id="none-and-an-item"),
        pytest.param("/q/limb_safety", [("items", "none"), ("items", "dont_know")], "items",
                     "not both", id="two-exclusive"),
        pytest.param("/q/limb_safety", [("stage", "where"), ("items", "wound_limbs")],
                     "wound_limbs", "Select the arm or leg", id="missing-where"),
        pytest.param("/q/limb_safety", [("stage", "where"), ("items", "wound_limbs"),
                                        ("wound_limbs", "left_leg"), ("wound_limbs", "dont_know")],
                     "wound_limbs", "not both", id="where-and-dont-know"),
        pytest.param("/q/precautions", [("age_60", "no"), ("icu_recent", "no"),
                                        ("risk_factors", "none"), ("risk_factors", "smoking")],
                     "risk_factors", "“None of these” cannot be ticked", id="none-of-these-and-one"),
        pytest.param("/q/loading?audience=clinician", [*LOADING_OK, ("weight_bearing_percent",
                                                                      "101")],
                     "weight_bearing_percent", "from 0 to 100", id="integer-above-range"),
        pytest.param("/q/loading?audience=clinician", [*LOADING_OK, ("weight_bearing_percent",
                                                                      "-1")],
                     "weight_bearing_percent", "from 0 to 100", id="integer-below-range"),
        pytest.param("/q/loading?audience=clinician", [*LOADING_OK, ("weight_bearing_percent",
                                                                      "half")],
                     "weight_bearing_percent", "whole number from 0 to 100", id="not-a-number"),
        pytest.param("/q/loading?audience=clinician", [*LOADING_OK, ("weight_bearing_percent",
                                                                      "1_0")],
                     "weight_bearing_percent", "whole number", id="python-only-number"),
    ],
)  # fmt: skip
def test_invalid_answer_shows_summary_and_field_message(
    client: FlaskClient, url: str, form: list[tuple[str, str]], field: str, words: str
) -> None:
    page = post(client, url, [*form, ("action", "next")])
    assert_error(page, field, words)
    assert "Not a valid" not in page and "Invalid choice" not in page


@pytest.mark.parametrize(
    ("value", "ok"),
    [pytest.param("0", True, id="0"), pytest.param("100", True, id="100"),
     pytest.param("101", False, id="101"), pytest.param(" 50 ", True, id="spaces")],
)  # fmt: skip
def test_integer_boundaries(client: FlaskClient, value: str, ok: bool) -> None:
    form = [*LOADING_OK, ("weight_bearing_percent", value), ("action", "next")]
    page = post(client, "/q/loading?audience=clinician", form)
    assert ("There is a problem" not in page) is ok


def test_optional_clinician_number_may_stay_empty(client: FlaskClient) -> None:
    form = [*LOADING_OK, ("weight_bearing_percent", ""), ("action", "next")]
    page = post(client, "/q/loading?audience=clinician", form)
    assert "There is a problem" not in page and "Safety screen" in page


def test_rejected_number_is_shown_back_as_typed(client: FlaskClient) -> None:
    form = [*LOADING_OK, ("weight_bearing_percent", "half"), ("action", "next")]
    page = post(client, "/q/loading?audience=clinician", form)
    assert 'name="weight_bearing_percent" value="half"' in page


def test_every_missing_answer_on_a_page_is_listed(client: FlaskClient) -> None:
    page = post(client, "/q/safety", [("action", "next")])
    assert page.count('<p class="error-message"') == 11
    assert len(re.findall(r'<li><a href="#', page)) == 11


def test_compact_form_uses_the_same_error_pattern(client: FlaskClient) -> None:
    page = post(
        client, "/intake", [("condition", "acl"), ("bp_systolic", "400"), ("action", "next")]
    )
    assert_error(page, "bp_systolic", "from 50 to 300")
    assert_error(page, "limb", "Select an answer")
    assert 'value="acl" checked' in page


def test_start_without_audience_shows_the_error(client: FlaskClient) -> None:
    response = client.post("/start", data={})
    assert_error(response.get_data(as_text=True), "audience", "patient or a clinician")


def test_error_summary_gets_focus_without_javascript(client: FlaskClient) -> None:
    page = post(client, "/q/condition", [("action", "next")])
    summary: Any = re.search(r'<div class="error-summary"[^>]*>', page)
    assert summary and "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
