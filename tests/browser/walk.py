"""Walk the questionnaire by keyboard, finding every control by the words a person reads.

Labels come from rules/questions.toml in the audience's wording and, for Danish, through the
project's own catalogue: the walk reads the page the way a screen-reader or keyboard user does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from babel.support import NullTranslations, Translations

from bfr_triage.engine import Question, RuleSet
from bfr_triage.paths import data_dir
from bfr_triage.records.labels import PATIENT_REGIONS
from bfr_triage.web import limbitems

from .keyboard import is_focused, tab_to
from .tab import Tab

# A person with knee osteoarthritis and nothing in the way: the engine says first_line.
PATIENT_ANSWERS: dict[str, Any] = {
    "condition": "knee_osteoarthritis",
    "limb": "right_leg",
    "weight_bearing": "fwb",
    "load_restriction": "no",
    "immobilised": "no",
    "surgery": "none",
    "pain_heavy": 6,
    "cannot_train_heavy": "no",
    **dict.fromkeys(
        ("prior_clot", "clot_signs", "clotting_disorder", "cancer", "leg_paralysis", "high_bp"),
        "no",
    ),
    **dict.fromkeys(
        ("heart_disease", "poor_circulation", "pregnancy", "sickle_cell", "acute_illness"), "no"
    ),
    **dict.fromkeys(
        ("wound_limbs", "infection_limbs", "lymph_limbs", "fistula_limbs", "swelling_limbs"),
        ["none"],
    ),
    "numbness_limbs": ["none"],
    "flare_limbs": ["none"],
    "cuff_site_fracture_limbs": ["none"],
    "bed_rest": "no",
    "age_60": "no",
    "icu_recent": "no",
    "blood_thinners": "no",
    "risk_factors": ["none"],
}
# The clinician adds the optional precision the patient view does not ask for.
CLINICIAN_ANSWERS: dict[str, Any] = {**PATIENT_ANSWERS, "bp_systolic": 132, "bp_diastolic": 84}


@cache
def translations(lang: str) -> NullTranslations:
    """Return the app's own catalogue for `lang` (English is the source: no catalogue)."""
    if lang == "en":
        return NullTranslations()
    found = Translations.load(str(data_dir("translations")), [lang])
    assert isinstance(found, Translations), (
        f"no compiled {lang} catalogue: make compile-translations"
    )
    return found


