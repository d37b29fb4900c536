"""Conditions (`when` tables) and source lists: checked against the questions, operators and
sources of the rule set being loaded."""

from __future__ import annotations

from dataclasses import replace

from .load_toml import Checker, Table, did_you_mean, strs
from .model import Clause, Condition, Contradiction, Question, Source
from .operators import OPERATORS


class Context:
    def __init__(
        self,
        check: Checker,
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
            check.add(file, rule, f"unknown question {qid!r}{did_you_mean(qid, self.questions)}")
            return None
        if op not in OPERATORS:
            check.add(file, rule, f"unknown operator {op!r}{did_you_mean(op, OPERATORS)}")
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
                near = did_you_mean(raw["param"], self.params)
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
                    f"{v!r} is not an option of {qid!r}{did_you_mean(v, question.values)}",
                )
                return None
        return Clause(qid, op, value if kind == "option" else tuple(value))

    def sources_of(self, file: str, rule: str, raw: object, required: bool) -> tuple[str, ...]:
        ids = strs(raw)
        if raw is not None and not isinstance(raw, list):
            self.check.add(file, rule, "`sources` must be a list of source ids")
        if required and not ids:
            self.check.add(file, rule, "missing source: every rule needs at least one source")
        for sid in ids:
            if sid not in self.sources:
                self.check.add(
                    file, rule, f"unknown source {sid!r}{did_you_mean(sid, self.sources)}"
                )
        return ids


def ask_conditions(data: Table, ctx: Context) -> dict[str, Question]:
    """Return the questions with their `ask_when`: each may test only questions asked before it."""
    file, order = "questions.toml", list(ctx.questions)
    out = dict(ctx.questions)
    for raw in data.get("question", []):
        qid = raw.get("id")
        if "ask_when" not in raw or qid not in out:
            continue
        condition = ctx.condition(file, qid, raw["ask_when"])
        if condition is None:
            continue
        later = [q for q in condition.questions if order.index(q) >= order.index(qid)]
        if later:
            ctx.check.add(file, qid, f"ask_when tests {later[0]!r}, which is not asked before it")
        out[qid] = replace(out[qid], ask_when=condition)
    return out


def contradictions(data: Table, ctx: Context) -> tuple[Contradiction, ...]:
    """Return the answer pairs the rule set refuses as contradictions (`[[contradiction]]`)."""
    file, out = "questions.toml", []
    for raw in data.get("contradiction", []):
        cid = raw.get("id", "?") if isinstance(raw.get("id"), str) else "?"
        ctx.check.unique(file, cid)
        if not ctx.check.keys(file, cid, raw, {"id", "when", "text"}, set()):
            continue
        condition = ctx.condition(file, cid, raw["when"])
        if condition is not None:
            if condition.mode != "all" or len(condition.questions) != 2:
                ctx.check.add(file, cid, "a contradiction is `when.all` over two questions")
            out.append(Contradiction(cid, condition, raw["text"]))
    return tuple(out)
