"""For every golden case the API, the CLI and the web result page give the same decision."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from golden import CASES, Case
from markupsafe import escape
from test_api import clean_app
from webflow import walk

from bfr_triage import cli
from bfr_triage.engine import RuleSet, parse_answers
from bfr_triage.web.state import State, dump_state

# The kinds of reason the result page lists one by one, each in an element of class reason-<id>.
LISTED = ("benefit", "barrier", "clearance", "local", "precaution")
SAFETY = ("clearance", "local", "precaution")
VERDICT = re.compile(r'class="verdict verdict-([a-z_]+)"')
REASON = re.compile(r'class="reason-([a-z0-9_]+)"')


@pytest.fixture(scope="module")
def app() -> Flask:
    return clean_app({"ENV": "development", "TESTING": True})


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def from_api(client: FlaskClient, case: Case) -> dict[str, Any]:
    r = client.post(
        "/api/v1/assessments?lang=en", json={"audience": case.audience, "answers": case.answers}
    )
    assert r.status_code == 200
    body: dict[str, Any] = r.get_json()
    return body


def from_cli(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    path = tmp_path / f"{case.name}.json"
    path.write_text(json.dumps({"audience": case.audience, "answers": case.answers}), "utf-8")
    capsys.readouterr()
    assert cli.main(["assess", str(path)]) == 0
    body: dict[str, Any] = json.loads(capsys.readouterr().out)
    return body


def from_web(app: Flask, client: FlaskClient, ruleset: RuleSet, case: Case) -> str:
    """Post the case's answers, signed as the pages sign them, to the result page."""
    answers = parse_answers(ruleset, case.answers)
    with app.test_request_context():
        state = dump_state(State(dict(answers.values)))
    r = client.post(f"/result?audience={case.audience}&lang=en", data={"state": state})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def shown(page: str) -> tuple[str | None, set[str]]:
    """Return the verdict marker and the listed reason ids of a result page."""
    verdict = VERDICT.search(page)
    return (verdict.group(1) if verdict else None), set(REASON.findall(page))


def listed_reasons(case: Case) -> set[str]:
    """The rules a decision lists for a case: all that fired, except that a needs_clearance
    result shows no evidence or benefits (README §2, v2): they are for after clearance."""
    if case.verdict != "needs_clearance":
        return set(case.fired)
    return {r for r in case.fired if not r.startswith("ind_")}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_api_and_cli_agree(
    client: FlaskClient, case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = from_api(client, case)
    cli_out = from_cli(case, tmp_path, capsys)
    assert api == cli_out  # the API prints exactly what the CLI prints (English)
    assert api["verdict"] == case.verdict
    assert {r["rule"] for r in api["reasons"]} == listed_reasons(case)
    if case.notices is not None:
        assert {n["id"] for n in api["notices"]} == case.notices
    if case.urgent is not None:
        assert api["urgent"] is case.urgent
    if case.limbs_not_to_cuff is not None:
        assert api["limbs_not_to_cuff"] == list(case.limbs_not_to_cuff)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_the_result_page_agrees_with_the_api(
    app: Flask, client: FlaskClient, ruleset: RuleSet, case: Case
) -> None:
    api = from_api(client, case)
    page = from_web(app, client, ruleset, case)
    verdict, listed = shown(page)
    if api["missing"]:
        # Only the API can assess incomplete answers; the pages ask for the rest first.
        assert verdict is None and "error-summary" in page
        return
    assert verdict == api["verdict"]
    if case.audience == "patient":
        # The patient's page (README §7 v2): the deciding reasons (an indication among them),
        # every safety item, and the rest behind "For your physiotherapist"; never a rule the
        # API did not give.
        safety = {r["rule"] for r in api["reasons"] if r["kind"] in SAFETY}
        assert safety <= listed <= {r["rule"] for r in api["reasons"]}
    else:
        assert listed == {r["rule"] for r in api["reasons"] if r["kind"] in LISTED}
    policy = next(r for r in api["reasons"] if r["kind"] == "policy")
    if not (api["urgent"] and case.audience == "patient"):  # urgent: nothing but what to do today
        assert str(escape(policy["text"])) in page  # the verdict rule, in words
    if api["indication"]:
        assert str(escape(api["indication"]["label"])) in page


COMPLETE = [
    c for c in CASES if c.name in ("barrier_nwb", "local_on_trained_limb", "clearance_dont_know")
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in COMPLETE])
def test_walking_the_pages_gives_the_same_result(
    app: Flask, client: FlaskClient, ruleset: RuleSet, case: Case
) -> None:
    page = walk(client, ruleset, case.answers, case.audience)[-1].get_data(as_text=True)
    api = from_api(client, case)
    direct = from_web(app, client, ruleset, case)
    assert shown(page) == shown(direct)  # walked or posted at once: the same result page
    assert shown(page)[0] == api["verdict"]