@dataclass
class Walker:
    """A keyboard user with one language and one audience, in one tab."""

    tab: Tab
    origin: str
    ruleset: RuleSet
    lang: str = "en"
    audience: str = "patient"
    response: Any = None
    # A practised keyboard user takes "Skip to main content" on each page and sends a page with
    # Enter from its last answer; otherwise the walk tabs past the header and to Continue.
    practised: bool = True
    frame: Any = None  # the questionnaire in a clinic's frame, instead of the whole tab

    @property
    def page(self) -> Any:
        """Return where the questionnaire is: the tab's page, or the frame it is embedded in."""
        return self.frame or self.tab.page

    @property
    def keyboard(self) -> Any:
        return self.tab.page.keyboard  # keys go to the tab, whichever frame has focus

    def t(self, text: str) -> str:
        """Return `text` as the app's catalogue translates it."""
        return str(translations(self.lang).gettext(text))

    def html(self) -> str:
        """Return the HTML the server sent for the page on screen."""
        return str(self.response.text())

    def go(self, path: str) -> Any:
        """Open `path` with ?lang= (how a link from a clinic's site would arrive)."""
        join = "&" if "?" in path else "?"
        self.response = self.page.goto(f"{self.origin}{path}{join}lang={self.lang}")
        return self.response

    def press(self, key: str) -> None:
        """Press a key that leaves the page, and keep the new page's response."""
        with self.page.expect_navigation() as navigation:
            self.keyboard.press(key)
        self.response = navigation.value

    def activate(self, locator: Any) -> None:
        """Tab to a button or link and press Enter."""
        tab_to(self.tab.page, locator)
        self.press("Enter")

    def arrive(self) -> None:
        """On a new page, a practised user's first Tab finds the skip link, and Enter takes it."""
        if self.practised:
            self.keyboard.press("Tab")
            if is_focused(self.page.locator("a.skip")):
                self.keyboard.press("Enter")
                assert is_focused(self.page.locator("main")), "the skip link did not reach <main>"

    def send(self) -> None:
        """Send the page: Enter from the last answer (implicit submission), or Tab to Continue."""
        if self.practised:
            self.press("Enter")
        else:
            self.activate(self.button("Continue"))

    def button(self, english: str, about: str = "") -> Any:
        """Find a button by its words, and by the words it names off-screen (Change <what>)."""
        name = f"{self.t(english)} {about}" if about else self.t(english)
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, english: str) -> Any:
        return self.page.get_by_role("link", name=self.t(english), exact=True)

    def question_text(self, q: Question) -> str:
        return self.t(q.clinician_text if self.audience == "clinician" else q.text)

    def option_label(self, q: Question, value: str) -> str:
        if q.type == "integer":
            wording = "Unknown" if self.audience == "clinician" else "I don't know"
            return self.t(wording) if value == "dont_know" else str(value)
        option = next(o for o in q.options if o.value == value)
        return self.t(option.clinician_label if self.audience == "clinician" else option.label)

    def choose(self, group: Any, label: str) -> None:
        """Tab into a radio group, then arrow to `label` (Space if focus lands on it unchecked)."""
        radio = group.get_by_role("radio", name=label, exact=True).element_handle()
        tab_to(self.tab.page, group, inside=True)
        for _ in range(group.get_by_role("radio").count() + 1):
            if is_focused(radio):
                if not radio.is_checked():
                    self.keyboard.press("Space")
                break
            self.keyboard.press("ArrowDown")
        assert radio.is_checked() and is_focused(radio), f"could not choose {label!r}"

    def tick(self, group: Any, labels: list[str]) -> None:
        """Tab to each box and tick it with Space; untick any other ticked box."""
        boxes = group.locator("input[type=checkbox]").element_handles()
        for box in boxes:
            label, checked = box.evaluate("el => [el.labels[0].textContent.trim(), el.checked]")
            if checked != (label in labels):
                tab_to(self.tab.page, box)
                self.keyboard.press("Space")
        ticked = [
            box.evaluate("el => el.checked && el.labels[0].textContent.trim()") for box in boxes
        ]
        assert sorted(t for t in ticked if t) == sorted(labels), (ticked, labels)

    def type_number(self, q: Question, value: int | str) -> None:
        field = self.page.get_by_role("textbox", name=self.question_text(q), exact=True)
        tab_to(self.tab.page, field)
        self.keyboard.press("ControlOrMeta+A")
        self.keyboard.type(str(value))

    def answer(self, q: Question, value: Any) -> None:
        """Give one answer by keyboard, whatever control the page uses for it."""
        group = self.page.get_by_role("group", name=self.question_text(q), exact=True)
        if q.type == "multi":
            self.tick(group, [self.option_label(q, v) for v in value])
        elif q.type == "integer" and group.count() == 0:
            self.type_number(q, value)
        else:
            self.choose(group, self.option_label(q, str(value)))

    def shown(self, question_ids: tuple[str, ...]) -> list[Question]:
        """Return the questions this audience is asked, in page order."""
        questions = [self.ruleset.questions[q] for q in question_ids]
        return [q for q in questions if q.audience == "all" or self.audience == "clinician"]

    def answer_all(self, question_ids: tuple[str, ...], answers: dict[str, Any]) -> None:
        for q in self.shown(question_ids):
            if q.id in answers:
                self.answer(q, answers[q.id])

    def page_id(self) -> str:
        """Return the id of the question page on screen ("" on any other page)."""
        action = self.page.locator("#qform").get_attribute("action") or ""
        path = urlsplit(action).path
        return path.rsplit("/", 1)[-1] if path.startswith("/q/") else ""

    def through(self, answers: dict[str, Any], seen: Callable[[str], None] | None = None) -> None:
        """Answer each page the app shows next, by keyboard, up to "Check your answers".

        The pages branch on the answers (where the problem is, which limb, the limb items, then
        where), so the walk reads which page it is on; `seen` is told each page as it arrives.
        """
        rs, pages = self.ruleset, {p.id: p for p in self.ruleset.pages}
        for _ in range(2 * len(rs.pages) + 2):
            page_id = self.page_id()
            if not page_id:
                return
            if seen is not None:
                seen(page_id)
            self.arrive()
            if page_id == "region":
                label = PATIENT_REGIONS[rs.indications[answers["condition"]].region]
                group = self.page.get_by_role("group", name=self.t("Where is the problem?"))
                self.choose(group, self.t(str(label)))
            elif limbitems.is_limb_grid(rs, pages[page_id]):
                self.limb_items(pages[page_id].questions, answers)
            else:
                for q in self.shown(pages[page_id].questions):
                    if q.id in answers and self.page.locator(f'[name="{q.id}"]').count():
                        self.answer(q, answers[q.id])
            self.send()
        raise AssertionError("never reached Check your answers")

    def limb_items(self, question_ids: tuple[str, ...], answers: dict[str, Any]) -> None:
        """Tick the limb items that apply (or "None of these"); then, if any, where each is."""
        questions = [self.ruleset.questions[q] for q in question_ids]
        given = {q.id: tuple(answers[q.id]) for q in questions}
        ticked = limbitems.ticked(questions, given)
        group = self.page.get_by_role(
            "group", name=self.t("Does any of these apply to an arm or leg?"), exact=True
        )
        words = {"none": "None of these", "dont_know": "I don't know"}
        if ticked in (("none",), ("dont_know",)):
            self.tick(group, [self.t(words[ticked[0]])])
            return
        self.tick(group, [self.question_text(q) for q in questions if q.id in ticked])
        self.send()
        self.arrive()
        for q in questions:
            if q.id in ticked:
                self.answer(q, list(given[q.id]))

    def headline(self) -> str:
        return str(self.page.get_by_role("heading", level=1).inner_text())

    def begin(self) -> None:
        """On the start page, choose the audience (unless the link named it) and start."""
        wording = (
            "I am a physiotherapist or doctor" if self.audience == "clinician" else "I am a patient"
        )
        self.arrive()
        group = self.page.get_by_role("group", name=self.t("Who is answering?"), exact=True)
        if group.count() == 0:  # the audience came with the link (a clinic's frame)
            self.activate(self.button("Start"))
            return
        self.choose(group, self.t(wording))
        self.send()
