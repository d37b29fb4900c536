"""Load a rule set from TOML files and validate all of it before anyone can use it."""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from pathlib import Path
from typing import Any

from .errors import Problem, RuleSetError
from .model import (
    GRADES,
    LIMBS,
    TIERS,
    VERDICTS,
    Barrier,
    Clause,
    Condition,
    Indication,
    Option,
    Page,
    Parameter,
    Policy,
    PolicyParameter,
    Question,
    RuleSet,
    SafetyItem,
    Source,
    VerdictRow,
    Wording,
)
from .operators import OPERATORS

FILES = (
    "questions.toml",
    "indications.toml",
    "barriers.toml",
    "safety.toml",
    "policy.toml",
    "parameters.toml",
    "sources.toml",
)
FACTS = {
    "clearance": ("hit", "unknown", "clear"),
    "indication": ("graded", "ungraded", "none", "unknown"),
    "barrier": ("yes", "unknown", "no"),
    "local_on_trained": ("yes", "unknown", "no"),
}
Table = dict[str, Any]


def _did_you_mean(word: str, choices: object) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1)  # type: ignore[attr-defined]
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Collect problems while building the rule set, so that one run reports all of them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}

    def add(self, file: str, rule: str, message: str) -> None:
        self.problems.append(Problem(file, rule, message))

    def keys(
        self, file: str, rule: str, table: Table, required: set[str], allowed: set[str]
    ) -> bool:
        ok = True
        for key in sorted(required - table.keys()):
            self.add(file, rule, f"missing field {key!r}")
            ok = False
        for key in sorted(table.keys() - required - allowed):
            self.add(file, rule, f"unknown field {key!r}{_did_you_mean(key, required | allowed)}")
        return ok

    def unique(self, file: str, rule: str) -> None:
        if rule in self.ids:
            self.add(file, rule, f"duplicate id (also in {self.ids[rule]})")
        else:
            self.ids[rule] = file


def _str(table: Table, key: str, default: str = "") -> str:
    value = table.get(key, default)
    return value if isinstance(value, str) else default


