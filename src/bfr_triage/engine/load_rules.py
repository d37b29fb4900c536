"""The rules themselves: indications, loading barriers, safety items and application parameters."""

from __future__ import annotations

from .load_conditions import Context
from .load_toml import Table, did_you_mean, str_of, strs
from .model import GRADES, LIMBS, TIERS, Barrier, Indication, Parameter, SafetyItem


def indications(data: list[Table], ctx: Context) -> dict[str, Indication]:
    file, check = "indications.toml", ctx.check
    out: dict[str, Indication] = {}
    for raw in data:
        iid = str_of(raw, "id", "?")
        check.unique(file, iid)
        required = {"id", "kind", "region", "label", "brief", "grade", "sources"}
        allowed = {"clinician_label", "evidence", "honesty", "when"}
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
        required = {"id", "tier", "text", "patient_text", "action", "sources"}
        if not check.keys(file, sid, raw, required, {"when", "limbs_from", "clot_points"}):
            continue
        tier = raw["tier"]
        if tier not in TIERS:
            check.add(file, sid, f"unknown tier {tier!r}{did_you_mean(tier, TIERS)}")
        sources = ctx.sources_of(file, sid, raw["sources"], required=True)
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
