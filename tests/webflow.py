"""Walk the questionnaire the way a browser does: form fields, the hidden state, page by page."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from bfr_triage.engine import RuleSet
from bfr_triage.engine.model import Page
from bfr_triage.web import limbitems

STATE = re.compile(r'name="state" value="([^"]*)"')
MAKE_LINK = re.compile(r'formaction="([^"]*/share\b[^"]*)"')

# A complete patient intake with a first-line verdict (as tests/cases/barrier_nwb.toml).
PATIENT: dict[str, Any] = {
    "condition": "meniscus", "limb": "left_leg", "weight_bearing": "nwb",
    "load_restriction": "no", "immobilised": "no", "surgery": "none", "pain_heavy": 2,
    "cannot_train_heavy": "no", "prior_clot": "no", "clot_signs": "no",
    "clotting_disorder": "no", "cancer": "no", "leg_paralysis": "no", "high_bp": "no",
    "heart_disease": "no", "poor_circulation": "no", "pregnancy": "no", "sickle_cell": "no",
    "acute_illness": "no", "wound_limbs": ["none"], "infection_limbs": ["none"],
    "lymph_limbs": ["none"], "fistula_limbs": ["none"], "swelling_limbs": ["none"],
    "numbness_limbs": ["none"], "age_60": "no", "icu_recent": "no", "risk_factors": ["none"],
    "bed_rest": "no", "flare_limbs": ["none"], "cuff_site_fracture_limbs": ["none"],
    "blood_thinners": "no",
}  # fmt: skip
PAGE_ACTION = re.compile(r'<form id="qform" method="post" action="/q/([a-z_]+)[?"]')


def state_of(response: TestResponse) -> str:
    """Return the signed answers in a page's hidden field."""
    found = STATE.search(response.get_data(as_text=True))
    assert found, f"no state field on the page ({response.status_code})"
    return found.group(1)


def fields(
    rs: RuleSet, page: Page, answers: dict[str, Any], audience: str
) -> list[tuple[str, str]]:
    """Return the form fields a browser sends for the questions of `page` this audience sees."""
    out = []
    for qid in page.questions:
        q = rs.questions[qid]
        if qid in answers and (q.audience == "all" or audience == "clinician"):
            value = answers[qid]
            out += [(qid, str(v)) for v in (value if isinstance(value, list) else [value])]
    return out


def walk(
    client: FlaskClient,
    rs: RuleSet,
    answers: dict[str, Any],
    audience: str = "patient",
    query: str = "",
) -> list[TestResponse]:
    """Answer each page the app shows next, open the check page, then the result; return every
    response. Pages whose questions do not apply (weight-bearing for an arm) are never shown."""
    q = f"?audience={audience}{query}"
    pages = {p.id: p for p in rs.pages}
    responses = [client.get(f"/q/{rs.pages[0].id}{q}")]
    while found := PAGE_ACTION.search(responses[-1].get_data(as_text=True)):
        page = pages[found.group(1)]
        if limbitems.is_limb_grid(rs, page):  # which items apply, then where: two steps
            ticked = items(rs, page, answers)
            form = [(limbitems.FIELD, v) for v in ticked]
            form += [("state", state_of(responses[-1])), ("action", "next")]
            responses.append(client.post(f"/q/{page.id}{q}", data=MultiDict(form)))
            if ticked in ([limbitems.NONE], [limbitems.DONT_KNOW]):
                continue
            form = [f for f in fields(rs, page, answers, audience) if f[0] in ticked]
            form += [(limbitems.FIELD, v) for v in ticked] + [("stage", limbitems.WHERE)]
        else:
            form = fields(rs, page, answers, audience)
        form += [("state", state_of(responses[-1])), ("action", "next")]
        responses.append(client.post(f"/q/{page.id}{q}", data=MultiDict(form)))
        assert "<title>Error: " not in responses[-1].get_data(as_text=True), (page.id, form)
        assert len(responses) <= len(rs.pages) + 1, "the questionnaire went round in a circle"
    responses.append(client.post(f"/result{q}", data={"state": state_of(responses[-1])}))
    assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
    return responses


def items(rs: RuleSet, page: Page, answers: dict[str, Any]) -> list[str]:
    """Return what a person ticks on the limb items' first step for these answers."""
    given = {q: tuple(answers[q]) for q in page.questions if q in answers}
    return list(limbitems.ticked([rs.questions[q] for q in page.questions], given))


def share(client: FlaskClient, result: TestResponse, **kwargs: Any) -> TestResponse:
    """Press "Make a share link" on a result page; return the page that shows the link."""
    found = MAKE_LINK.search(result.get_data(as_text=True))
    assert found, "the result page offers no share button"
    action = html.unescape(found.group(1))
    response = client.post(action, data={"state": html.unescape(state_of(result))}, **kwargs)
    assert response.status_code == 200, response.status_code
    return response
