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


def assert_no_axe_violations(page: Any, where: str = "") -> None:
    """Run axe (WCAG 2.0-2.2 A and AA plus best practice); fail with its report on any violation."""
    results = AXE.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, (
        f"axe on {where or page.url}:\n{results.generate_report()}"
    )


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


_RING = """el => {
  const ring = s => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                    || (s.boxShadow && s.boxShadow !== 'none');
  const nodes = [el, ...(el.labels || [])];
  return nodes.some(n => [null, '::before', '::after'].some(p => ring(getComputedStyle(n, p))));
}"""


def focus_is_visible(page: Any) -> tuple[bool, str]:
    """Tell whether the focused element shows focus: a ring in its styles, and pixels that change.

    The ring may sit on the element, its label, or their ::before/::after (custom radios).
    The pixels of the element and its labels are compared focused and unfocused; the element
    is blurred for that, so the caller's next Tab continues after it.
    """
    focused = page.evaluate_handle("document.activeElement")
    described = focused.evaluate("el => el.outerHTML.slice(0, 160)")
    has_ring = focused.evaluate(_RING)
    box = focused.evaluate(
        """el => {
          const rs = [el, ...(el.labels || [])].map(n => n.getBoundingClientRect());
          const x = Math.min(...rs.map(r => r.left)) - 6, y = Math.min(...rs.map(r => r.top)) - 6;
          return {x: Math.max(x, 0), y: Math.max(y, 0),
                  width: Math.max(...rs.map(r => r.right)) - x + 6,
                  height: Math.max(...rs.map(r => r.bottom)) - y + 6};
        }"""
    )
    before = page.screenshot(clip=box)
    focused.evaluate("el => el.blur()")
    after = page.screenshot(clip=box)
    return has_ring and before != after, described


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
