"""A bad rule set never loads, and every error names the file, the rule and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bfr_triage.engine import RuleSetError, load_ruleset
from bfr_triage.paths import data_dir


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(data_dir("rules"), target)
    return target


def _break(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(folder)
    return [str(p) for p in caught.value.problems]


BROKEN = [
    pytest.param(
        "barriers.toml", 'q = "load_restriction"', 'q = "load_restrictoin"',
        "barriers.toml: barrier_load_restriction: unknown question 'load_restrictoin' (did you mean 'load_restriction'?)",
        id="unknown-question",
    ),
    pytest.param(
        "safety.toml", 'id = "clear_cancer"', 'id = "clear_prior_clot"',
        "safety.toml: clear_prior_clot: duplicate id (also in safety.toml)",
        id="duplicate-id",
    ),
    pytest.param(
        "safety.toml", 'sources = ["kacin2015"]\nlimbs_from = "numbness_limbs"', 'sources = []\nlimbs_from = "numbness_limbs"',
        "safety.toml: local_numbness: missing source: every rule needs at least one source",
        id="missing-source",
    ),
    pytest.param(
        "indications.toml", 'sources = ["tennent2017"]', "sources = []",
        "indications.toml: meniscus: missing source: every rule needs at least one source",
        id="missing-source-graded-indication",
    ),
    pytest.param(
        "safety.toml", 'op = "eq", value = "yes" }]\n\n[[item]]\nid = "clear_clot_signs"',
        'op = "equals", value = "yes" }]\n\n[[item]]\nid = "clear_clot_signs"',
        "safety.toml: clear_prior_clot: unknown operator 'equals'",
        id="unknown-operator",
    ),
    pytest.param(
        "barriers.toml", 'when.all = [{ q = "immobilised", op = "eq", value = "yes" }]', "when.all = []",
        "barriers.toml: barrier_immobilised: empty condition group `when.all`",
        id="empty-condition-group",
    ),
    pytest.param(
        "barriers.toml", 'value = ["pwb", "tdwb", "nwb"]', 'value = ["pwb", "tdwb", "nbw"]',
        "barriers.toml: barrier_weight_bearing: 'nbw' is not an option of 'weight_bearing' (did you mean 'nwb'?)",
        id="unknown-option-value",
    ),
    pytest.param(
        "safety.toml", 'q = "bp_systolic", op = "gte", value = 180', 'q = "bp_systolic", op = "gte", value = "180"',
        "safety.toml: clear_high_bp: operator 'gte' needs a whole number, not '180'",
        id="string-where-number",
    ),
    pytest.param(
        "indications.toml", 'grade = "small_rct"\nlimbs = ["legs"]', 'grade = "pilot"\nlimbs = ["legs"]',
        "indications.toml: meniscus: unknown grade 'pilot'",
        id="unknown-grade",
    ),
    pytest.param(
        "safety.toml", 'sources = ["nascimento2022", "bond2019"]', 'sources = ["nascimento2022", "bond2091"]',
        "safety.toml: clear_prior_clot: unknown source 'bond2091' (did you mean 'bond2019'?)",
        id="unknown-source",
    ),
    pytest.param(
        "policy.toml", 'when = { indication = ["none"], barrier = ["no"] }', 'when = { indication = ["none"], barier = ["no"] }',
        "policy.toml: policy_not_indicated: unknown fact 'barier' (did you mean 'barrier'?)",
        id="unknown-policy-fact",
    ),
    pytest.param(
        "questions.toml", 'options = "yes_no_dk"\ntext = "Do you have sickle', 'options = "yes_no_dunno"\ntext = "Do you have sickle',
        "questions.toml: sickle_cell: unknown option set 'yes_no_dunno' (did you mean 'yes_no_dk'?)",
        id="unknown-option-set",
    ),
    pytest.param(
        "questions.toml", 'error = "Select yes if you have sickle cell disease"\n', "",
        "questions.toml: sickle_cell: a required question needs an `error`",
        id="required-question-without-error",
    ),
    pytest.param(
        "questions.toml", 'error = "Select yes if you have sickle cell disease"',
        'error = "Select yes if you have sickle cell disease"\nrange_error = "Enter a number"',
        "questions.toml: sickle_cell: only an integer question has a `range_error`",
        id="range-error-on-a-choice",
    ),
    pytest.param(
        "safety.toml", 'clot_points = 3\nsources', 'clot_point = 3\nsources',
        "safety.toml: clear_prior_clot: unknown field 'clot_point' (did you mean 'clot_points'?)",
        id="misspelt-field",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "expected"), BROKEN)
def test_broken_rule_set_names_file_rule_and_problem(
    rules_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    _break(rules_copy, file, old, new)
    problems = _problems(rules_copy)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_at_once(rules_copy: Path) -> None:
    _break(rules_copy, "barriers.toml", 'q = "immobilised"', 'q = "immobile"')
    _break(rules_copy, "safety.toml", 'id = "clear_cancer"', 'id = "clear_prior_clot"')
    assert len(_problems(rules_copy)) == 2


def test_invalid_toml_names_the_file(rules_copy: Path) -> None:
    (rules_copy / "policy.toml").write_text("id = \n", encoding="utf-8")
    assert _problems(rules_copy)[0].startswith("policy.toml: -: not valid TOML")


def test_missing_file_is_reported(rules_copy: Path) -> None:
    (rules_copy / "safety.toml").unlink()
    assert _problems(rules_copy) == ["safety.toml: -: file missing"]


def test_none_found_indication_may_have_no_source(rules_copy: Path) -> None:
    cartilage = load_ruleset(rules_copy).indications["cartilage"]
    assert (cartilage.grade, cartilage.sources) == ("none_found", ())


def test_digest_changes_with_any_rule_file(rules_copy: Path) -> None:
    before = load_ruleset(rules_copy).sha256
    _break(rules_copy, "parameters.toml", "Stop on pain", "Stop on pain")
    with (rules_copy / "parameters.toml").open("a", encoding="utf-8") as f:
        f.write("\n# a comment changes the file, so the provenance changes\n")
    assert load_ruleset(rules_copy).sha256 != before
