"""Turn the engine's Decision into what the result page shows, in the audience's words."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from flask import current_app
from markupsafe import Markup

from ..engine import Answers, Reason, RuleSet, evaluate
from ..engine.export import headline as engine_headline
from ..engine.export import rule_text
from ..engine.model import Decision, Indication, Provenance
from ..i18n import catalogue, gettext
from ..i18n import lazy_gettext as _l
from ..records.labels import GRADES, LIMBS, PATIENT_GRADES, SOURCE_KINDS, STUDIED_IN
from .fieldview import answer_text
from .forms import question_text
from .links import link

STARTS = ("first_line", "consider")  # verdicts where BFR is an option: starting parameters shown
ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # what url_for leaves unquoted in an _anchor

# Said once above a list that holds an item answered "don't know"; each item shows its answer.
UNKNOWN_NOTES = {
    "barrier": _l(
        "Where you answered “I don't know”, it is not known whether this stops heavy training."
    ),
    "clearance": _l(
        "Where you answered “I don't know”, the item counts as yes until a doctor has checked."
    ),
    "local": _l(
        "Where you answered “I don't know”, the item counts as if it affects "
        "the arm or leg you would train."
    ),
    "precaution": _l("Where you answered “I don't know”, take care as if the answer were yes."),
}


@dataclass(frozen=True)
class SourceView:
    citation: str
    kind: str
    doi: str
    url: str
    note: str


@dataclass(frozen=True)
class AnswerView:
    question: str
    answer: str
    change_url: str


@dataclass(frozen=True)
class ReasonView:
    rule: str
    text: str
    unknown: bool
    answers: tuple[AnswerView, ...]
    note: str = ""
    action: str = ""
    limbs: str = ""


@dataclass(frozen=True)
class IndicationView:
    label: str
    grade: str
    grade_words: str
    evidence: str
    honesty: str
    none_found: bool
    sources: tuple[SourceView, ...]
    studied_in: str = ""  # where the trials put the cuff
    elsewhere: bool = False  # the trials were not on the arm or leg to be trained


@dataclass(frozen=True)
class ResultView:
    verdict: str
    key: str  # what leads: urgent, a limb not to cuff (limb_first, limb_other), the verdict
    headline: str
    next_step: str
    why: str
    deciding: tuple[ReasonView, ...]  # the one or two reasons that decided it (patient page)
    notices: tuple[str, ...]  # what the result adds in the audience's words (valid today, …)
    indication_html: Markup  # what the evidence says (result_parts.html); empty on clearance
    condition: AnswerView
    limb: AnswerView
    benefits: tuple[ReasonView, ...]
    barriers: tuple[ReasonView, ...]
    clearance: tuple[ReasonView, ...]
    local: tuple[ReasonView, ...]
    precautions: tuple[ReasonView, ...]
    unknown: dict[str, str]  # kind: what "don't know" means there, if any item was answered so
    clinician: bool
    clot_points: int
    clinician_html: Markup  # where the clot-risk points come from
    parameters_html: Markup  # starting parameters, threshold, references; empty unless an option
    intended_use_html: Markup  # the intended-use notice (rendered once per locale, as the above)
    safety_sources: tuple[SourceView, ...]  # of the safety items on the page
    provenance: Provenance
    decision: Decision


def source_view(rs: RuleSet, sid: str) -> SourceView:
    """Describe a source, translated once per locale."""

    def build() -> SourceView:
        s = rs.sources[sid]
        kind = str(SOURCE_KINDS.get(s.kind, s.kind))
        return SourceView(s.citation, kind, s.doi, s.url, gettext(s.note) if s.note else "")

    return catalogue().memo(("source", sid), build)


def sources_view(rs: RuleSet, ids: tuple[str, ...]) -> tuple[SourceView, ...]:
    return tuple(source_view(rs, s) for s in ids)


@dataclass(frozen=True)
class Texts:
    """Every fixed text a result page may show to one audience, translated once per locale.

    Built for all rules at once, so what is kept never depends on the answers of a request.
    """

    why: dict[str, str]  # policy row (or policy_fallback): why, in the audience's words
    notices: dict[str, str]  # notice id: its text in the audience's words
    rules: dict[str, tuple[str, str]]  # barrier, item or benefit id: text, what to do
    indications: dict[tuple[str, str], IndicationView]  # by indication and grade
    questions: dict[str, str]
    on_trained: str
    not_trained: str
    unknown: dict[str, str]  # kind: what "don't know" means there


def texts(rs: RuleSet, audience: str) -> Texts:
    """Return the result page's fixed texts for `audience` in this request's language."""
    return catalogue().memo(("result-texts", audience), lambda: _texts(rs, audience))


def _texts(rs: RuleSet, audience: str) -> Texts:
    clinician = audience == "clinician"
    policy = rs.policy
    rules = {
        r.rule: (gettext(rule_text(rs, r, audience)), gettext(action) if action else "")
        for r, action in (
            *((Reason(b.id, "barrier", "met"), "") for b in rs.barriers),
            *(
                (Reason(i.id, "clearance", "met"), i.action if clinician else i.patient_action)
                for i in rs.items
            ),
            *(
                (Reason(f"ind_{i.id}", "benefit", "met"), "")
                for i in rs.indications.values()  # a condition's label, or a benefit's
            ),
        )
    }
    patient = not clinician
    return Texts(
        why={
            **{row.id: gettext(row.patient_text if patient else row.text) for row in policy.rows},
            "policy_fallback": gettext(
                policy.fallback_patient_text if patient else policy.fallback_text
            ),
        },
        rules=rules,
        notices={n.id: gettext(n.patient_text if patient else n.text) for n in policy.notices},
        indications={
            (i.id, grade): _indication_view(rs, i, grade, clinician)
            for i in rs.indications.values()
            for grade in {i.grade, i.other_grade} - {""}
        },
        questions={q.id: question_text(q, audience) for q in rs.questions.values()},
        on_trained=gettext("This is the arm or leg you would train."),
        not_trained=gettext(
            "This is not the arm or leg you would train, so it does not change the result."
        ),
        unknown={kind: str(note) for kind, note in UNKNOWN_NOTES.items()},
    )


def _indication_view(rs: RuleSet, i: Indication, grade: str, clinician: bool) -> IndicationView:
    """Describe what the evidence says for a condition at one of its grades (README §3 v2)."""
    elsewhere = grade != i.grade  # the limb to be trained is outside the trials' limbs
    return IndicationView(
        gettext(i.clinician_label if clinician else i.label),
        grade,
        str((GRADES if clinician else PATIENT_GRADES)[grade]),
        gettext(i.evidence) if i.evidence else "",
        gettext(i.honesty) if i.honesty else "",
        grade == "none_found",
        sources_view(rs, i.sources),
        str(STUDIED_IN.get(tuple(sorted(i.limb_groups)), "")),
        elsewhere,
    )


@lru_cache(maxsize=256)  # question ids: a few dozen, from the rule set
def _anchor(qid: str) -> str:
    return f"#{quote(f'q-{qid}', safe=ANCHOR_SAFE)}"


class _ChangeLinks:
    """Build each Change button's URL; one url_for per page, not per answer."""

    def __init__(self, rs: RuleSet, mode: str) -> None:
        self.rs, self.mode = rs, mode
        self.pages: dict[str, str] = {}

    def __call__(self, qid: str) -> str:
        page = "" if self.mode == "intake" else self.rs.questions[qid].page
        base = self.pages.get(page)
        if base is None:
            base = self.pages[page] = (
                link("web.answer", page_id=page) if page else link("web.intake")
            )
        return base + _anchor(qid)


