"""The bfr-triage command: rules check and assess, with the exit codes the issue promises."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from golden import CASES

from bfr_triage.cli import main
from bfr_triage.paths import data_dir


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str],
         stdin: str = "") -> tuple[int, str, str]:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_check_passes_on_the_shipped_rules(monkeypatch, capsys) -> None:
    code, out, _ = _run(monkeypatch, capsys, ["rules", "check", str(data_dir("rules"))])
    assert code == 0
    # v2: flare and cuff-site fracture are local; measured blood pressure and blood thinners are
    # precautions.
    assert "OK" in out and "12 clearance, 8 local, 10 precautions" in out
    assert len(out.splitlines()) <= 24  # one screen


def test_rules_check_lists_every_problem_and_exits_1(monkeypatch, capsys, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(data_dir("rules"), rules)
    text = (rules / "barriers.toml").read_text(encoding="utf-8")
    (rules / "barriers.toml").write_text(
        text.replace('"immobilised"', '"immobilized"'), encoding="utf-8"
    )
    code, _, err = _run(monkeypatch, capsys, ["rules", "check", str(rules)])
    assert code == 1
    assert "barriers.toml: barrier_immobilised: unknown question 'immobilized'" in err


def test_assess_reads_stdin_and_prints_the_decision(monkeypatch, capsys) -> None:
    case = next(c for c in CASES if c.name == "early_post_operative")
    body = json.dumps({"answers": case.answers})
    code, out, _ = _run(monkeypatch, capsys, ["assess", "-"], body)
    decision = json.loads(out)
    assert code == 0
    assert decision["verdict"] == "first_line"
    assert {r["rule"] for r in decision["reasons"]} == case.fired
    assert decision["provenance"]["rules_sha256"]


def test_assess_reads_a_file(monkeypatch, capsys, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": {"condition": "not_listed"}}), encoding="utf-8")
    code, out, _ = _run(monkeypatch, capsys, ["assess", str(path)])
    assert code == 0 and "limb" in json.loads(out)["missing"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param('{"answers": {"pain_heavy": "5"}}', 'pain_heavy: not accepted: \'5\'; accepts a whole number from 0 to 10 or "dont_know"', id="string-number"),
        pytest.param('{"answers": {"limb": "left_foot"}}', "limb: not accepted: 'left_foot'; accepts one of: left_leg", id="bad-choice"),
        pytest.param('{"answers": {"wound_limbs": ["none", "left_leg"]}}', "wound_limbs: not accepted", id="exclusive-multi"),
        pytest.param('{"answers": {"condtion": "acl"}}', "condtion: unknown question (did you mean 'condition'?)", id="unknown-question"),
        pytest.param('{"answers": []}', 'input must be a JSON object with an "answers" object', id="answers-not-object"),
        pytest.param("{not json", "input is not JSON", id="not-json"),
        pytest.param('{"answers": {}, "audience": "doctor"}', "audience: not accepted: 'doctor'", id="bad-audience"),
    ],
)  # fmt: skip
def test_assess_rejects_bad_input_with_exit_2(
    monkeypatch, capsys, body: str, expected: str
) -> None:
    code, out, err = _run(monkeypatch, capsys, ["assess", "-"], body)
    assert code == 2 and out == ""
    assert expected in err


def test_assess_names_every_bad_field(monkeypatch, capsys) -> None:
    body = json.dumps({"answers": {"limb": 3, "age_60": True, "pain_heavy": 11}})
    code, _, err = _run(monkeypatch, capsys, ["assess", "-"], body)
    assert code == 2
    assert all(f"  {field}: not accepted" in err for field in ("limb", "age_60", "pain_heavy"))


CLINICIAN_ONLY = ("LOP", "1RM", "clot-risk", "clot_points", "screen for", "Screen for")


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_assess_audience_option_chooses_the_wording(monkeypatch, capsys, audience: str) -> None:
    case = next(c for c in CASES if c.name == "precaution_age_60")
    body = json.dumps({"audience": "clinician", "answers": case.answers})  # the option wins
    code, out, _ = _run(monkeypatch, capsys, ["assess", "--audience", audience, "-"], body)
    decision = json.loads(out)
    assert code == 0 and decision["audience"] == audience
    precaution = decision["safety"]["precautions"][0]
    if audience == "patient":
        assert "action" not in precaution and "clot_risk_points" not in decision
        assert not [term for term in CLINICIAN_ONLY if term in out], out
    else:
        assert "LOP" in precaution["action"] and decision["clot_risk_points"]["total"] == 1


def test_assess_audience_option_refuses_other_values(monkeypatch, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        _run(monkeypatch, capsys, ["assess", "--audience", "doctor", "-"], "{}")
    assert exit_.value.code == 2
    assert "invalid choice: 'doctor'" in capsys.readouterr().err
