"""Move and act the way a keyboard user does: Tab, Shift+Tab, arrow keys, Space and Enter."""

from __future__ import annotations

from typing import Any

MAX_TABS = 400


def is_focused(locator: Any) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def holds_focus(locator: Any) -> bool:
    return bool(locator.evaluate("el => el.contains(document.activeElement)"))


def tab_to(page: Any, locator: Any, inside: bool = False, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `locator` has focus (or, with `inside`, holds it)."""
    locator.wait_for(state="attached")
    check = holds_focus if inside else is_focused
    for _ in range(MAX_TABS):
        if check(locator):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {locator}")
