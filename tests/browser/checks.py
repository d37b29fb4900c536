"""Checks on a page in the browser: axe, the Nu Html Checker, focus, target size, page weight."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

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


def axe_report(page: Any, where: str = "") -> str:
    """Run axe (WCAG 2.0-2.2 A and AA plus best practice); return its report, or "" if clean."""
    results = AXE.run(page, options=AXE_OPTIONS)
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


# The focused element, whether it or its label (or their ::before/::after, as custom radios do)
# draws a ring, and the box around both, a little larger than the ring may reach.
_FOCUSED = """() => {
  const el = document.activeElement;
  const ring = s => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                    || (s.boxShadow && s.boxShadow !== 'none');
  const nodes = [el, ...(el.labels || [])];
  const rs = nodes.map(n => n.getBoundingClientRect());
  const x = Math.max(Math.min(...rs.map(r => r.left)) - 6, 0);
  const y = Math.max(Math.min(...rs.map(r => r.top)) - 6, 0);
  return {
    element: el.outerHTML.slice(0, 160),
    ring: nodes.some(n => [null, '::before', '::after'].some(p => ring(getComputedStyle(n, p)))),
    box: {x, y, width: Math.max(...rs.map(r => r.right)) - x + 6,
          height: Math.max(...rs.map(r => r.bottom)) - y + 6},
  };
}"""


def focus_is_visible(page: Any) -> tuple[bool, str]:
    """Tell whether the focused element shows focus: a ring in its styles, and pixels that change.

    The pixels of the element and its labels are compared focused and unfocused; the element
    is blurred for that, so the caller's next Tab continues after it.
    """
    focused = page.evaluate(_FOCUSED)
    before = page.screenshot(clip=focused["box"])
    page.evaluate("document.activeElement.blur()")
    after = page.screenshot(clip=focused["box"])
    return focused["ring"] and before != after, focused["element"]


def small_targets(page: Any) -> list[str]:
    """Return form controls and links in forms smaller than 24 x 24 px (a label counts as target)."""
    return page.evaluate(
        """min => {
          const out = [];
          const sel = 'form input:not([type=hidden]), form button, form select, form textarea, form a';
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
    """Tab through every stop of the page once; return the count and those without visible focus."""
    page.evaluate("window.__swept = new WeakSet()")
    stops, invisible = 0, []
    for _ in range(limit):
        page.keyboard.press("Tab")
        fresh = page.evaluate(
            """() => { const el = document.activeElement;
                       if (el === document.body || window.__swept.has(el)) return false;
                       window.__swept.add(el); return true; }"""
        )
        if not fresh:
            if stops:
                return stops, invisible
            continue
        stops += 1
        visible, element = focus_is_visible(page)
        if not visible:
            invisible.append(element)
    raise AssertionError(f"{limit} presses of Tab never came back to the top of {page.url}")
