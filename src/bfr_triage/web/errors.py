"""Error pages: translated, embeddable, each with a way back; a bug never hides behind a 500."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

from ..i18n import lazy_gettext as _l
from .state import BadState

bp = Blueprint("errors", __name__)

PAGES = {
    "state": (
        _l("Your answers could not be read"),
        _l(
            "The page was changed, or it is too old, so your answers could not be read. "
            "Nothing was saved. Start again to see a result."
        ),
    ),
    400: (_l("Something in the request was wrong"), _l("The page could not read what was sent.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("This page cannot be used like that"), _l("Go back to the start and try again.")),
    413: (_l("Too much was sent"), _l("The answers sent were larger than this page accepts.")),
    500: (
        _l("Sorry, there is a problem with the service"),
        _l("Something went wrong on our side. Nothing was saved. Try again later."),
    ),
}


def render_error(key: str | int, code: int) -> tuple[str, int]:
    title, text = PAGES.get(key, PAGES[500 if code >= 500 else 400])
    return render_template("error.html", title=title, text=text, code=code), code


@bp.app_errorhandler(BadState)
def bad_state(error: BadState) -> tuple[str, int]:
    return render_error("state", 400)


@bp.app_errorhandler(BadRequest)
def bad_request(error: BadRequest) -> tuple[str, int]:
    return render_error(400, 400)


@bp.app_errorhandler(NotFound)
def not_found(error: NotFound) -> tuple[str, int]:
    return render_error(404, 404)


def method_not_allowed(error: MethodNotAllowed) -> ResponseReturnValue:
    """The 405 page, with the methods the address takes (`create_app` routes 405s by path)."""
    page, code = render_error(405, 405)
    return page, code, {"Allow": ", ".join(sorted(error.valid_methods or ()))}


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    return render_error(413, 413)


@bp.app_errorhandler(Exception)
def unexpected(error: Exception) -> tuple[str, int]:
    if isinstance(error, HTTPException):  # any other 4xx keeps its code
        return render_error(error.code or 500, error.code or 500)
    # Log where, never what: the request body holds answers.
    name, method, path = type(error).__name__, request.method, request.path
    current_app.logger.error("unhandled %s on %s %s", name, method, path, exc_info=error)
    if current_app.testing:
        raise error
    return render_error(500, 500)
