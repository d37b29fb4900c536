"""The verdict policy: its decision table, the facts it may test, wording and policy parameters."""

from __future__ import annotations

from .load_conditions import Context
from .load_toml import Table, did_you_mean, str_of, strs
from .model import GRADES, VERDICTS, Policy, PolicyParameter, VerdictRow, Wording

FACTS = {
    "clearance": ("hit", "unknown", "clear"),
    "indication": ("graded", "ungraded", "none", "unknown"),
    "barrier": ("yes", "unknown", "no"),
    "local_on_trained": ("yes", "unknown", "no"),
}
# Headlines that come before the verdict's (README §2): a suspected clot, a limb not to be cuffed.
# In `limb_first`, {limb} is the limb and {item} the item's text; `limb_other` names the others.
EXTRA_WORDING = ("urgent", "limb_first", "limb_other")


def policy(data: Table, ctx: Context) -> Policy | None:
    file, check = "policy.toml", ctx.check
    required = {
        "id",
        "version",
        "ruleset_version",
        "hit_policy",
        "first_line_grades",
        "fallback",
        "fallback_text",
        "verdict",
        "wording",
        "parameters",
        "local_unknown_is_trained_limb",
        "fallback_patient_text",
    }
    if not check.keys(file, str_of(data, "id", "policy"), data, required, set()):
        return None
    if data["hit_policy"] != "first":
        check.add(file, data["id"], f"unknown hit policy {data['hit_policy']!r} (only 'first')")
    for grade in data["first_line_grades"]:
        if grade not in GRADES:
            check.add(file, data["id"], f"unknown grade {grade!r} in first_line_grades")
    rows = []
    for raw in data["verdict"]:
        rid = str_of(raw, "id", "?")
        check.unique(file, rid)
        if not check.keys(file, rid, raw, {"id", "verdict", "when", "text", "patient_text"}, set()):
            continue
        if raw["verdict"] not in VERDICTS:
            check.add(
                file,
                rid,
                f"unknown verdict {raw['verdict']!r}{did_you_mean(raw['verdict'], VERDICTS)}",
            )
        when = []
        for fact, values in raw["when"].items():
            if fact not in FACTS:
                check.add(file, rid, f"unknown fact {fact!r}{did_you_mean(fact, FACTS)}")
                continue
            for value in strs(values) or [repr(values)]:
                if value not in FACTS[fact]:
                    check.add(file, rid, f"unknown value {value!r} for fact {fact!r}")
            when.append((fact, strs(values)))
        rows.append(VerdictRow(rid, raw["verdict"], tuple(when), raw["text"], raw["patient_text"]))
    if data["fallback"] not in VERDICTS:
        check.add(file, data["id"], f"unknown fallback verdict {data['fallback']!r}")
    for verdict in VERDICTS:
        if verdict not in {r.verdict for r in rows}:
            check.add(file, data["id"], f"no row yields verdict {verdict!r}")
    wording = {}
    for verdict in (*VERDICTS, *EXTRA_WORDING):
        raw = data["wording"].get(verdict)
        keys = {"clinician", "patient", "next_step_clinician", "next_step_patient"}
        if raw is None:
            check.add(file, f"wording.{verdict}", "missing wording")
        elif check.keys(file, f"wording.{verdict}", raw, keys, set()):
            wording[verdict] = Wording(**raw)
    params = {}
    for pid, raw in data["parameters"].items():
        check.unique(file, pid)
        if check.keys(file, pid, raw, {"value", "kind", "text", "sources"}, set()):
            if not isinstance(raw["value"], int) or raw["kind"] != "policy":
                check.add(
                    file, pid, "a policy parameter needs a whole-number value and kind 'policy'"
                )
            params[pid] = PolicyParameter(
                pid,
                raw["value"],
                raw["text"],
                ctx.sources_of(file, pid, raw["sources"], required=True),
            )
    return Policy(
        data["id"],
        data["version"],
        data["ruleset_version"],
        tuple(data["first_line_grades"]),
        tuple(rows),
        data["fallback"],
        data["fallback_text"],
        bool(data["local_unknown_is_trained_limb"]),
        params,
        wording,
        data["fallback_patient_text"],
    )
