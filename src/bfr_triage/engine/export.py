"""Render a Decision as plain data (JSON-ready), with the rule texts in English."""

from __future__ import annotations

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
        row = next((r for r in ruleset.policy.rows if r.id == reason.rule), None)
        return row.text if row else ruleset.policy.fallback_text
    item = next(i for i in ruleset.items if i.id == reason.rule)
    return item.patient_text if patient else item.text


def decision_to_dict(
    ruleset: RuleSet, decision: Decision, audience: str = "clinician"
) -> dict[str, Any]:
    """Return the whole decision as JSON-ready data; the CLI and the API print exactly this."""
    wording = ruleset.policy.wording[decision.verdict]
    patient = audience == "patient"
    indication = None
    if decision.indication is not None:
        ind = ruleset.indications[decision.indication]
        indication = {
            "id": ind.id,
            "kind": ind.kind,
            "label": ind.label if patient else ind.clinician_label,
            "grade": ind.grade,
            "evidence": ind.evidence,
            "honesty_note": ind.honesty,
            "sources": [source_to_dict(ruleset, s) for s in ind.sources],
        }
    items = {i.id: i for i in ruleset.items}

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
            out["action"] = items[r.rule].action
            out["clot_points"] = items[r.rule].clot_points
        return out

    def ids(kind: str) -> list[dict[str, Any]]:
        return [reason(r) for r in decision.of_kind(kind)]

    p = decision.provenance
    return {
        "verdict": decision.verdict,
        "verdict_rule": decision.verdict_rule,
        "audience": audience,
        "headline": wording.patient if patient else wording.clinician,
        "next_step": wording.next_step_patient if patient else wording.next_step_clinician,
        "facts": dict(decision.facts),
        "reasons": [reason(r) for r in decision.reasons],
        "indication": indication,
        "benefits": ids("benefit"),
        "loading_barriers": ids("barrier"),
        "safety": {
            "clearance": ids("clearance"),
            "local": ids("local"),
            "precautions": ids("precaution"),
        },
        "trained_limbs": list(decision.trained_limbs),
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
