"""One Danish term per concept, plain words for patients (../shared/clinical/glossary-da.md).

Read from the catalogue, so it covers every page, the API and the note at once. A message counts
as the patient's when every place it comes from in rules/ is marked "(patient)"; the rest may
be read by clinicians and keep their clinical terms.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[1] / "translations" / "da" / "LC_MESSAGES" / "messages.po"

# A patient never reads these (the guide's list and the glossary's clinician-only words).
JARGON = re.compile(
    r"\bLOP\b|\b1 ?RM\b|\bDVT\b|tromboemboli|kontraindi|screen|ekstremitet|evidens|"
    r"manchettryk|okklusionstryk|immobili|førstevalg|\bgigt",
    re.IGNORECASE,
)
# Glossary: a clot is always named with where it is (a clot in the heart is a heart attack).
CLOT_WITHOUT_PLACE = re.compile(r"blodprop\w*(?! i )(?!\w)")
# One name for the method and one for the profession; Danish quotes are » «.
OTHER_TERMS = re.compile(r"BFR-træning|kliniker|terapeut(?<!fysioterapeut)|[“”„\"]", re.IGNORECASE)


def _danish() -> list[tuple[str, bool]]:
    """Return each Danish text and whether only patients read it."""
    with PO.open("rb") as f:
        catalog = read_po(f, locale="da")
    out = []
    for m in catalog:
        if not m.id:
            continue
        places = re.findall(
            r"\((patient and clinician|patient|clinician)\)", " ".join(m.auto_comments)
        )
        patient_only = bool(places) and set(places) == {"patient"}
        for text in m.string if isinstance(m.string, tuple) else (m.string,):
            out.append((text, patient_only))
    return out


def test_patients_read_plain_danish() -> None:
    found = [t for t, patient in _danish() if patient and JARGON.search(t)]
    assert not found, f"clinical words in patient texts: {found}"


def test_a_patients_clot_always_says_where() -> None:
    found = [t for t, patient in _danish() if patient and CLOT_WITHOUT_PLACE.search(t)]
    assert not found, f"'blodprop' without a place (i benet, i lungen …): {found}"


def test_one_term_per_concept_and_danish_quotes() -> None:
    found = [t for t, _ in _danish() if OTHER_TERMS.search(t)]
    assert not found, f"use okklusionstræning (BFR), fysioterapeut and » «: {found}"


def test_the_rules_catch_what_they_say() -> None:
    assert JARGON.search("40–50 % af LOP") and JARGON.search("et gigtanfald")
    assert not JARGON.search("slidgigt eller leddegigt")
    assert CLOT_WITHOUT_PLACE.search("tegn på blodprop.")
    assert not CLOT_WITHOUT_PLACE.search("tegn på blodprop i benet eller armen")
    assert OTHER_TERMS.search("Er BFR-træning en mulighed?") and OTHER_TERMS.search("“Ved ikke”")
    assert not OTHER_TERMS.search("Spørg din fysioterapeut om okklusionstræning (BFR), »Ved ikke«")
