"""Babel extractor: the user-visible English strings of rules/*.toml, for the Danish catalogue."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from pathlib import PurePath
from typing import IO, Any

# Keys whose string value a user can read. Ids, values, operators, grades, tiers and source
# citations, DOIs and URLs are left out: they are codes or references, shown as they are.
TEXT_KEYS = frozenset(
    {
        "text", "clinician_text", "patient_text", "hint", "label", "clinician_label", "title",
        "clinician_title", "brief", "evidence", "honesty", "action", "fallback_text", "note",
        "clinician", "patient", "next_step_clinician", "next_step_patient", "patient_action",
        "fallback_patient_text",
    }
)  # fmt: skip
PATIENT_KEYS = frozenset(
    {"label", "title", "patient_text", "patient", "next_step_patient", "patient_action",
     "fallback_patient_text"}
)  # fmt: skip
CLINICIAN_KEYS = frozenset(
    {"clinician_text", "clinician_label", "clinician_title", "clinician", "next_step_clinician",
     "action", "note"}
)  # fmt: skip

Extracted = tuple[int, None, str, list[str]]


def _register(file: str, key: str, table: Mapping[str, Any]) -> str:
    """Say who reads the string, so the translator picks patient or clinical Danish."""
    if key in PATIENT_KEYS:
        return "patient"
    if key in CLINICIAN_KEYS:
        return "clinician"
    if key in ("text", "hint"):
        asked_of_all = file == "questions.toml" and table.get("audience") != "clinician"
        return "patient" if asked_of_all else "clinician"
    return "patient and clinician"


def _walk(node: object, rule: str, file: str) -> Iterator[tuple[str, str, str]]:
    """Yield (text, rule, register) for every text value below `node`."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, rule, file)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("id"), str):
        rule = node["id"]
    elif isinstance(node.get("value"), str) and "label" in node:
        rule = f"{rule}, option {node['value']}"
    for key, value in node.items():
        if isinstance(value, str):
            if key in TEXT_KEYS and value.strip():
                yield value, f"{rule}.{key}", _register(file, key, node)
        elif isinstance(value, dict | list):
            yield from _walk(value, f"{rule}.{key}" if rule else key, file)


def rule_texts(source: bytes, file: str) -> Iterator[tuple[str, str, str]]:
    """Yield (text, rule.key, register) for every user-visible string of one rule file."""
    yield from _walk(tomllib.loads(source.decode("utf-8")), "", file)


def extract_rules(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Yield Babel messages for one rules/*.toml file, each with a comment naming its rule."""
    source = fileobj.read()
    file = PurePath(str(getattr(fileobj, "name", ""))).name
    lines = source.decode("utf-8").splitlines()
    for text, rule, register in rule_texts(source, file):
        quoted = f'"{text}"'
        lineno = next((n for n, line in enumerate(lines, 1) if quoted in line), 0)
        yield lineno, None, text, [f"{file} {rule} ({register})"]