class _Builder:
    """Describe one decision's reasons and answers, with the fixed texts looked up, not made."""

    def __init__(self, rs: RuleSet, audience: str, mode: str) -> None:
        self.rs, self.audience = rs, audience
        self.texts = texts(rs, audience)
        self.change = _ChangeLinks(rs, mode)
        self.all = audience == "clinician"  # shown every question, not only those for all

    def answer(self, qid: str, value: object) -> AnswerView:
        q = self.rs.questions[qid]
        answer = answer_text(q, value, self.audience)
        return AnswerView(self.texts.questions[qid], answer, self.change(qid))

    def reason(self, r: Reason) -> ReasonView:
        questions = self.rs.questions
        local = r.kind == "local"
        answers = tuple(
            self.answer(q, v)
            for q, v in r.answers
            if (self.all or questions[q].audience == "all")
            and not (local and q == "limb")  # shown once above the limb items
        )
        text, action = self.texts.rules[r.rule]
        note = ""
        if local and r.on_trained_limb is not None:
            note = self.texts.on_trained if r.on_trained_limb else self.texts.not_trained
        limbs = ", ".join(str(LIMBS[limb]) for limb in r.limbs if limb in LIMBS)
        return ReasonView(r.rule, text, r.state == "unknown", answers, note, action, limbs)


def _parameters(
    rs: RuleSet,
) -> tuple[tuple[tuple[str, str], ...], tuple[int, str, str], tuple[SourceView, ...]]:
    """Return the starting parameters, the pain threshold and their sources, numbered once."""
    pain = rs.policy.parameters["pain_threshold"]
    numbers: dict[str, int] = {}

    def cite(ids: tuple[str, ...]) -> str:
        return ", ".join(str(numbers.setdefault(s, len(numbers) + 1)) for s in ids)

    parameters = tuple((gettext(p.text), cite(p.sources)) for p in rs.parameters)
    threshold = (pain.value, gettext(pain.text), cite(pain.sources))
    return parameters, threshold, sources_view(rs, tuple(numbers))


@dataclass(frozen=True)
class Parts:
    """The answer-free parts of a result page, rendered once per locale, audience and embed."""

    indications: dict[tuple[str, str] | None, Markup]  # None: not a listed condition
    clinician: Markup
    parameters: Markup
    intended_use: Markup  # macros.html's, the same on every page


