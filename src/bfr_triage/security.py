"""Security headers for every response, set in this one place; share tokens kept out of logs;
JSON read strictly."""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SessionInterface
from flask_babel import get_locale, gettext
from markupsafe import escape
from werkzeug.exceptions import RequestEntityTooLarge, SecurityError

T = TypeVar("T")

_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
_PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": _PERMISSIONS,
    # COOP only governs top-level windows, so it does not get in the way inside an iframe.
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"
REFERRER = "strict-origin-when-cross-origin"
# The script a clinic's page loads from this server; every other file is for this site only.
CROSS_ORIGIN_FILES = frozenset({"embed.js"})
# What a URL under /share/ holds after the prefix: the answers, encrypted. Never logged, never
# sent on as a Referer.
SHARE_PATH = re.compile(r"/share/[^/\s?#\"']+")
SHARE_PREFIX = "/share/"


def embeddable(target: T) -> T:
    """Mark a view function or a whole blueprint as framable by the allowed clinic origins."""
    setattr(target, "bfr_embeddable", True)  # noqa: B010 (blueprints and functions alike)
    return target


class NoSession(SessionInterface):
    """Keep no session: no cookie is read or set, and writing to `session` fails loudly."""

    def open_session(self, app: Flask, request: Request) -> None:
        return None  # Flask then uses a null session, which refuses every write

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        """Never called for a null session."""


def init_app(app: Flask) -> None:
    """Add the security headers to every response of `app`, and switch off the cookie session."""
    app.session_interface = NoSession()
    ancestors = " ".join(("'self'", *app.config.get("FRAME_ANCESTORS", ())))
    framed = {"Content-Security-Policy": _POLICY.format(ancestors=ancestors)}
    unframed = {
        "Content-Security-Policy": _POLICY.format(ancestors="'none'"),
        "X-Frame-Options": "DENY",
    }
    # The headers of each case worked out once: (framed, over HTTPS, kind) -> [(name, value)].
    # kind: "file" (static), "shared" (a static file for other sites), "page" (answered by a
    # view: no cache may keep it, it may hold answers), "share" (a page under /share/, whose
    # URL holds answers: no Referer either).
    app.extensions["bfr_security"] = {
        (is_framed, secure, kind): [
            *_COMMON.items(),
            *(framed if is_framed else unframed).items(),
            ("Referrer-Policy", "no-referrer" if kind == "share" else REFERRER),
            ("Cross-Origin-Resource-Policy", "cross-origin" if kind == "shared" else "same-origin"),
            *([("Strict-Transport-Security", HSTS)] if secure else []),
        ]
        for is_framed in (True, False)
        for secure in (True, False)
        for kind in ("file", "shared", "page", "share")
    }
    app.extensions["bfr_embeddable"] = {}  # endpoint -> may it be framed
    app.after_request(add_headers)
    app.before_request(limit_streamed_body)
    app.register_error_handler(SecurityError, untrusted_host)
    # The app's own log and the development server's request log (`make run`).
    redact_logs(app.logger, logging.getLogger("werkzeug"))


def add_headers(response: Response) -> Response:
    """Add the headers to `response`; framing depends on the endpoint that answered.

    Added, not set one by one: no view sets any of them itself (test_security checks that each
    comes once on every route), and werkzeug's set() scans all the headers for each one.
    Everything but a static file may hold answers or depend on the language asked for: no
    cache keeps it (unless its view chose a Cache-Control), and Vary names Accept-Language.
    """
    if request.endpoint == "static":
        files = (request.view_args or {}).get("filename")
        kind = "shared" if files in CROSS_ORIGIN_FILES else "file"
    else:
        kind = "share" if request.path.startswith(SHARE_PREFIX) else "page"
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        vary = response.headers.get("Vary")  # no view names Accept-Language itself
        response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
    case = _is_embeddable(response), request.is_secure, kind
    response.headers.extend(current_app.extensions["bfr_security"][case])
    return response


def limit_streamed_body() -> None:
    """Answer 413 to a body sent without Content-Length (chunked) that is over the limit.

    werkzeug stops reading such a body at MAX_CONTENT_LENGTH without a word, so the view would
    see it cut short (a 400); read it here, up to the limit, and look for one byte more.
    """
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return
    limit = request.max_content_length
    body = request.get_data(cache=True)  # what the view and the form parser will read
    if limit is not None and len(body) >= limit and environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def untrusted_host(error: SecurityError) -> tuple[str, int]:
    """Answer a Host header that is not in TRUSTED_HOSTS: 400, with a page that builds no URL.

    Flask could not route the request (it refuses to bind URLs to that host), so the usual
    error page, whose links are built with url_for, cannot be rendered.
    """
    title = gettext("This address is not served here")
    text = gettext("Open the questionnaire at the address your clinic gave you.")
    page = (
        f'<!doctype html>\n<html lang="{escape(get_locale() or "en")}">\n<head>'
        f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><title>{escape(title)}</title></head>\n'
        f"<body><main><h1>{escape(title)}</h1><p>{escape(text)}</p></main></body>\n</html>\n"
    )
    return page, 400


def _is_embeddable(response: Response) -> bool:
    if request.url_rule is None:
        # A URL that matched no route still shows a translated HTML error page inside the frame.
        return response.mimetype == "text/html"
    endpoints: dict[str, bool] = current_app.extensions["bfr_embeddable"]
    endpoint = request.url_rule.endpoint
    found = endpoints.get(endpoint)
    if found is None:
        view: Any = current_app.view_functions.get(endpoint)
        blueprints = request.blueprints
        found = endpoints[endpoint] = getattr(view, "bfr_embeddable", False) or any(
            getattr(current_app.blueprints.get(name), "bfr_embeddable", False)
            for name in blueprints
        )
    return found


# ---- logs: a share token is the answers, so no log line ever holds one ----


def redact(text: str) -> str:
    """Return `text` with every share token replaced: /share/<token>/qr.svg -> /share/…/qr.svg."""
    return SHARE_PATH.sub("/share/…", text) if SHARE_PREFIX in text else text


class RedactShareTokens(logging.Filter):
    """Rewrite each record of a logger so that its message holds no share token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if SHARE_PREFIX in message:
            record.msg, record.args = redact(message), None
        return True


REDACT = RedactShareTokens()


def redact_logs(*loggers: logging.Logger) -> None:
    """Keep share tokens out of every record logged on `loggers` (once each)."""
    for log in loggers:
        if REDACT not in log.filters:
            log.addFilter(REDACT)


# ---- JSON read strictly ----


class DuplicateKey(ValueError):
    """A JSON object names the same member twice: which value was meant cannot be known."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate member {key!r}")
        self.key = key


def unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A json `object_pairs_hook`: build the object, refusing a member named twice."""
    found = dict(pairs)
    if len(found) != len(pairs):
        keys = [k for k, _ in pairs]
        raise DuplicateKey(next(k for k in keys if keys.count(k) > 1))
    return found
