"""Rule texts stay safe to translate: no stray gettext placeholder, no text without a source file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import PYTHON_FORMAT

from bfr_triage.i18n_extract import rule_texts
from bfr_triage.paths import data_dir

RANGE = re.compile(r"%\((min|max)\)s")
RULE_FILES = sorted(Path(data_dir("rules")).glob("*.toml"))


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in RULE_FILES])
def test_no_rule_text_reads_as_a_format_placeholder(path: Path) -> None:
    # "40 % of" reads to gettext tools as the placeholder "% o": write "40 % 1RM" or "percentage".
    # Only a question's range_error has placeholders, the two it is given: %(min)s and %(max)s.
    flagged = [
        text
        for text, rule, _ in rule_texts(path.read_bytes(), path.name)
        if PYTHON_FORMAT.search(RANGE.sub("", text) if rule.endswith(".range_error") else text)
    ]
    assert flagged == []