def parts(rs: RuleSet, audience: str, embed: bool) -> Parts:
    """Return the rendered answer-free parts; all conditions at once, whichever was answered."""
    return catalogue().memo(("result-parts", audience, embed), lambda: _parts(rs, audience, embed))


def _parts(rs: RuleSet, audience: str, embed: bool) -> Parts:
    macros: Any = current_app.jinja_env.get_template("result_parts.html").make_module(
        {"embed": embed}
    )
    indications = texts(rs, audience).indications
    parameters, threshold, references = _parameters(rs)
    return Parts(
        {
            None: macros.indication(None),
            **{k: macros.indication(v) for k, v in indications.items()},
        },
        macros.clinician(source_view(rs, "nascimento2022")),
        macros.parameters(parameters, threshold, references),
        current_app.jinja_env.get_template("macros.html").module.intended_use(),  # type: ignore[attr-defined]
    )


def result_view(
    rs: RuleSet,
    answers: Answers,
    audience: str,
    mode: str,
    embed: bool = False,
    decision: Decision | None = None,
) -> ResultView:
    """Describe the decision on these answers (evaluated here if not given) for the result page."""
    decision = decision or evaluate(rs, answers)
    fixed_html = parts(rs, audience, embed)
    build = _Builder(rs, audience, mode)
    fixed = build.texts
    headline, next_step = engine_headline(rs, decision, audience, gettext)
    clearance = decision.verdict == "needs_clearance"  # evidence and benefits come after clearance
    kinds: dict[str, list[ReasonView]] = {}
    unknown: dict[str, str] = {}
    # After an urgent answer the later pages are not asked (README §2): their items, all
    # unanswered, are not the patient's to read today. The clinician's result stays complete.
    shown = list(decision.reasons)
    if audience == "patient" and decision.urgent:
        shown = [r for r in shown if any(v is not None for _, v in r.answers)]
    for r in shown:
        if r.kind in ("barrier", "clearance", "local", "precaution", "benefit", "indication"):
            kinds.setdefault(r.kind, []).append(build.reason(r))
            if r.state == "unknown" and r.kind in fixed.unknown:
                unknown[r.kind] = fixed.unknown[r.kind]
    key = _lead(decision)
    deciding = _deciding(rs, decision, key, kinds)
    indication = None if decision.indication is None else (decision.indication, decision.grade)
    return ResultView(
        verdict=decision.verdict,
        key=key,
        headline=headline,
        next_step=next_step,
        why=fixed.why.get(decision.verdict_rule, fixed.why["policy_fallback"]),
        deciding=deciding,
        notices=tuple(fixed.notices[n] for n in decision.notices),
        indication_html=Markup() if clearance else fixed_html.indications[indication],
        condition=build.answer("condition", answers.get("condition")),
        limb=build.answer("limb", answers.get("limb")),
        benefits=() if clearance else tuple(kinds.get("benefit", ())),
        barriers=tuple(kinds.get("barrier", ())),
        clearance=tuple(kinds.get("clearance", ())),
        local=tuple(kinds.get("local", ())),
        precautions=tuple(kinds.get("precaution", ())),
        unknown=unknown,
        clinician=audience == "clinician",
        clot_points=decision.clot_risk_points,
        clinician_html=fixed_html.clinician,
        # How to start is for a result where BFR is an option, as in the note for the record.
        parameters_html=fixed_html.parameters if decision.verdict in STARTS else Markup(),
        intended_use_html=fixed_html.intended_use,
        safety_sources=sources_view(rs, _safety_sources(rs, shown)),
        provenance=decision.provenance,
        decision=decision,
    )


def _safety_sources(rs: RuleSet, reasons: list[Reason]) -> tuple[str, ...]:
    items = rs.items_by_id
    fired = (items[r.rule] for r in reasons if r.rule in items)
    return tuple(dict.fromkeys(s for item in fired for s in item.sources))


def _lead(decision: Decision) -> str:
    """Return what leads the result (README §2): urgent, clearance, a limb, then the verdict."""
    if decision.urgent:
        return "urgent"
    if decision.verdict != "needs_clearance" and decision.blocked_limbs:
        return "limb_other" if decision.open_limbs else "limb_first"
    return decision.verdict


def _deciding(
    rs: RuleSet, decision: Decision, key: str, kinds: dict[str, list[ReasonView]]
) -> tuple[ReasonView, ...]:
    """Return the one or two reasons that decided the result, each with the person's answers."""
    if key == "urgent":  # the next step says what to do today: not the item's action again
        urgent = {i.id for i in rs.items if i.urgent}
        found = [replace(r, action="") for r in kinds.get("clearance", ()) if r.rule in urgent]
    elif key == "needs_clearance":
        found = list(kinds.get("clearance", ()))
    elif key in ("limb_first", "limb_other"):
        on_trained = {r.rule for r in decision.of_kind("local") if r.on_trained_limb is not False}
        found = [r for r in kinds.get("local", ()) if r.rule in on_trained]
    else:
        found = [*kinds.get("indication", ()), *kinds.get("barrier", ())]
    return tuple(found[:2])
