"""Checks across rule files, run once every file has loaded on its own."""

from __future__ import annotations

from .load_toml import Checker
from .model import Question


def cross_checks(check: Checker, questions: dict[str, Question]) -> None:
    """Add a problem for everything the engine needs that no single file can check alone."""
    for qid in ("condition", "limb"):  # the engine reads these two by name
        if qid not in questions:
            check.add("questions.toml", qid, "the engine needs this question")