def _strs(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()


def _read(directory: Path, check: _Checker) -> dict[str, Table]:
    data: dict[str, Table] = {}
    for name in FILES:
        path = directory / name
        try:
            with path.open("rb") as f:
                data[name] = tomllib.load(f)
        except FileNotFoundError:
            check.add(name, "-", "file missing")
        except tomllib.TOMLDecodeError as error:
            check.add(name, "-", f"not valid TOML: {error}")
    return data


def _sources(data: Table, check: _Checker) -> dict[str, Source]:
    file = "sources.toml"
    sources: dict[str, Source] = {}
    for raw in data.get("source", []):
        sid = _str(raw, "id", "?")
        check.unique(file, sid)
        if not check.keys(file, sid, raw, {"id", "kind", "citation", "doi"}, {"url", "note"}):
            continue
        if raw["kind"] not in ("peer_reviewed", "registry", "grey"):
            check.add(file, sid, f"unknown kind {raw['kind']!r}")
        if not raw["doi"] and not raw.get("note") and raw["kind"] == "peer_reviewed":
            check.add(file, sid, "a peer-reviewed source without a DOI needs a note saying why")
        sources[sid] = Source(
            sid, raw["kind"], raw["citation"], raw["doi"], _str(raw, "url"), _str(raw, "note")
        )
    return sources


def _option(raw: Table) -> Option:
    label = _str(raw, "label")
    return Option(_str(raw, "value"), label, _str(raw, "clinician_label", label))


def _questions(
    data: Table, indications: list[Table], check: _Checker
) -> tuple[dict[str, Question], tuple[Page, ...]]:
    file = "questions.toml"
    sets = data.get("option_sets", {})
    questions: dict[str, Question] = {}
    by_page: dict[str, list[str]] = {}
    for raw in data.get("question", []):
        qid = _str(raw, "id", "?")
        check.unique(file, qid)
        allowed = {
            "hint",
            "clinician_text",
            "options",
            "options_from",
            "exclusive",
            "min",
            "max",
            "dont_know",
            "optional",
            "audience",
        }
        if not check.keys(file, qid, raw, {"id", "page", "type", "text"}, allowed):
            continue
        qtype = raw["type"]
        options: list[Option] = []
        if raw.get("options_from") == "indications":
            options += [
                Option(
                    i["id"],
                    str(i.get("label", "")),
                    str(i.get("clinician_label", i.get("label", ""))),
                )
                for i in indications
                if i.get("kind") in ("condition", "goal")
            ]
        elif "options_from" in raw:
            check.add(file, qid, f"unknown options_from {raw['options_from']!r}")
        spec = raw.get("options", [])
        if isinstance(spec, str):
            if spec not in sets:
                check.add(file, qid, f"unknown option set {spec!r}{_did_you_mean(spec, sets)}")
            spec = sets.get(spec, [])
        options += [_option(o) for o in spec]
        values = [o.value for o in options]
        if qtype in ("choice", "multi") and not options:
            check.add(file, qid, f"a {qtype} question needs options")
        elif qtype == "integer":
            if not (isinstance(raw.get("min"), int) and isinstance(raw.get("max"), int)):
                check.add(file, qid, "an integer question needs whole-number min and max")
            elif raw["min"] >= raw["max"]:
                check.add(file, qid, "min must be below max")
        elif qtype not in ("choice", "multi"):
            check.add(
                file,
                qid,
                f"unknown type {qtype!r}{_did_you_mean(qtype, ['choice', 'multi', 'integer'])}",
            )
        if len(set(values)) != len(values):
            check.add(file, qid, "duplicate option values")
        exclusive = _strs(raw.get("exclusive", []))
        for value in exclusive:
            if value not in values:
                check.add(file, qid, f"exclusive value {value!r} is not an option")
        audience = raw.get("audience", "all")
        if audience not in ("all", "clinician"):
            check.add(file, qid, f"unknown audience {audience!r}")
        if audience == "clinician" and not raw.get("optional"):
            check.add(file, qid, "a clinician-only question must be optional")
        questions[qid] = Question(
            id=qid,
            page=raw["page"],
            type=qtype,
            text=raw["text"],
            clinician_text=_str(raw, "clinician_text", raw["text"]),
            hint=_str(raw, "hint"),
            options=tuple(options),
            exclusive=exclusive,
            min=raw.get("min"),
            max=raw.get("max"),
            dont_know=bool(raw.get("dont_know", False)),
            optional=bool(raw.get("optional", False)),
            audience=audience,
        )
        by_page.setdefault(raw["page"], []).append(qid)
    pages = []
    for raw in data.get("page", []):
        pid = _str(raw, "id", "?")
        check.unique(file, f"page:{pid}")
        if not check.keys(file, pid, raw, {"id", "title"}, {"clinician_title", "hint"}):
            continue
        if pid not in by_page:
            check.add(file, pid, "page has no questions")
        title = raw["title"]
        pages.append(
            Page(
                pid,
                title,
                _str(raw, "clinician_title", title),
                _str(raw, "hint"),
                tuple(by_page.get(pid, ())),
            )
        )
    for pid in by_page.keys() - {p.id for p in pages}:
        check.add(file, pid, f"questions name page {pid!r}, which is not defined")
    return questions, tuple(pages)


class _Context:
    def __init__(
        self,
        check: _Checker,
        questions: dict[str, Question],
        sources: dict[str, Source],
        params: set[str],
    ) -> None:
        self.check, self.questions, self.sources, self.params = check, questions, sources, params

    def condition(self, file: str, rule: str, raw: object) -> Condition | None:
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("any", "all"):
            self.check.add(file, rule, "`when` needs exactly one of `any` or `all`")
            return None
        mode, items = next(iter(raw.items()))
        if not isinstance(items, list) or not items:
            self.check.add(file, rule, f"empty condition group `when.{mode}`")
            return None
        clauses = [self.clause(file, rule, c) for c in items]
        if any(c is None for c in clauses):
            return None
        return Condition(mode, tuple(c for c in clauses if c is not None))

    def clause(self, file: str, rule: str, raw: Table) -> Clause | None:
        check = self.check
        if not check.keys(file, rule, raw, {"q", "op"}, {"value", "param"}):
            return None
        qid, op = raw["q"], raw["op"]
        question = self.questions.get(qid)
        if question is None:
            check.add(file, rule, f"unknown question {qid!r}{_did_you_mean(qid, self.questions)}")
            return None
        if op not in OPERATORS:
            check.add(file, rule, f"unknown operator {op!r}{_did_you_mean(op, OPERATORS)}")
            return None
        _, types, kind = OPERATORS[op]
        if question.type not in types:
            check.add(
                file, rule, f"operator {op!r} does not apply to {question.type} question {qid!r}"
            )
            return None
        if ("value" in raw) == ("param" in raw):
            check.add(file, rule, "a clause needs exactly one of `value` or `param`")
            return None
        if "param" in raw:
            if kind != "integer" or raw["param"] not in self.params:
                near = _did_you_mean(raw["param"], self.params)
                check.add(file, rule, f"unknown policy parameter {raw['param']!r}{near}")
                return None
            return Clause(qid, op, None, raw["param"])
        value = raw["value"]
        if kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                check.add(file, rule, f"operator {op!r} needs a whole number, not {value!r}")
                return None
            return Clause(qid, op, value)
        wanted = [value] if kind == "option" else value
        if (
            not isinstance(wanted, list)
            or not wanted
            or not all(isinstance(v, str) for v in wanted)
        ):
            check.add(
                file,
                rule,
                f"operator {op!r} needs {'an option' if kind == 'option' else 'a list of options'}",
            )
            return None
        for v in wanted:
            if v not in question.values or v == "dont_know":
                check.add(
                    file,
                    rule,
                    f"{v!r} is not an option of {qid!r}{_did_you_mean(v, question.values)}",
                )
                return None
        return Clause(qid, op, value if kind == "option" else tuple(value))

    def sources_of(self, file: str, rule: str, raw: object, required: bool) -> tuple[str, ...]:
        ids = _strs(raw)
        if raw is not None and not isinstance(raw, list):
            self.check.add(file, rule, "`sources` must be a list of source ids")
        if required and not ids:
            self.check.add(file, rule, "missing source: every rule needs at least one source")
        for sid in ids:
            if sid not in self.sources:
                self.check.add(
                    file, rule, f"unknown source {sid!r}{_did_you_mean(sid, self.sources)}"
                )
        return ids


def _indications(data: list[Table], ctx: _Context) -> dict[str, Indication]:
    file, check = "indications.toml", ctx.check
    out: dict[str, Indication] = {}
    for raw in data:
        iid = _str(raw, "id", "?")
        check.unique(file, iid)
        required = {"id", "kind", "region", "label", "brief", "grade", "sources"}
        allowed = {"clinician_label", "evidence", "honesty", "when"}
        if not check.keys(file, iid, raw, required, allowed):
            continue
        if raw["kind"] not in ("condition", "goal", "benefit"):
            check.add(file, iid, f"unknown kind {raw['kind']!r}")
        if raw["grade"] not in GRADES:
            check.add(
                file, iid, f"unknown grade {raw['grade']!r}{_did_you_mean(raw['grade'], GRADES)}"
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
            _str(raw, "clinician_label", raw["label"]),
            raw["brief"],
            raw["grade"],
            _str(raw, "evidence"),
            _str(raw, "honesty"),
            sources,
            when,
        )
    return out


def _barriers(data: list[Table], ctx: _Context) -> tuple[Barrier, ...]:
    file, check = "barriers.toml", ctx.check
    out = []
    for raw in data:
        bid = _str(raw, "id", "?")
        check.unique(file, bid)
        if not check.keys(
            file, bid, raw, {"id", "text", "patient_text", "when"}, {"details", "sources"}
        ):
            continue
        when = ctx.condition(file, bid, raw["when"])
        details = _strs(raw.get("details", []))
        for qid in details:
            if qid not in ctx.questions:
                check.add(
                    file,
                    bid,
                    f"unknown question {qid!r} in details{_did_you_mean(qid, ctx.questions)}",
                )
        sources = ctx.sources_of(file, bid, raw.get("sources"), required=False)
        if when is not None:
            out.append(Barrier(bid, raw["text"], raw["patient_text"], when, details, sources))
    return tuple(out)


def _items(data: list[Table], ctx: _Context) -> tuple[SafetyItem, ...]:
    file, check = "safety.toml", ctx.check
    out = []
    for raw in data:
        sid = _str(raw, "id", "?")
        check.unique(file, sid)
        required = {"id", "tier", "text", "patient_text", "action", "sources"}
        if not check.keys(file, sid, raw, required, {"when", "limbs_from", "clot_points"}):
            continue
        tier = raw["tier"]
        if tier not in TIERS:
            check.add(file, sid, f"unknown tier {tier!r}{_did_you_mean(tier, TIERS)}")
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


def _policy(data: Table, ctx: _Context) -> Policy | None:
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
    }
    if not check.keys(file, _str(data, "id", "policy"), data, required, set()):
        return None
    if data["hit_policy"] != "first":
        check.add(file, data["id"], f"unknown hit policy {data['hit_policy']!r} (only 'first')")
    for grade in data["first_line_grades"]:
        if grade not in GRADES:
            check.add(file, data["id"], f"unknown grade {grade!r} in first_line_grades")
    rows = []
    for raw in data["verdict"]:
        rid = _str(raw, "id", "?")
        check.unique(file, rid)
        if not check.keys(file, rid, raw, {"id", "verdict", "when", "text"}, set()):
            continue
        if raw["verdict"] not in VERDICTS:
            check.add(
                file,
                rid,
                f"unknown verdict {raw['verdict']!r}{_did_you_mean(raw['verdict'], VERDICTS)}",
            )
        when = []
        for fact, values in raw["when"].items():
            if fact not in FACTS:
                check.add(file, rid, f"unknown fact {fact!r}{_did_you_mean(fact, FACTS)}")
                continue
            for value in _strs(values) or [repr(values)]:
                if value not in FACTS[fact]:
                    check.add(file, rid, f"unknown value {value!r} for fact {fact!r}")
            when.append((fact, _strs(values)))
        rows.append(VerdictRow(rid, raw["verdict"], tuple(when), raw["text"]))
    if data["fallback"] not in VERDICTS:
        check.add(file, data["id"], f"unknown fallback verdict {data['fallback']!r}")
    for verdict in VERDICTS:
        if verdict not in {r.verdict for r in rows}:
            check.add(file, data["id"], f"no row yields verdict {verdict!r}")
    wording = {}
    for verdict in VERDICTS:
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
    )


