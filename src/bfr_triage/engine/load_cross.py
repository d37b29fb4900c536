"""Checks across rule files, run once every file has loaded on its own."""

from __future__ import annotations

from .load_toml import Checker
from .model import LIMB_GROUPS, Indication, Question


def cross_checks(
    check: Checker, questions: dict[str, Question], indications: dict[str, Indication]
) -> None:
    """Add a problem for everything the engine needs that no single file can check alone."""
    for qid in ("condition", "limb"):  # the engine reads these two by name
        if qid not in questions:
            check.add("questions.toml", qid, "the engine needs this question")
    offered = set(questions["limb"].values) if "limb" in questions else set()
    every = {limb for limbs in LIMB_GROUPS.values() for limb in limbs}
    if offered and offered != every:
        check.add("questions.toml", "limb", "the limb question must offer exactly the limb groups")
    choosable = (
        {o.value for o in questions["condition"].options} if "condition" in questions else set()
    )
    for ind in indications.values():
        if ind.kind != "benefit" and ind.id not in choosable:
            check.add("indications.toml", ind.id, "not offered by the condition question")
