"""Render a Decision as plain data (JSON-ready), with the rule texts in English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import Decision, Reason, RuleSet


def N_(text: str) -> str:
    """Mark a string for the translation catalogue without translating it: the engine speaks
    English, and the web layer and the API translate what they show."""
    return text


CLOT_POINTS_NOTE = N_("Information only: Nascimento 2022 Table 3 points, summed. Not a threshold.")


def source_to_dict(ruleset: RuleSet, sid: str) -> dict[str, str]:
    s = ruleset.sources[sid]
    return {
        "id": s.id,
        "kind": s.kind,
        "citation": s.citation,
        "doi": s.doi,
        "url": s.url,
        "note": s.note,
    }


def rule_text(ruleset: RuleSet, reason: Reason, audience: str = "clinician") -> str:
    """Return the English source text a reason stands for, in the audience's wording."""
    patient = audience == "patient"
    if reason.kind in ("indication", "benefit"):
        ind = ruleset.indications[reason.rule.removeprefix("ind_")]
        return ind.label if patient else ind.clinician_label
    if reason.kind == "barrier":
        barrier = next(b for b in ruleset.barriers if b.id == reason.rule)
        return barrier.patient_text if patient else barrier.text
    if reason.kind == "policy":
        row = ruleset.policy.rows_by_id.get(reason.rule)
        if row is None:
            policy = ruleset.policy
            return policy.fallback_patient_text if patient else policy.fallback_text
        return row.patient_text if patient else row.text
    item = ruleset.items_by_id[reason.rule]
    return item.patient_text if patient else item.text


def _first(text: str) -> str:
    """Lower-case a text's first letter to follow a colon (not an abbreviation like ACL)."""
    word = text.split(" ", 1)[0]
    return text if len(word) > 1 and word.isupper() else text[:1].lower() + text[1:]


def headline(
    ruleset: RuleSet,
    decision: Decision,
    audience: str,
    translate: Callable[[str], str] = lambda text: text,
) -> tuple[str, str]:
    """Return the headline and next step, in the order of README §2: urgent, clearance, a limb
    that must not be cuffed, then the verdict, which under 18 the patient does not get (README
    §5: "ask a physiotherapist" instead). `translate` turns English rule text
    into the reader's language before the limb and item are filled in."""
    patient = audience == "patient"
    policy = ruleset.policy
    key = decision.verdict
    if decision.urgent:
        key = "urgent"
    elif decision.verdict == "needs_clearance":
        pass
    elif decision.blocked_limbs:
        key = "limb_other" if decision.open_limbs else "limb_first"
    elif patient and "under_18" in decision.notices:  # for adults: no verdict headline
        key = "under_18"
    wording = policy.wording[key]
    text = translate(wording.patient if patient else wording.clinician)
    step = translate(wording.next_step_patient if patient else wording.next_step_clinician)
    if key in ("limb_first", "limb_other"):
        local = next(r for r in decision.of_kind("local") if r.on_trained_limb is not False)
        item = translate(rule_text(ruleset, local, audience))
        limbs = {o.value: o.label for o in ruleset.questions["wound_limbs"].options}

        def names(values: tuple[str, ...]) -> str:
            return " / ".join(translate(limbs[v]).lower() for v in values)

        text = text.format(
            limb=names(decision.blocked_limbs), item=_first(item), other=names(decision.open_limbs)
        )
    return text, step


def decision_to_dict(
    ruleset: RuleSet, decision: Decision, audience: str = "clinician"
) -> dict[str, Any]:
    """Return the whole decision as JSON-ready data; the CLI and the API print exactly this."""
    patient = audience == "patient"
    clearance = decision.verdict == "needs_clearance"
    indication = None
    if decision.indication is not None and not clearance:  # evidence is for after clearance
        ind = ruleset.indications[decision.indication]
        indication = {
            "id": ind.id,
            "kind": ind.kind,
            "label": ind.label if patient else ind.clinician_label,
            "grade": decision.grade,
            "studied_in": list(decision.evidence_limbs),
            "grade_applies_to_limb": decision.grade == ind.grade,
            "evidence": ind.evidence,
            "honesty_note": ind.honesty,
            "sources": [source_to_dict(ruleset, s) for s in ind.sources],
        }
    items = ruleset.items_by_id

    def reason(r: Reason) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": r.rule,
            "kind": r.kind,
            "state": r.state,
            "text": rule_text(ruleset, r, audience),
            "answers": {q: (list(v) if isinstance(v, tuple) else v) for q, v in r.answers},
        }
        if r.kind == "local":
            out["limbs"] = list(r.limbs)
            out["on_trained_limb"] = r.on_trained_limb
        if r.rule in items:
            item = items[r.rule]
            out["patient_action"] = item.patient_action
            if not patient:  # the clinician's instruction and points never reach a patient
                out["action"] = item.action
                out["clot_points"] = item.clot_points
                out["policy_choice"] = item.policy_choice
        return out

    def ids(kind: str) -> list[dict[str, Any]]:
        return [reason(r) for r in decision.of_kind(kind)]

    notices = {n.id: n for n in ruleset.policy.notices}

    def notice(nid: str) -> dict[str, Any]:
        n = notices[nid]
        out: dict[str, Any] = {
            "id": n.id,
            "text": n.patient_text if patient else n.text,
            "sources": [source_to_dict(ruleset, s) for s in n.sources],
        }
        if not patient:
            out["policy_choice"] = n.policy_choice
        return out

    p = decision.provenance
    text, step = headline(ruleset, decision, audience)
    shown = [r for r in decision.reasons if not (clearance and r.kind in ("benefit", "indication"))]
    out: dict[str, Any] = {
        "verdict": decision.verdict,
        "verdict_rule": decision.verdict_rule,
        "urgent": decision.urgent,
        "audience": audience,
        "headline": text,
        "next_step": step,
        "facts": dict(decision.facts),
        "reasons": [reason(r) for r in shown],
        "notices": [notice(n) for n in decision.notices],
        "indication": indication,
        "benefits": [] if clearance else ids("benefit"),
        "loading_barriers": ids("barrier"),
        "safety": {
            "clearance": ids("clearance"),
            "local": ids("local"),
            "precautions": ids("precaution"),
        },
        "trained_limbs": list(decision.trained_limbs),
        "limbs_not_to_cuff": list(decision.blocked_limbs),
        "clot_risk_points": {
            "total": decision.clot_risk_points,
            "source": source_to_dict(ruleset, "nascimento2022"),
            "note": CLOT_POINTS_NOTE,
        },
        "missing": list(decision.missing),
        "provenance": {
            "app_version": p.app_version,
            "ruleset_version": p.ruleset_version,
            "policy": p.policy,
            "policy_version": p.policy_version,
            "rules_sha256": p.rules_sha256,
        },
    }
    if patient:  # README §7: no clot-risk points for a patient (ids stay as data, never shown)
        del out["clot_risk_points"]
    return out
