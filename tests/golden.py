"""Load the golden clinical cases in tests/cases/ (one TOML file each)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    audience: str
    verdict: str
    fired: frozenset[str]
    answers: dict[str, Any]
    path: Path
    notices: frozenset[str] | None = None  # the result's notices, where the case pins them
    urgent: bool | None = None  # whether the result is urgent, where the case pins it
    limbs_not_to_cuff: tuple[str, ...] | None = None  # trained limbs named first, where pinned


def load_cases() -> list[Case]:
    """Return every golden case, sorted by name."""
    cases = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        with path.open("rb") as f:
            raw = tomllib.load(f)
        notices = frozenset(raw["notices"]) if "notices" in raw else None
        blocked = tuple(raw["limbs_not_to_cuff"]) if "limbs_not_to_cuff" in raw else None
        cases.append(
            Case(path.stem, raw["source"], raw["audience"], raw["verdict"], frozenset(raw["fired"]),
                 raw["answers"], path, notices, raw.get("urgent"), blocked)
        )  # fmt: skip
    return cases


CASES = load_cases()
