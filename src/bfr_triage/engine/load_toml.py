"""Reading the rule files: TOML parsing, field-shape checks and the problem collector."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from .errors import Problem

FILES = (
    "questions.toml",
    "indications.toml",
    "barriers.toml",
    "safety.toml",
    "policy.toml",
    "parameters.toml",
    "sources.toml",
)
Table = dict[str, Any]


def did_you_mean(word: str, choices: object) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1)  # type: ignore[attr-defined]
    return f" (did you mean {close[0]!r}?)" if close else ""


class Checker:
    """Collect problems while building the rule set, so that one run reports all of them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}

    def add(self, file: str, rule: str, message: str) -> None:
        self.problems.append(Problem(file, rule, message))

    def keys(
        self, file: str, rule: str, table: Table, required: set[str], allowed: set[str]
    ) -> bool:
        ok = True
        for key in sorted(required - table.keys()):
            self.add(file, rule, f"missing field {key!r}")
            ok = False
        for key in sorted(table.keys() - required - allowed):
            self.add(file, rule, f"unknown field {key!r}{did_you_mean(key, required | allowed)}")
        return ok

    def unique(self, file: str, rule: str) -> None:
        if rule in self.ids:
            self.add(file, rule, f"duplicate id (also in {self.ids[rule]})")
        else:
            self.ids[rule] = file


def str_of(table: Table, key: str, default: str = "") -> str:
    value = table.get(key, default)
    return value if isinstance(value, str) else default


def strs(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()


def read(directory: Path, check: Checker) -> dict[str, Table]:
    data: dict[str, Table] = {}
    for name in FILES:
        path = directory / name
        try:
            with path.open("rb") as f:
                data[name] = tomllib.load(f)
        except FileNotFoundError:
            check.add(name, "-", "file missing")
        except tomllib.TOMLDecodeError as error:
            check.add(name, "-", f"not valid TOML: {error}")
    return data
