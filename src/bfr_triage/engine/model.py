"""Immutable objects the engine works with: the rule set, answers and the decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Tri = bool | None  # met / not met / unknown: unanswered is never read as "no"
State = Literal["met", "unknown"]
Value = str | int | tuple[str, ...]

GRADES = ("ma", "rct", "small_rct", "emerging", "in_progress", "none_found")
VERDICTS = ("needs_clearance", "first_line", "consider", "not_indicated")
TIERS = ("clearance", "local", "precaution")
LIMBS = ("left_arm", "right_arm", "left_leg", "right_leg")
DONT_KNOW = "dont_know"
AUDIENCES = ("patient", "clinician")  # whose wording a decision is written in
# What the limb question offers, by the groups rule files name in `limbs` and `grade_limbs`.
LIMB_GROUPS = {
    "legs": ("left_leg", "right_leg", "both_legs"),
    "arms": ("left_arm", "right_arm", "both_arms"),
}
TRAINED_LIMBS = {
    "left_leg": ("left_leg",),
    "right_leg": ("right_leg",),
    "both_legs": ("left_leg", "right_leg"),
    "left_arm": ("left_arm",),
    "right_arm": ("right_arm",),
    "both_arms": ("left_arm", "right_arm"),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    clinician_label: str


@dataclass(frozen=True)
class Question:
    id: str
    page: str
    type: Literal["choice", "multi", "integer"]
    text: str
    clinician_text: str
    hint: str
    options: tuple[Option, ...] = ()
    exclusive: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    dont_know: bool = False
    optional: bool = False
    audience: Literal["all", "clinician"] = "all"
    ask_when: Condition | None = None  # asked only when this holds (None: always asked)
    error: str = ""  # the message when it is not answered, in the patient's words
    clinician_error: str = ""  # the same in the clinician's words
    range_error: str = ""  # a number out of range or not a number; may hold %(min)s, %(max)s

    def __repr__(self) -> str:
        return f"Question({self.id!r}, {self.type})"

    @cached_property  # read on every answer check: computed once per loaded rule set
    def values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    clinician_title: str
    hint: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    question: str
    op: str
    value: str | int | tuple[str, ...] | None
    param: str | None = None


@dataclass(frozen=True)
class Condition:
    mode: Literal["any", "all"]
    clauses: tuple[Clause, ...]

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.question for c in self.clauses))


@dataclass(frozen=True)
class Contradiction:
    """Two answers that cannot both be true; the answers are refused naming both."""

    id: str
    when: Condition
    text: str


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    citation: str
    doi: str
    url: str
    note: str

    def __repr__(self) -> str:
        return f"Source({self.id!r})"


@dataclass(frozen=True)
class Indication:
    id: str
    kind: Literal["condition", "goal", "benefit"]
    region: str
    label: str
    clinician_label: str
    brief: str
    grade: str
    evidence: str
    honesty: str
    sources: tuple[str, ...]
    when: Condition | None = None
    limbs: tuple[str, ...] = ()  # limb answers a person may choose with it
    grade_limbs: tuple[str, ...] = ()  # limb answers `grade` covers (the trials' populations)
    other_grade: str = ""  # the grade for every other limb in `limbs`
    limb_groups: tuple[str, ...] = ()  # the groups `grade_limbs` came from, to name them

    def __repr__(self) -> str:
        return f"Indication({self.id!r}, {self.grade})"

    def grade_for(self, limb: str) -> str:
        """Return the grade for a limb answer: the trials' grade only where they were done."""
        return self.grade if limb in self.grade_limbs else self.other_grade


@dataclass(frozen=True)
class Barrier:
    id: str
    text: str
    patient_text: str
    when: Condition
    details: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Barrier({self.id!r})"


@dataclass(frozen=True)
class SafetyItem:
    id: str
    tier: str
    text: str
    patient_text: str
    action: str
    sources: tuple[str, ...]
    clot_points: int = 0
    when: Condition | None = None
    limbs_from: str | None = None
    patient_action: str = ""
    policy_choice: bool = False  # no source: shown to clinicians as this project's choice
    urgent: bool = False  # met makes the result urgent (README §2)
    urgent_if_unknown_when: Condition | None = None  # unknown is urgent too when this holds
    unless: Condition | None = None  # not met when this surely holds (e.g. the clearance range)

    def __repr__(self) -> str:
        return f"SafetyItem({self.id!r}, {self.tier})"


@dataclass(frozen=True)
class VerdictRow:
    id: str
    verdict: str
    when: tuple[tuple[str, tuple[str, ...]], ...]
    text: str
    patient_text: str = ""


@dataclass(frozen=True)
class Notice:
    """A line a result adds beside its reasons (README §2): "valid on its day only", the
    numbness line, the post-operative swelling safety net, the under-18 note."""

    id: str
    text: str
    patient_text: str
    sources: tuple[str, ...]
    when: Condition | None = None  # None: on every result
    verdicts: tuple[str, ...] = ()  # only with these verdicts (empty: any)
    policy_choice: bool = False


