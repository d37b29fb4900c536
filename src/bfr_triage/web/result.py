"""Turn the engine's Decision into what the result page shows, in the audience's words."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ..engine import Answers, Reason, RuleSet, evaluate
from ..engine.export import rule_text
from ..engine.model import Decision, Provenance
from .fieldview import answer_text
from .forms import question_text
from .i18n import catalogue, gettext
from .i18n import lazy_gettext as _l
from .labels import GRADES, LIMBS, SOURCE_KINDS
from .links import link

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


@dataclass(frozen=True)
class ResultView:
    verdict: str
    headline: str
    next_step: str
    why: str
    indication: IndicationView | None
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
    clot_source: SourceView
    parameters: tuple[tuple[str, str], ...]  # text, reference numbers
    pain_threshold: tuple[int, str, str]
    references: tuple[SourceView, ...]  # numbered once for the parameters and the threshold
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
        return f"{base}#{quote(f'q-{qid}', safe=ANCHOR_SAFE)}"


def _answer(
    rs: RuleSet, qid: str, value: object, audience: str, change: _ChangeLinks
) -> AnswerView:
    q = rs.questions[qid]
    return AnswerView(question_text(q, audience), answer_text(q, value, audience), change(qid))


def _note(r: Reason) -> str:
    """Say whether a limb item touches the limb to be trained."""
    if r.kind == "local" and r.on_trained_limb is True:
        return gettext("This is the arm or leg you would train.")
    if r.kind == "local" and r.on_trained_limb is False:
        return gettext(
            "This is not the arm or leg you would train, so it does not change the result."
        )
    return ""


def _reason(rs: RuleSet, r: Reason, audience: str, change: _ChangeLinks) -> ReasonView:
    answers = tuple(
        _answer(rs, q, v, audience, change)
        for q, v in r.answers
        if (rs.questions[q].audience == "all" or audience == "clinician")
        and not (r.kind == "local" and q == "limb")  # shown once above the limb items
    )
    item = next((i for i in rs.items if i.id == r.rule), None)
    limbs = ", ".join(str(LIMBS[limb]) for limb in r.limbs if limb in LIMBS)
    return ReasonView(
        r.rule,
        gettext(rule_text(rs, r, audience)),
        r.state == "unknown",
        answers,
        _note(r),
        gettext(item.action) if item else "",
        limbs,
    )


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


def result_view(rs: RuleSet, answers: Answers, audience: str, mode: str) -> ResultView:
    """Evaluate the answers and describe the decision for the result page."""
    decision = evaluate(rs, answers)
    policy = rs.policy
    wording = policy.wording[decision.verdict]
    clinician = audience == "clinician"
    row = next((r for r in policy.rows if r.id == decision.verdict_rule), None)
    change = _ChangeLinks(rs, mode)

    def reasons(kind: str) -> tuple[ReasonView, ...]:
        return tuple(_reason(rs, r, audience, change) for r in decision.of_kind(kind))

    indication = None
    if decision.indication is not None:
        ind = rs.indications[decision.indication]
        indication = IndicationView(
            gettext(ind.clinician_label if clinician else ind.label),
            ind.grade,
            str(GRADES[ind.grade]),
            gettext(ind.evidence) if ind.evidence else "",
            gettext(ind.honesty) if ind.honesty else "",
            ind.grade == "none_found",
            sources_view(rs, ind.sources),
        )
    parameters, threshold, references = catalogue().memo(("parameters",), lambda: _parameters(rs))
    return ResultView(
        verdict=decision.verdict,
        headline=gettext(wording.clinician if clinician else wording.patient),
        next_step=gettext(wording.next_step_clinician if clinician else wording.next_step_patient),
        why=gettext(row.text if row else policy.fallback_text),
        indication=indication,
        condition=_answer(rs, "condition", answers.get("condition"), audience, change),
        limb=_answer(rs, "limb", answers.get("limb"), audience, change),
        benefits=reasons("benefit"),
        barriers=reasons("barrier"),
        clearance=reasons("clearance"),
        local=reasons("local"),
        precautions=reasons("precaution"),
        unknown={
            kind: str(note)
            for kind, note in UNKNOWN_NOTES.items()
            if any(r.state == "unknown" for r in decision.of_kind(kind))
        },
        clinician=clinician,
        clot_points=decision.clot_risk_points,
        clot_source=source_view(rs, "nascimento2022"),
        parameters=parameters,
        pain_threshold=threshold,
        references=references,
        provenance=decision.provenance,
        decision=decision,
    )
