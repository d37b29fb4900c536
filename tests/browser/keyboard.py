"""Move and act the way a keyboard user does: Tab, Shift+Tab, arrow keys, Space and Enter."""

from __future__ import annotations

from typing import Any

MAX_TABS = 400
FOCUSED = "el => el === document.activeElement"
HOLDS_FOCUS = "el => el.contains(document.activeElement)"


def is_focused(target: Any) -> bool:
    """Tell whether a locator or element handle has focus."""
    return bool(target.evaluate(FOCUSED))


def tab_to(page: Any, locator: Any, inside: bool = False, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until a locator or element has focus (or, with `inside`, holds it)."""
    # Resolve once: finding an element by role and name is costly, a focus check is not.
    element = locator.element_handle() if hasattr(locator, "element_handle") else locator
    check = HOLDS_FOCUS if inside else FOCUSED
    for _ in range(MAX_TABS):
        if element.evaluate(check):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {locator}")
