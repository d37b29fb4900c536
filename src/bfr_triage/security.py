"""Security headers for every response, set in this one place."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SessionInterface

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
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": _PERMISSIONS,
    # COOP only governs top-level windows, so it does not get in the way inside an iframe.
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"


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
    # The headers of each case worked out once: (framed, over HTTPS) -> [(name, value), ...].
    app.extensions["bfr_security"] = {
        (is_framed, secure): [
            *_COMMON.items(),
            *(framed if is_framed else unframed).items(),
            *([("Strict-Transport-Security", HSTS)] if secure else []),
        ]
        for is_framed in (True, False)
        for secure in (True, False)
    }
    app.extensions["bfr_embeddable"] = {}  # endpoint -> may it be framed
    app.after_request(add_headers)


def add_headers(response: Response) -> Response:
    """Add the headers to `response`; framing depends on the endpoint that answered.

    Added, not set one by one: no view sets any of them itself (test_security checks that each
    comes once on every route), and werkzeug's set() scans all the headers for each one.
    """
    case = _is_embeddable(response), request.is_secure
    response.headers.extend(current_app.extensions["bfr_security"][case])
    return response


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
