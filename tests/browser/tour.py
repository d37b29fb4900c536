"""Visit every page type once per language, error states included, and note what each shows.

Each screen keeps the HTML the server sent (for the Nu Html Checker), axe's report, `<html lang>`,
the controls too small to hit, and, after a failed submit, what took focus. The walks go by
keyboard; a walk that breaks is kept as an error, so the screens it did reach are still checked.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bfr_triage.engine import RuleSet

from .checks import axe_report, focus_sweep, in_view, overflow_at, page_weight, small_targets
from .keyboard import tab_to
from .tab import Tab
from .walk import CLINICIAN_ANSWERS, PATIENT_ANSWERS, Walker

LANGS = ("en", "da")
# The pages a patient with nothing to report sees (the operation's limb is not asked of them).
QUESTION_PAGES = ("region", "condition", "limb", "loading", "safety", "limb_safety", "precautions")
SCREENS = (
    "start",
    "start-error",
    *(f"q-{p}{e}" for p in QUESTION_PAGES for e in ("", "-error")),
    "check",
    "result-patient",
    "intake",
    "intake-error",
    "q-loading-clinician-error",
    "result-clinician",
    "share",
    "about",
    "404",
    "405",
    "400-state",
    "413",
)
ERROR_SCREENS = tuple(s for s in SCREENS if s.endswith("-error"))
FORM_SCREENS = (
    "start",
    *(f"q-{p}" for p in QUESTION_PAGES),
    "q-condition-error",
    "check",
    "intake",
    "share",
)
LANGUAGE_NAMES = {"en": "English", "da": "Dansk"}  # each in its own language, on the switch
CHANGED_PAIN = 2  # below the pain threshold: heavy training no longer hurts too much
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class Screen:
    html: str
    status: int
    lang: str
    axe: str
    small_targets: list[str]
    overflow: list[str]  # what sticks out sideways on a 320 px wide screen
    focused: str = ""  # what had focus on arrival, for error screens
    no_visible_focus: list[str] = field(default_factory=list)
    stops: int = 0


@dataclass
class Tour:
    shots: Path  # where the screenshots go
    started: float = field(default_factory=time.time)
    screens: dict[str, Screen] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # walk -> traceback
    weights: dict[str, dict[str, int]] = field(default_factory=dict)  # walk -> bytes per URL
    tabs: dict[str, dict[str, Any]] = field(default_factory=dict)  # walk -> problems seen
    requests: dict[str, list[str]] = field(default_factory=dict)  # walk -> every request made
    seconds: dict[str, float] = field(default_factory=dict)  # walk -> time taken
    urls: dict[str, list[str]] = field(default_factory=dict)  # walk -> every screen's URL
    headlines: dict[str, str] = field(default_factory=dict)  # walk -> the result's <h1>
    # lang -> (link, name of the focused input, its legend on screen)
    jumps: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)  # lang -> <h1> after a changed answer
    switched: dict[str, tuple[str, str]] = field(default_factory=dict)  # lang -> (lang, answer)

    def screen(self, lang: str, name: str) -> Screen:
        """Return a screen, or fail saying which walk broke before reaching it."""
        key = f"{lang}-{name}"
        assert key in self.screens, f"{key} never reached: {self.broken or 'no walk broke'}"
        return self.screens[key]

    def walk(self, name: str) -> None:
        """Fail if the walk `name` broke or never ran."""
        assert name not in self.broken, self.broken[name]
        assert name in self.urls, f"{name} never ran"


FOCUSED = """() => { const el = document.activeElement;
  return `${el.tagName.toLowerCase()}.${el.className} ${el.textContent.trim().slice(0, 60)}`; }"""


@dataclass
class Visitor:
    """Walks for one language, writing what it sees into the tour."""

    tour: Tour
    walker: Walker

    def note(self, name: str, sweep: bool = False) -> None:
        w, page = self.walker, self.walker.page
        screen = Screen(
            html=w.html(),
            status=w.response.status,
            lang=str(page.locator("html").get_attribute("lang")),
            axe=axe_report(page, f"{w.lang} {name}"),
            small_targets=small_targets(page),
            focused=page.evaluate(FOCUSED),
            overflow=overflow_at(page),
        )
        if sweep and w.lang == "en":
            screen.stops, screen.no_visible_focus = focus_sweep(page)
        self.tour.screens[f"{w.lang}-{name}"] = screen

    def patient(self) -> None:
        """Start -> every question page -> check your answers -> result, as a patient would."""
        w = self.walker
        suffix = "" if w.lang == "en" else f"-{w.lang}"  # README screenshots, in each language
        w.go("/")
        w.page.screenshot(path=self.tour.shots / f"start{suffix}.png")
        self.note("start", sweep=True)
        w.begin()

        def seen(page_id: str) -> None:
            if page_id == "region":
                w.page.screenshot(path=self.tour.shots / f"question{suffix}.png")
            self.note(f"q-{page_id}", sweep=True)

        w.through(PATIENT_ANSWERS, seen)
        self.note("check", sweep=True)
        w.activate(w.button("See the result"))
        w.page.screenshot(path=self.tour.shots / f"result{suffix}.png", full_page=True)
        self.note("result-patient")
        self.tour.headlines[f"{w.lang}-patient"] = w.headline()
        self.tour.weights[f"{w.lang}-patient"] = page_weight(w.page)
        self.tour.urls[f"{w.lang}-patient"] = list(w.tab.screens)  # counted up to the result
        self.change_an_answer()

    def change_an_answer(self) -> None:
        """From the result, change the pain answer with its Change button; see the new result.

        The button is the one by the reason "heavy training hurts", named after that reason.
        """
        w = self.walker
        pain = w.ruleset.questions["pain_heavy"]
        reason = next(b for b in w.ruleset.barriers if b.id == "barrier_pain").patient_text
        w.activate(w.button("Change", w.t(reason)))
        w.answer(pain, CHANGED_PAIN)
        w.activate(w.button("Continue"))
        w.activate(w.button("See the result"))
        self.tour.changed[w.lang] = w.headline()

    def clinician(self) -> None:
        """Start -> the one-page intake form -> result, in one submit; then a share link."""
        w = self.walker
        w.go("/")
        w.activate(w.link("one-page intake form"))
        self.note("intake", sweep=True)
        w.answer_all(tuple(w.ruleset.questions), CLINICIAN_ANSWERS)
        w.activate(w.button("See the result"))
        self.note("result-clinician")
        self.tour.headlines[f"{w.lang}-clinician"] = w.headline()
        self.tour.weights[f"{w.lang}-clinician"] = page_weight(w.page)
        w.activate(w.button("Make a share link"))
        self.note("share", sweep=True)

    def mistakes(self) -> None:
        """Submit every form empty, and a number field with letters: each page's error state."""
        w = self.walker
        w.go("/")
        w.activate(w.button("Start"))
        self.note("start-error")
        for page_id in QUESTION_PAGES:
            w.go(f"/q/{page_id}?audience=patient")
            w.activate(w.button("Continue"))
            self.note(f"q-{page_id}-error", sweep=page_id == "condition")
            if page_id == "loading":  # several questions: the last one is far down the page
                self.jump_from_summary()
        w.go("/intake?audience=clinician")
        w.activate(w.button("See the result"))
        self.note("intake-error")
        # Letters in a clinician's number field: the number field's own error state.
        clinician = self.reach_loading("clinician")
        clinician.type_number(w.ruleset.questions["weight_bearing_percent"], "half")
        clinician.activate(clinician.button("Continue"))
        w.response = clinician.response
        self.note("q-loading-clinician-error")
        self.switch_language()

    def switch_language(self) -> None:
        """Answer a question, then switch language: the page comes back with the answer kept."""
        w = self.reach_loading("patient")
        w.answer(w.ruleset.questions["weight_bearing"], "fwb")
        other = LANGUAGE_NAMES["da" if w.lang == "en" else "en"]
        w.activate(w.page.get_by_role("button", name=other, exact=True))
        checked = w.page.locator("input[name=weight_bearing]:checked").get_attribute("value")
        self.tour.switched[w.lang] = (str(w.page.locator("html").get_attribute("lang")), checked)

    def reach_loading(self, audience: str) -> Walker:
        """Answer the condition and the limb (a leg): the loading page asks weight-bearing then.
        Return the walker in that audience's wording (the tab is the same)."""
        w = replace(self.walker, audience=audience)
        w.go(f"/q/condition?audience={audience}")
        for qid in ("condition", "limb"):
            w.answer(w.ruleset.questions[qid], PATIENT_ANSWERS[qid])
            w.activate(w.button("Continue"))
        return w

    def jump_from_summary(self) -> None:
        """From the focused error summary, Tab to its last link (the last question, far down the
        page) and follow it with Enter: note the link, what took focus and whether the question's
        legend is on screen."""
        page = self.walker.page
        tab_to(page, page.locator(".error-summary a").last)
        href = page.evaluate("document.activeElement.getAttribute('href')")
        page.keyboard.press("Enter")
        for _ in range(100):  # not wait_for_function: it polls with eval, which CSP forbids
            if page.evaluate("document.activeElement.tagName") == "INPUT":
                break
            page.wait_for_timeout(50)
        focused = page.evaluate("document.activeElement.name")
        legend = page.locator(f"{href} legend")
        self.tour.jumps[self.walker.lang] = (href, focused, in_view(page, legend))

    def other_pages(self) -> None:
        """The evidence, an unknown address, a wrong method, and answers that no longer read."""
        w = self.walker
        for name, path in (("about", "/about"), ("404", "/no-such-page"), ("405", "/result")):
            w.go(path)
            self.note(name)
        # A person comes back to an open page a day later, or the field was altered: the
        # signed state no longer reads. Altering the field is the test's doing, not the user's.
        w.go("/q/loading?audience=patient")
        w.page.locator("input[name=state]").evaluate("el => el.value = el.value.slice(0, -4)")
        w.activate(w.button("Continue"))
        self.note("400-state")
        # More than the app accepts (64 KB): again the test's doing.
        w.go("/q/loading?audience=patient")
        w.page.locator("input[name=state]").evaluate("el => el.value = 'x'.repeat(70000)")
        w.activate(w.button("Continue"))
        self.note("413")


WALKS = (
    ("patient", Visitor.patient),
    ("clinician", Visitor.clinician),
    ("patient", Visitor.mistakes),
    ("patient", Visitor.other_pages),
)
WALK_NAMES = tuple(f"{lang}-{walk.__name__}" for lang in LANGS for _, walk in WALKS)


def take_tour(new_tab: Callable[..., Tab], origin: str, ruleset: RuleSet, shots: Path) -> Tour:
    """Walk every page type in every language; never stop at the first broken walk."""
    shots.mkdir(parents=True, exist_ok=True)
    tour = Tour(shots)
    for lang in LANGS:
        for audience, walk in WALKS:
            tab = new_tab(origin)
            name = f"{lang}-{walk.__name__}"
            began = time.monotonic()
            try:
                walk(Visitor(tour, Walker(tab, origin, ruleset, lang, audience)))
            except Exception:  # noqa: BLE001  (kept, and reported by the tests that need it)
                tour.broken[name] = traceback.format_exc(limit=6)
            tour.urls.setdefault(name, tab.screens)
            tour.tabs[name] = tab.problems()
            tour.requests[name] = tab.requests
            tab.discard()
            tour.seconds[name] = round(time.monotonic() - began, 1)
    return tour
