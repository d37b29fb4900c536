"""A browser tab that blocks cookies, stays on the app's origins and records what the page does.

Cookies: Chromium has no launch switch that blocks every cookie, and Playwright has no setting for
it; a route cannot drop the Cookie request header either (Chromium adds it after interception).
So the tab makes any cookie a failure instead: every response's Set-Cookie header is recorded,
`document.cookie` is switched off through the DevTools protocol (it reads "" and ignores writes,
as in a browser that blocks cookies), and at the end the context's cookie jar must be empty. A
flow that passes has therefore run without a single cookie, which is what a cookie-blocking
browser (or a cross-site iframe) gives the app.

Origins: every request goes through a route; one to an origin not allowed is aborted before it
leaves the machine and recorded, and the tab fails at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Tab:
    context: Any
    origins: tuple[str, ...]
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    csp_reports: list[str] = field(default_factory=list)
    page: Any = None
    cdp: Any = None
    closed: bool = False

    def __post_init__(self) -> None:
        self.context.route("**/*", self._route)
        self.context.on("request", lambda r: self.requests.append(f"{r.method} {r.url}"))
        self.context.on("response", lambda r: self.responses.append(r))
        self.page = self.context.new_page()
        self._watch(self.page)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "about:")) or origin_of(url) in self.origins:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort("blockedbyclient")

    def _watch(self, page: Any) -> None:
        page.on("pageerror", lambda e: self.script_errors.append(str(e)))
        page.on("console", self._console)
        page.on("load", lambda loaded: self.screens.append(loaded.url))  # not a #fragment
        # The session stays open: the override ends when it detaches.
        self.cdp = self.context.new_cdp_session(page)
        self.cdp.send("Emulation.setDocumentCookieDisabled", {"disabled": True})

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_reports.append(message.text)

    def set_cookies(self) -> list[str]:
        """Return every Set-Cookie header the app sent, as 'url: header'."""
        found = []
        for response in self.responses:
            for header in response.headers_array():
                if header["name"].lower() == "set-cookie":
                    found.append(f"{response.url}: {header['value']}")
        return found

    def failed_subresources(self) -> list[str]:
        """Return CSS, JS, images and the like the app answered with an error status."""
        return [
            f"{r.status} {r.url}"
            for r in self.responses
            if r.status >= 400 and not r.request.is_navigation_request()
        ]

    def problems(self) -> dict[str, list[Any]]:
        """Return any cookie, request to another origin, script error or CSP violation seen."""
        found = {
            "Set-Cookie headers": self.set_cookies(),
            "cookies in the jar": self.context.cookies(),
            "requests to other origins": self.foreign,
            "script errors": self.script_errors,
            "CSP violations": self.csp_reports,
            "failed subresources": self.failed_subresources(),
        }
        return {k: v for k, v in found.items() if v}

    def assert_clean(self) -> None:
        """Fail on any of the problems."""
        problems = self.problems()
        assert not problems, f"the tab saw: {problems}"

    def discard(self) -> None:
        """Close without checking: for a test that provokes what the checks catch."""
        self.closed = True
        self.context.close()

    def close(self) -> None:
        """Check the tab (once), then close its context."""
        if self.closed:
            return
        self.closed = True
        try:
            self.assert_clean()
        finally:
            self.context.close()
