"""The vocabulary of a rule set: its sources, and its questions with their options and pages."""

from __future__ import annotations

from .load_toml import Checker, Table, did_you_mean, str_of, strs
from .model import Option, Page, Question, Source


def sources(data: Table, check: Checker) -> dict[str, Source]:
    file = "sources.toml"
    sources: dict[str, Source] = {}
    for raw in data.get("source", []):
        sid = str_of(raw, "id", "?")
        check.unique(file, sid)
        if not check.keys(file, sid, raw, {"id", "kind", "citation", "doi"}, {"url", "note"}):
            continue
        if raw["kind"] not in ("peer_reviewed", "registry", "grey"):
            check.add(file, sid, f"unknown kind {raw['kind']!r}")
        if not raw["doi"] and not raw.get("note") and raw["kind"] == "peer_reviewed":
            check.add(file, sid, "a peer-reviewed source without a DOI needs a note saying why")
        sources[sid] = Source(
            sid, raw["kind"], raw["citation"], raw["doi"], str_of(raw, "url"), str_of(raw, "note")
        )
    return sources


def _option(raw: Table) -> Option:
    label = str_of(raw, "label")
    return Option(str_of(raw, "value"), label, str_of(raw, "clinician_label", label))


def questions(
    data: Table, indications: list[Table], check: Checker
) -> tuple[dict[str, Question], tuple[Page, ...]]:
    file = "questions.toml"
    sets = data.get("option_sets", {})
    questions: dict[str, Question] = {}
    by_page: dict[str, list[str]] = {}
    for raw in data.get("question", []):
        qid = str_of(raw, "id", "?")
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
            "ask_when",
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
                check.add(file, qid, f"unknown option set {spec!r}{did_you_mean(spec, sets)}")
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
                f"unknown type {qtype!r}{did_you_mean(qtype, ['choice', 'multi', 'integer'])}",
            )
        if len(set(values)) != len(values):
            check.add(file, qid, "duplicate option values")
        exclusive = strs(raw.get("exclusive", []))
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
            clinician_text=str_of(raw, "clinician_text", raw["text"]),
            hint=str_of(raw, "hint"),
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
        pid = str_of(raw, "id", "?")
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
                str_of(raw, "clinician_title", title),
                str_of(raw, "hint"),
                tuple(by_page.get(pid, ())),
            )
        )
    for pid in by_page.keys() - {p.id for p in pages}:
        check.add(file, pid, f"questions name page {pid!r}, which is not defined")
    return questions, tuple(pages)
