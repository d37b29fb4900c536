"""Checks on a page in the browser: axe, the Nu Html Checker, focus, target size, page weight."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
MIN_TARGET = 24  # px, WCAG 2.2 success criterion 2.5.8 (AA)
REFLOW_WIDTH = 320  # CSS px, WCAG 2.1 success criterion 1.4.10 (AA): no sideways scrolling


def axe_report(page: Any, where: str = "") -> str:
    """Run axe (WCAG 2.0-2.2 A and AA plus best practice); return its report, or "" if clean."""
    page.evaluate(AXE.axe_script)
    # Bring back only the violations: the passes of a long page take a while to ship.
    found = page.evaluate(f"axe.run({json.dumps(AXE_OPTIONS)}).then(r => r.violations)")
    results = AxeResults({"violations": found})
    if results.violations_count == 0:
        return ""
    return f"axe on {where or page.url}:\n{results.generate_report()}"


def assert_no_axe_violations(page: Any, where: str = "") -> None:
    """Fail with axe's report on any violation."""
    report = axe_report(page, where)
    assert not report, report


def nu_errors(command: list[str], pages: dict[str, str], folder: Path) -> list[str]:
    """Check every page's HTML in one JVM call; return the errors as 'page:line: message'."""
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html, encoding="utf-8")
    done = subprocess.run(
        command + [str(folder / f"{name}.html") for name in pages],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [
        f"{Path(m.get('url', '?')).stem}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]


# What an element draws: outline and shadow of it, its labels and their ::before and ::after
# (custom radios draw the ring there), and the box around all of them plus room for the ring.
_DRAWN = """el => {
  const nodes = [el, ...(el.labels || [])];
  const styles = nodes.flatMap(n => [null, '::before', '::after'].map(p => getComputedStyle(n, p)));
  const rs = nodes.map(n => n.getBoundingClientRect());
  const x = Math.max(Math.min(...rs.map(r => r.left)) - 6, 0);
  const y = Math.max(Math.min(...rs.map(r => r.top)) - 6, 0);
  return {
    element: el.outerHTML.slice(0, 160),
    kind: `${el.tagName.toLowerCase()} ${el.type || ''} ${el.className}`,
    rings: styles.map(s => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                            ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '')
                           + (s.boxShadow !== 'none' ? s.boxShadow : '')).join('|'),
    box: {x, y, width: Math.max(...rs.map(r => r.right)) - x + 6,
          height: Math.max(...rs.map(r => r.bottom)) - y + 6},
  };
}"""


def focus_is_visible(page: Any, pixels: bool = True) -> tuple[bool, dict[str, Any]]:
    """Tell whether the focused element shows its focus; also return what it draws.

    Visible: an outline or box-shadow (on the element, its label or their pseudo-elements) that
    is there while focused and changes when blurred, and, with `pixels`, pixels around them that
    change too. The element is left blurred, so the caller's next Tab continues after it.
    """
    element = page.evaluate_handle("document.activeElement")
    focused = element.evaluate(_DRAWN)
    before = page.screenshot(clip=focused["box"]) if pixels else b""
    element.evaluate("el => el.blur()")
    after = page.screenshot(clip=focused["box"]) if pixels else b""
    blurred = element.evaluate(_DRAWN)
    ring = focused["rings"].strip("|") != "" and focused["rings"] != blurred["rings"]
    return ring and before != after if pixels else ring, focused


def small_targets(page: Any) -> list[str]:
    """Return controls, and links in forms, smaller than 24 x 24 px (a label counts as target)."""
    return page.evaluate(
        """min => {
          const out = [];
          const sel = 'input:not([type=hidden]), button, select, textarea, form a';
          for (const el of document.querySelectorAll(sel)) {
            const rs = [el, ...(el.labels || [])].map(n => n.getBoundingClientRect());
            const own = rs[0];
            if (own.width <= 1 && own.height <= 1) continue;  // visually hidden until focused
            const ok = rs.some(r => r.width >= min && r.height >= min);
            if (!ok) out.push(`${Math.round(own.width)}x${Math.round(own.height)} `
                              + el.outerHTML.slice(0, 120));
          }
          return out;
        }""",
        MIN_TARGET,
    )


def overflow_at(page: Any, width: int = REFLOW_WIDTH) -> list[str]:
    """Return what sticks out sideways at `width` CSS px (WCAG 1.4.10 Reflow); restore the size."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": size["height"]})
    try:
        return list(
            page.evaluate(
                """() => { const w = document.documentElement.clientWidth;
                  return [...document.querySelectorAll('body *')]
                    .filter(el => { const r = el.getBoundingClientRect();
                                    return r.width > 0 && r.right > w + 1; })
                    .map(el => `${Math.round(el.getBoundingClientRect().right)}px `
                               + el.outerHTML.slice(0, 120)); }"""
            )
        )
    finally:
        page.set_viewport_size(size)


def page_weight(page: Any) -> dict[str, int]:
    """Return the uncompressed bytes of the document and each same-origin HTML, CSS or JS file."""
    page.wait_for_load_state("load")
    entries = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .filter(e => new URL(e.name).origin === location.origin)
                 .map(e => [e.name, e.entryType, e.decodedBodySize])"""
    )
    return {
        name: size
        for name, kind, size in entries
        if kind == "navigation" or name.split("?")[0].endswith((".css", ".js", ".mjs"))
    }


def focus_sweep(page: Any, limit: int = 300) -> tuple[int, list[str]]:
    """Tab through every stop of the page once; return the count and those without visible focus.

    Styles are checked at every stop; pixels once per kind of control (tag, type and class),
    which keeps a long form quick.
    """
    page.evaluate("window.__swept = new WeakSet()")
    stops, invisible, kinds = 0, [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        kind = page.evaluate(
            """() => { const el = document.activeElement;
                       if (el === document.body || window.__swept.has(el)) return null;
                       window.__swept.add(el); return el.tagName + el.type + el.className; }"""
        )
        if kind is None:
            if stops:
                return stops, invisible
            continue
        stops += 1
        visible, drawn = focus_is_visible(page, pixels=kind not in kinds)
        kinds.add(kind)
        if not visible:
            invisible.append(drawn["element"])
    raise AssertionError(f"{limit} presses of Tab never came back to the top of {page.url}")


def in_view(page: Any, element: Any, frame_element: Any = None) -> bool:
    """Return whether `element` is wholly inside the window the person sees.

    In a frame, give the frame's element on the host `page`: the element's box is then moved by
    the frame's place on the host page, and the host's window is the one that counts.
    """
    box = element.evaluate(
        "el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; }"
    )
    top, bottom = box
    if frame_element is not None:
        offset = frame_element.evaluate("el => el.getBoundingClientRect().top")
        top, bottom = top + offset, bottom + offset
    height = page.evaluate("innerHeight")
    return bool(0 <= top and bottom <= height)
