"""The decision as a note for the patient's record: plain text, the way a physiotherapist writes.

One function builds it for the result page, the share page and the text download alike, in the
request's language. It names only what matters: the condition and limb, the answers that made a
rule fire, the assessment and why, the evidence grade, each safety finding with what to do, the
plan with the starting parameters where BFR is an option, and where the result came from.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from ..engine import Answers, Decision, Question, RuleSet, evaluate
from ..engine.export import headline, rule_text
from ..engine.model import DONT_KNOW
from ..i18n import gettext, locale
from .labels import GRADES, STUDIED_IN

MEDIA_TYPE = "text/plain"
FILENAME = "bfr-triage-note.txt"
STARTING = ("first_line", "consider")  # verdicts under which BFR is on the table: parameters


def answer_words(q: Question, value: object) -> str:
    """Return a clinician's answer in words: the option's clinician label, or the number."""
    if value is None:
        return gettext("not answered")
    if isinstance(value, int):
        return f"{value}/{q.max}" if q.dont_know else str(value)  # a scale, e.g. pain 7/10
    if value == DONT_KNOW and not q.options:
        return gettext("Unknown")
    labels = {o.value: o.clinician_label for o in q.options}
    values = value if isinstance(value, tuple) else (str(value),)
    return ", ".join(gettext(labels.get(v, v)) for v in values)


def _finding(rs: RuleSet, qid: str, value: object) -> str:
    q = rs.questions[qid]
    return f"{gettext(q.clinician_text)}: {answer_words(q, value)}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def journal_note(rs: RuleSet, answers: Answers, today: date) -> str:
    """Return the note for the record, in the request's language."""
    decision = evaluate(rs, answers)
    assessment, plan = headline(rs, decision, "clinician", gettext)  # urgent, clearance, limb…
    row = next((r for r in rs.policy.rows if r.id == decision.verdict_rule), None)
    why = row.text if row else rs.policy.fallback_text
    day = format_date(today, "long", locale=locale())
    lines = [gettext("BFR training screening (bfr-triage), %(day)s", day=day), ""]

    lines.append(gettext("Assessment: %(text)s", text=_sentence(assessment)))
    lines.append(gettext("Reason: %(text)s", text=gettext(why)))
    lines += ["", gettext("Findings:")]
    lines += [f"- {_finding(rs, q, answers.get(q))}" for q in ("condition", "limb")]
    shown = {"condition", "limb"}
    for reason in decision.of_kind("barrier") + decision.of_kind("benefit"):
        for qid, value in reason.answers:
            if qid not in shown:
                shown.add(qid)
                lines.append(f"- {_finding(rs, qid, value)}")
    if not decision.of_kind("barrier"):
        lines.append("- " + gettext("No barrier to heavy loading."))
    lines += _evidence(rs, decision)
    lines += ["", gettext("Safety:")]
    lines += _safety(rs, decision) or ["- " + gettext("Nothing in the safety screen to note.")]
    lines.append(
        "- " + gettext(
            "Clot-risk points (Nascimento 2022, information only): %(points)s.",
            points=decision.clot_risk_points,
        )
    )  # fmt: skip
    if decision.missing:
        missing = "; ".join(gettext(rs.questions[q].clinician_text) for q in decision.missing)
        lines += ["", gettext("Not answered: %(questions)s.", questions=missing)]
    lines += ["", gettext("Plan: %(text)s", text=plan)]
    if decision.verdict in STARTING:
        lines.append(gettext("Starting parameters (general guidance, not a prescription):"))
        lines += [f"- {gettext(p.text)}" for p in rs.parameters]
    p = decision.provenance
    lines += [
        "",
        gettext(
            "Decision support from bfr-triage %(app)s, rule set %(rules)s (policy %(policy)s "
            "%(version)s), SHA-256 %(sha)s. The clinical decision is the physiotherapist's.",
            app=p.app_version,
            rules=p.ruleset_version,
            policy=p.policy,
            version=p.policy_version,
            sha=p.rules_sha256,
        ),
    ]
    return "\n".join(lines) + "\n"


def _evidence(rs: RuleSet, decision: Decision) -> list[str]:
    """The evidence for the condition at the grade for the limb to be trained; none before
    clearance (the engine gives none: it is for after)."""
    if decision.indication is None or decision.verdict == "needs_clearance":
        return []
    ind = rs.indications[decision.indication]
    grade = decision.grade or ind.grade
    lines = [
        "",
        gettext(
            "Evidence for %(condition)s: %(grade)s.",
            condition=gettext(ind.clinician_label),
            grade=str(GRADES[grade]),
        ),
    ]
    if ind.evidence:
        lines.append(gettext(ind.evidence))
    studied = STUDIED_IN.get(tuple(sorted(ind.limb_groups)))
    if studied is not None:
        lines.append(str(studied))
        if grade != ind.grade:  # the limb to be trained is outside the trials' limbs
            lines.append(gettext("Those trials do not count for the limb to be trained."))
    if ind.honesty:
        lines.append(gettext("NB: %(text)s", text=gettext(ind.honesty)))
    return lines


def _safety(rs: RuleSet, decision: Decision) -> list[str]:
    items = rs.items_by_id
    heads = {
        "clearance": gettext("Needs medical clearance"),
        "local": gettext("Do not cuff that limb"),
        "precaution": gettext("Precaution"),
    }
    lines = []
    for kind in ("clearance", "local", "precaution"):
        for reason in decision.of_kind(kind):
            shown = [(q, v) for q, v in reason.answers if q != "limb" or kind != "local"]
            if len(shown) == 1:  # the item's own question: its answer says enough
                found = f" – {answer_words(rs.questions[shown[0][0]], shown[0][1])}"
            else:
                found = " (" + "; ".join(_finding(rs, q, v) for q, v in shown) + ")"
            text = f"- {heads[kind]}: {gettext(rule_text(rs, reason))}{found}."
            if kind == "local" and reason.on_trained_limb is not None:
                text += " " + (
                    gettext("On the limb to be trained.")
                    if reason.on_trained_limb
                    else gettext("Not the limb to be trained.")
                )
            action = items[reason.rule].action
            if action:
                text += " " + gettext("Action: %(text)s", text=_sentence(gettext(action)))
            lines.append(text)
    return lines
