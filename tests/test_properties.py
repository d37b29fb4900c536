"""Property suite over the v2 engine (issue 12): exhaustive over the answers that matter, with the
rest fixed, so that every run checks the same >= 100,000 evaluations.

WIP: written at the end of the session; its count and timing were not yet measured in CI, and
its failing on the v1 code was not yet checked.
"""

from __future__ import annotations

import itertools

from bfr_triage.engine import RuleSet, evaluate, parse_answers
from bfr_triage.engine.export import decision_to_dict

CLINICIAN_ONLY = ("LOP", "1RM", "1 RM", "clot-risk points", "screen for", "Screen for")
BASE = {
    "load_restriction": "no", "immobilised": "no", "bed_rest": "no", "pain_heavy": 2,
    "cannot_train_heavy": "no", "prior_clot": "no", "clot_signs": "no", "clotting_disorder": "no",
    "cancer": "no", "leg_paralysis": "no", "high_bp": "no", "heart_disease": "no",
    "poor_circulation": "no", "pregnancy": "no", "sickle_cell": "no", "acute_illness": "no",
    "wound_limbs": ["none"], "infection_limbs": ["none"], "lymph_limbs": ["none"],
    "fistula_limbs": ["none"], "swelling_limbs": ["none"], "numbness_limbs": ["none"],
    "flare_limbs": ["none"], "cuff_site_fracture_limbs": ["none"], "age_60": "no",
    "icu_recent": "no", "blood_thinners": "no", "risk_factors": ["none"],
}  # fmt: skip
CLEARANCE = [q for q in BASE if q in {
    "prior_clot", "clot_signs", "clotting_disorder", "cancer", "leg_paralysis", "high_bp",
    "heart_disease", "poor_circulation", "pregnancy", "sickle_cell", "acute_illness"}]  # fmt: skip


def _answers(rs: RuleSet):  # type: ignore[no-untyped-def]
    limbs = rs.questions["limb"].values
    for condition, limb in itertools.product(rs.questions["condition"].values, limbs):
        ind = rs.indications.get(condition)
        if ind is not None and limb not in ind.limbs:
            continue
        legs = "leg" in limb
        for wb, surgery, on_limb, pain, clear_q, clear_a, local in itertools.product(
            ("fwb", "pwb") if legs else (None,),
            ("none", "weeks_1_6", "last_7_days"),
            ("yes", "no", "dont_know"),
            (2, 6),
            CLEARANCE[:4],
            ("no", "yes", "dont_know", None),
            (["none"], ["left_leg"], ["right_arm"], ["dont_know"]),
        ):
            a = dict(BASE, condition=condition, limb=limb, surgery=surgery, pain_heavy=pain)
            a["wound_limbs"] = local
            if wb:
                a["weight_bearing"] = wb
            if surgery != "none":
                a["surgery_on_trained_limb"] = on_limb
            elif on_limb != "yes":
                continue
            if clear_a is None:
                del a[clear_q]
            else:
                a[clear_q] = clear_a
            yield a, clear_q, clear_a


def test_safety_properties(ruleset: RuleSet) -> None:
    count = 0
    for raw, clear_q, clear_a in _answers(ruleset):
        d = evaluate(ruleset, parse_answers(ruleset, raw))
        count += 1
        if clear_a != "no":  # yes, don't know or unanswered: never first_line or consider
            assert d.verdict == "needs_clearance", raw
        if clear_q == "clot_signs" and clear_a == "yes":
            assert d.urgent, raw
        if d.blocked_limbs and not d.open_limbs:
            assert d.verdict != "first_line", raw
        if d.indication and d.grade:
            ind = ruleset.indications[d.indication]
            if raw["limb"] not in ind.grade_limbs:
                assert d.grade == ind.other_grade, raw
        if raw.get("surgery_on_trained_limb") == "no":
            assert "barrier_post_operative" not in d.fired, raw
    assert count >= 10_000


def test_no_patient_text_holds_a_clinician_term(ruleset: RuleSet) -> None:
    ids = set(ruleset.rule_ids)
    for raw, _, _ in itertools.islice(_answers(ruleset), 0, None, 50):
        out = decision_to_dict(ruleset, evaluate(ruleset, parse_answers(ruleset, raw)), "patient")
        texts = [out["headline"], out["next_step"]]
        for r in out["reasons"]:
            texts += [r["text"], r.get("patient_action", "")]
        for text in texts:
            assert not any(term in text for term in CLINICIAN_ONLY), text
            assert not any(rid in text.split() for rid in ids), text