@dataclass(frozen=True)
class Wording:
    clinician: str
    patient: str
    next_step_clinician: str
    next_step_patient: str


@dataclass(frozen=True)
class PolicyParameter:
    id: str
    value: int
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    ruleset_version: str
    first_line_grades: tuple[str, ...]
    rows: tuple[VerdictRow, ...]
    fallback: str
    fallback_text: str
    local_unknown_is_trained_limb: bool
    parameters: dict[str, PolicyParameter] = field(hash=False)
    wording: dict[str, Wording] = field(hash=False)
    fallback_patient_text: str = ""
    notices: tuple[Notice, ...] = ()

    @cached_property  # read for every decision written out
    def rows_by_id(self) -> dict[str, VerdictRow]:
        return {r.id: r for r in self.rows}


@dataclass(frozen=True)
class Parameter:
    id: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set; build it with `load_ruleset`, never by hand."""

    questions: dict[str, Question] = field(hash=False)
    pages: tuple[Page, ...]
    indications: dict[str, Indication] = field(hash=False)
    barriers: tuple[Barrier, ...]
    items: tuple[SafetyItem, ...]
    policy: Policy
    parameters: tuple[Parameter, ...]
    sources: dict[str, Source] = field(hash=False)
    sha256: str
    files: tuple[str, ...]
    contradictions: tuple[Contradiction, ...] = ()

    def __repr__(self) -> str:
        return f"RuleSet({self.policy.ruleset_version}, {self.sha256[:12]})"

    @cached_property  # read by every evaluation
    def required(self) -> tuple[str, ...]:
        """Return the ids of the questions that are not optional, in catalogue order."""
        return tuple(q.id for q in self.questions.values() if not q.optional)

    @cached_property  # read for every decision written out
    def items_by_id(self) -> dict[str, SafetyItem]:
        return {i.id: i for i in self.items}

    @cached_property  # read by every `asked`
    def ask_conditions(self) -> tuple[tuple[str, Condition], ...]:
        """Return the questions asked only when a condition holds, in catalogue order."""
        return tuple((q.id, q.ask_when) for q in self.questions.values() if q.ask_when)

    @cached_property
    def constrained(self) -> frozenset[str]:
        """Return the questions whose values other answers can close (`open_values`)."""
        return frozenset(
            {"limb", *(q for rule in self.contradictions for q in rule.when.questions)}
        )

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every id a decision can name as fired: indications, barriers, items, verdict rows."""
        return (
            tuple(f"ind_{i}" for i in self.indications)
            + tuple(b.id for b in self.barriers)
            + tuple(i.id for i in self.items)
            + tuple(r.id for r in self.policy.rows)
        )


@dataclass(frozen=True)
class Answers:
    """Validated answers: question id to value. Absent ids were not answered."""

    values: dict[str, Value] = field(hash=False)

    def __repr__(self) -> str:
        return f"Answers({len(self.values)} answered)"

    def get(self, question: str) -> Value | None:
        return self.values.get(question)


@dataclass(frozen=True)
class Reason:
    """A rule that fired (or could not be ruled out), with the answers that made it fire."""

    rule: str
    kind: Literal["indication", "benefit", "barrier", "clearance", "local", "precaution", "policy"]
    state: State
    answers: tuple[tuple[str, Value | None], ...] = ()
    limbs: tuple[str, ...] = ()
    on_trained_limb: bool | None = None

    def __repr__(self) -> str:
        return f"Reason({self.rule!r}, {self.state})"


@dataclass(frozen=True)
class Provenance:
    app_version: str
    ruleset_version: str
    policy: str
    policy_version: str
    rules_sha256: str


@dataclass(frozen=True)
class Decision:
    """The one result of an assessment; every page, API and export renders this object."""

    verdict: str
    verdict_rule: str
    facts: tuple[tuple[str, str], ...]
    reasons: tuple[Reason, ...]
    indication: str | None
    trained_limbs: tuple[str, ...]
    clot_risk_points: int
    missing: tuple[str, ...]
    provenance: Provenance
    grade: str | None = None  # the indication's grade for the limb to be trained
    evidence_limbs: tuple[str, ...] = ()  # the limb groups the trials were done in
    urgent: bool = False
    blocked_limbs: tuple[str, ...] = ()  # trained limbs with a local item (or unknown)
    open_limbs: tuple[str, ...] = ()  # trained limbs without one
    notices: tuple[str, ...] = ()  # ids of the policy's notices this result carries

    def __repr__(self) -> str:
        return f"Decision({self.verdict}, via {self.verdict_rule})"

    def of_kind(self, kind: str) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.kind == kind)

    @property
    def fired(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)