def _parameters(data: list[Table], ctx: _Context) -> tuple[Parameter, ...]:
    file, out = "parameters.toml", []
    for raw in data:
        pid = _str(raw, "id", "?")
        ctx.check.unique(file, pid)
        if ctx.check.keys(file, pid, raw, {"id", "text", "sources"}, set()):
            sources = ctx.sources_of(file, pid, raw["sources"], required=True)
            out.append(Parameter(pid, raw["text"], sources))
    return tuple(out)


def _digest(directory: Path) -> str:
    sha = hashlib.sha256()
    for name in FILES:
        sha.update(name.encode() + b"\0" + (directory / name).read_bytes() + b"\0")
    return sha.hexdigest()


def load_ruleset(directory: str | Path) -> RuleSet:
    """Load and validate the rule set in `directory`; raise RuleSetError listing every problem."""
    directory = Path(directory)
    check = _Checker()
    data = _read(directory, check)
    if check.problems:
        raise RuleSetError(check.problems)
    sources = _sources(data["sources.toml"], check)
    indications_raw = data["indications.toml"].get("indication", [])
    questions, pages = _questions(data["questions.toml"], indications_raw, check)
    params = set(data["policy.toml"].get("parameters", {}))
    ctx = _Context(check, questions, sources, params)
    indications = _indications(indications_raw, ctx)
    barriers = _barriers(data["barriers.toml"].get("barrier", []), ctx)
    items = _items(data["safety.toml"].get("item", []), ctx)
    policy = _policy(data["policy.toml"], ctx)
    parameters = _parameters(data["parameters.toml"].get("parameter", []), ctx)
    for qid in ("condition", "limb"):  # the engine reads these two by name
        if qid not in questions:
            check.add("questions.toml", qid, "the engine needs this question")
    if check.problems or policy is None:
        raise RuleSetError(check.problems)
    return RuleSet(
        questions,
        pages,
        indications,
        barriers,
        items,
        policy,
        parameters,
        sources,
        _digest(directory),
        FILES,
    )
