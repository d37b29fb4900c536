"""The Danish catalogue is complete, current with the sources, and safe to format."""

from __future__ import annotations

import gettext
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bfr_triage.engine import RuleSet
from bfr_triage.i18n_extract import rule_texts
from bfr_triage.paths import data_dir

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "da" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
FIX = (
    "Run `make translations`, then write the Danish for every new or empty entry in "
    "translations/da/LC_MESSAGES/messages.po and run `make translations` again."
)
# Placeholders this project formats: named ones, and the plain %s / %d.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale="da")


def _messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def _singular(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _extract_command(output: Path) -> list[str]:
    """Return the Makefile's own `pybabel extract` command, writing to `output` instead."""
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    args = shlex.split(line)[1:]
    args[args.index("-o") + 1] = str(output)
    return [sys.executable, "-m", "babel.messages.frontend", *args]


@pytest.fixture(scope="module")
def pot() -> Catalog:
    return _read(POT)


@pytest.fixture(scope="module")
def po() -> Catalog:
    return _read(PO)


def test_no_danish_entry_is_empty_or_fuzzy(po: Catalog) -> None:
    assert not po.fuzzy, "the Danish catalogue header is marked fuzzy: it would not be compiled"
    empty = [_singular(m) for m in _messages(po) if not all(_forms(m))]
    fuzzy = [_singular(m) for m in _messages(po) if m.fuzzy]
    assert not empty, f"{len(empty)} Danish entries are empty: {empty[:10]}. {FIX}"
    assert not fuzzy, f"{len(fuzzy)} Danish entries are fuzzy: {fuzzy[:10]}. {FIX}"
    plural = [m for m in _messages(po) if m.pluralizable]
    assert all(len(_forms(m)) == po.num_plurals for m in plural)


def test_pot_matches_the_sources(pot: Catalog, tmp_path: Path) -> None:
    fresh_pot = tmp_path / "messages.pot"
    done = subprocess.run(
        _extract_command(fresh_pot), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    fresh = {m.id for m in _messages(_read(fresh_pot))}
    committed = {m.id for m in _messages(pot)}
    new, gone = sorted(map(str, fresh - committed)), sorted(map(str, committed - fresh))
    assert not new and not gone, (
        f"translations/messages.pot is out of date: {len(new)} new strings {new[:10]}, "
        f"{len(gone)} strings no longer in the sources {gone[:10]}. {FIX}"
    )


def test_every_pot_entry_has_a_danish_entry(pot: Catalog, po: Catalog) -> None:
    template, danish = {m.id for m in _messages(pot)}, {m.id for m in _messages(po)}
    assert not template - danish, (
        f"missing in messages.po: {sorted(map(str, template - danish))[:10]}. {FIX}"
    )
    assert not danish - template, (
        f"stale in messages.po: {sorted(map(str, danish - template))[:10]}. {FIX}"
    )


def test_placeholders_are_kept(po: Catalog) -> None:
    wrong = []
    for message in _messages(po):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for form in _forms(message):
            # A literal % beside placeholders must be written %%, or formatting fails.
            stray = "%" in PLACEHOLDER.sub("", form).replace("%%", "") if wanted else False
            if sorted(PLACEHOLDER.findall(form)) != wanted or stray:
                wrong.append((ids[0], form))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_babel_finds_no_format_errors(po: Catalog) -> None:
    """Babel's own checks pass, as `pybabel compile` runs them (it exits 1 on any error).

    Babel reads a "%" before a space and a letter ("40 % of") as a placeholder; write such
    English as "40 % 1RM" or "40 percent" instead.
    """
    errors = [(_singular(m), str(e)) for m, errs in po.check() for e in errs]
    assert not errors, errors


def test_compiled_catalogue_is_current(po: Catalog) -> None:
    assert MO.exists(), "no compiled Danish catalogue: run `make compile-translations`"
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [
        m.id for m in _messages(po) if isinstance(m.id, str) and compiled.gettext(m.id) != m.string
    ]
    assert not stale, (
        f"messages.mo is older than messages.po: run `make compile-translations` ({stale[:5]})"
    )


def _model_texts(ruleset: RuleSet) -> set[str]:
    """Every English text the engine can hand to a page, taken from the loaded rule set."""
    texts: set[str] = set()
    for q in ruleset.questions.values():
        texts |= {q.text, q.clinician_text, q.hint}
        texts |= {t for o in q.options for t in (o.label, o.clinician_label)}
    for p in ruleset.pages:
        texts |= {p.title, p.clinician_title, p.hint}
    for i in ruleset.indications.values():
        texts |= {i.label, i.clinician_label, i.brief, i.evidence, i.honesty}
    for b in ruleset.barriers:
        texts |= {b.text, b.patient_text}
    for item in ruleset.items:
        texts |= {item.text, item.patient_text, item.action}
    policy = ruleset.policy
    texts |= {r.text for r in policy.rows} | {policy.fallback_text}
    texts |= {p.text for p in policy.parameters.values()} | {p.text for p in ruleset.parameters}
    for w in policy.wording.values():
        texts |= {w.clinician, w.patient, w.next_step_clinician, w.next_step_patient}
    texts |= {s.note for s in ruleset.sources.values()}
    return texts - {""}


def test_extractor_finds_every_rule_text(ruleset: RuleSet, pot: Catalog) -> None:
    rules = sorted(data_dir("rules").glob("*.toml"))
    extracted: set[str] = set()
    for path in rules:
        found = {text for text, _, _ in rule_texts(path.read_bytes(), path.name)}
        if path.name != "sources.toml" or any(s.note for s in ruleset.sources.values()):
            assert found, f"the extractor found no text in {path.name}"
        extracted |= found
    missed = _model_texts(ruleset) - extracted
    assert not missed, f"rule texts the extractor does not see: {sorted(missed)}"
    in_pot = {_singular(m) for m in _messages(pot)}
    assert extracted <= in_pot, f"not in messages.pot: {sorted(extracted - in_pot)[:10]}. {FIX}"


def test_extractor_names_the_rule_and_skips_references(ruleset: RuleSet, pot: Catalog) -> None:
    safety = data_dir("rules") / "safety.toml"
    found = {text: rule for text, rule, _ in rule_texts(safety.read_bytes(), "safety.toml")}
    clot = next(i for i in ruleset.items if i.id == "clear_prior_clot")
    assert found[clot.patient_text] == "clear_prior_clot.patient_text"
    assert found[clot.action] == "clear_prior_clot.action"
    comments = {_singular(m): " ".join(m.auto_comments) for m in _messages(pot)}
    assert "safety.toml clear_prior_clot.patient_text (patient)" in comments[clot.patient_text]
    citations = {s.citation for s in ruleset.sources.values()} | set(ruleset.sources)
    assert not citations & set(comments), "source citations and ids are references, not text"


# Interface words of Det Fælles Designsystem (DKFDS), which Danish public self-service uses.
DKFDS = {
    "Check your answers": "Tjek dine svar",
    "Change": "Rediger",
    "Continue": "Næste",
    "Back": "Tilbage",
    "There is a problem": "Der er problemer",
    "Error:": "Fejl:",
    "Print": "Udskriv",
    "I don't know": "Ved ikke",
    "None of these": "Ingen af disse",
    "Start again": "Start forfra",
}


def test_interface_words_follow_dkfds(po: Catalog) -> None:
    danish = {m.id: m.string for m in _messages(po)}
    assert {k: danish.get(k) for k in DKFDS} == DKFDS


def test_danish_avoids_the_glossary_pitfalls(po: Catalog) -> None:
    """A blodprop always says where it is; "gigt" never stands alone (glossary-da.md)."""
    where = re.compile(r"blodprop\w* i |venetrombose|lungeemboli|tromboemboli")
    strings = [s for m in _messages(po) for s in _forms(m)]
    unplaced = [s for s in strings if "blodprop" in s.lower() and not where.search(s.lower())]
    assert not unplaced, f"say where the clot is (i benet, i lungen, i hjertet): {unplaced}"
    bare = [s for s in strings if re.search(r"(?<![a-zæøå-])gigt\b", s.lower())]
    assert not bare, f"write slidgigt or leddegigt, never bare gigt: {bare}"


def test_danish_quotes_are_guillemets(po: Catalog) -> None:
    """Danish quotes with » «, never with the English “ ” (review/danish.md, point 40)."""
    english = [s for m in _messages(po) for s in _forms(m) if re.search("[“”]", s)]
    assert not english, english


def test_one_danish_word_for_a_website_and_for_the_person_who_treats(po: Catalog) -> None:
    """hjemmeside, not websted, webside or site; fysioterapeut eller læge, not kliniker."""
    mixed = re.compile(r"\b(websted\w*|webside\w*|site\w*|kliniker\w*)\b", re.IGNORECASE)
    found = [s for m in _messages(po) for s in _forms(m) if mixed.search(s)]
    assert not found, found
