"""The rules themselves: indications, loading barriers, safety items and application parameters."""

from __future__ import annotations

from .load_conditions import Context
from .load_toml import Table, did_you_mean, str_of, strs
from .model import GRADES, LIMB_GROUPS, LIMBS, TIERS, Barrier, Indication, Parameter, SafetyItem


def _limbs(
    file: str, rule: str, raw: object, ctx: Context
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the limb answers and the groups named by a list like ["legs", "arms"]."""
    groups = strs(raw)
    if not groups and raw not in (None, []):
        ctx.check.add(file, rule, "limbs must be a list of limb groups")
    for group in groups:
        if group not in LIMB_GROUPS:
            ctx.check.add(
                file, rule, f"unknown limb group {group!r}{did_you_mean(group, LIMB_GROUPS)}"
            )
    return tuple(limb for g in groups for limb in LIMB_GROUPS.get(g, ())), groups


def _limb_grades(
    raw: Table, iid: str, ctx: Context
) -> tuple[tuple[str, ...], tuple[str, ...], str, tuple[str, ...]]:
    """Check which limbs a condition or goal may be chosen with and that each has a grade."""
    file, check = "indications.toml", ctx.check
    limbs, _ = _limbs(file, iid, raw.get("limbs"), ctx)
    grade_limbs, groups = _limbs(file, iid, raw.get("grade_limbs"), ctx)
    if not limbs or not grade_limbs:
        check.add(file, iid, "a condition or goal needs `limbs` and `grade_limbs`")
    if set(grade_limbs) - set(limbs):
        check.add(file, iid, "`grade_limbs` names a limb that is not in `limbs`")
    other = str_of(raw, "other_grade")
    for limb in sorted(set(limbs) - set(grade_limbs)):
        if not other:
            check.add(file, iid, f"no grade for this condition with limb {limb!r}: add other_grade")
            break
    if other and other != "none_found":
        check.add(file, iid, "other_grade has no sources, so it can only be 'none_found'")
    if other and set(limbs) == set(grade_limbs):
        check.add(file, iid, "other_grade without a limb outside grade_limbs")
    return limbs, grade_limbs, other, groups


def indications(data: list[Table], ctx: Context) -> dict[str, Indication]:
    file, check = "indications.toml", ctx.check
    out: dict[str, Indication] = {}
    for raw in data:
        iid = str_of(raw, "id", "?")
        check.unique(file, iid)
        required = {"id", "kind", "region", "label", "brief", "grade", "sources"}
        allowed = {
            "clinician_label",
            "evidence",
            "honesty",
            "when",
            "limbs",
            "grade_limbs",
            "other_grade",
        }
        if not check.keys(file, iid, raw, required, allowed):
            continue
        if raw["kind"] not in ("condition", "goal", "benefit"):
            check.add(file, iid, f"unknown kind {raw['kind']!r}")
        if raw["grade"] not in GRADES:
            check.add(
                file, iid, f"unknown grade {raw['grade']!r}{did_you_mean(raw['grade'], GRADES)}"
            )
        sources = ctx.sources_of(file, iid, raw["sources"], raw["grade"] != "none_found")
        when = None
        if raw["kind"] == "benefit":
            when = ctx.condition(file, iid, raw.get("when"))
        elif "when" in raw:
            check.add(file, iid, "only a benefit has `when`; a condition or goal matches by its id")
        limbs: tuple[str, ...] = ()
        grade_limbs: tuple[str, ...] = ()
        other, groups = "", tuple[str, ...]()
        if raw["kind"] != "benefit":
            limbs, grade_limbs, other, groups = _limb_grades(raw, iid, ctx)
        out[iid] = Indication(
            iid,
            raw["kind"],
            raw["region"],
            raw["label"],
            str_of(raw, "clinician_label", raw["label"]),
            raw["brief"],
            raw["grade"],
            str_of(raw, "evidence"),
            str_of(raw, "honesty"),
            sources,
            when,
            limbs,
            grade_limbs,
            other,
            groups,
        )
    return out


def barriers(data: list[Table], ctx: Context) -> tuple[Barrier, ...]:
    file, check = "barriers.toml", ctx.check
    out = []
    for raw in data:
        bid = str_of(raw, "id", "?")
        check.unique(file, bid)
        if not check.keys(
            file, bid, raw, {"id", "text", "patient_text", "when"}, {"details", "sources"}
        ):
            continue
        when = ctx.condition(file, bid, raw["when"])
        details = strs(raw.get("details", []))
        for qid in details:
            if qid not in ctx.questions:
                check.add(
                    file,
                    bid,
                    f"unknown question {qid!r} in details{did_you_mean(qid, ctx.questions)}",
                )
        sources = ctx.sources_of(file, bid, raw.get("sources"), required=False)
        if when is not None:
            out.append(Barrier(bid, raw["text"], raw["patient_text"], when, details, sources))
    return tuple(out)


def items(data: list[Table], ctx: Context) -> tuple[SafetyItem, ...]:
    file, check = "safety.toml", ctx.check
    out = []
    for raw in data:
        sid = str_of(raw, "id", "?")
        check.unique(file, sid)
        required = {"id", "tier", "text", "patient_text", "action", "patient_action", "sources"}
        allowed = {
            "when",
            "limbs_from",
            "clot_points",
            "policy_choice",
            "urgent",
            "urgent_if_unknown_when",
        }
        if not check.keys(file, sid, raw, required, allowed):
            continue
        policy_choice = raw.get("policy_choice", False) is True
        tier = raw["tier"]
        if tier not in TIERS:
            check.add(file, sid, f"unknown tier {tier!r}{did_you_mean(tier, TIERS)}")
        sources = ctx.sources_of(file, sid, raw["sources"], required=not policy_choice)
        urgent = raw.get("urgent", False) is True
        urgent_unknown = None
        if "urgent_if_unknown_when" in raw:
            urgent_unknown = ctx.condition(file, sid, raw["urgent_if_unknown_when"])
            if not urgent:
                check.add(file, sid, "urgent_if_unknown_when needs urgent = true")
        points = raw.get("clot_points", 0)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            check.add(file, sid, "clot_points must be a whole number of 0 or more")
            points = 0
        when, limbs_from = None, raw.get("limbs_from")
        if tier == "local":
            question = ctx.questions.get(str(limbs_from))
            if "when" in raw or question is None:
                check.add(
                    file, sid, "a local item needs `limbs_from` naming a question, and no `when`"
                )
            elif question.type != "multi" or not set(LIMBS) <= set(question.values):
                check.add(file, sid, f"question {limbs_from!r} does not ask for limbs")
        else:
            if "limbs_from" in raw:
                check.add(file, sid, "only a local item has `limbs_from`")
            when = ctx.condition(file, sid, raw.get("when"))
        out.append(
            SafetyItem(
                sid,
                tier,
                raw["text"],
                raw["patient_text"],
                raw["action"],
                sources,
                points,
                when,
                limbs_from,
                raw["patient_action"],
                policy_choice,
                urgent,
                urgent_unknown,
            )
        )
    return tuple(out)


def parameters(data: list[Table], ctx: Context) -> tuple[Parameter, ...]:
    file, out = "parameters.toml", []
    for raw in data:
        pid = str_of(raw, "id", "?")
        ctx.check.unique(file, pid)
        if ctx.check.keys(file, pid, raw, {"id", "text", "sources"}, set()):
            sources = ctx.sources_of(file, pid, raw["sources"], required=True)
            out.append(Parameter(pid, raw["text"], sources))
    return tuple(out)
