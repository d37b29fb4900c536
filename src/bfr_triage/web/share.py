"""Share links: the answers compressed and encrypted into the URL, expiring; a QR code of it."""

from __future__ import annotations

import base64
import json
import re
import time
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import segno
from babel.dates import format_date
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Blueprint, current_app, g, render_template, request
from flask_babel import gettext, ngettext, to_user_timezone
from markupsafe import escape
from werkzeug.wrappers import Response

from .. import security
from ..engine import AUDIENCES, Answers, AnswersError, RuleSet, parse_answers
from ..extensions import ruleset
from ..i18n import locale
from ..records.fhir import MEDIA_TYPE as FHIR
from ..records.payloads import decision_payload, json_response, questionnaire_response
from .links import link, links, set_audience
from .state import State, dump_state, load_state
from .views import render_result

# A fixed context string: the share key differs from every other use of the secret key.
CONTEXT = b"bfr-triage share link v1"
MAX_TOKEN = 4096  # characters; a real token is a few hundred
MAX_PAYLOAD = 64 * 1024  # bytes after decompression
CLOCK_SKEW = 60  # seconds a token may seem to come from the future (another instance's clock)


class ShareError(Exception):
    """The token cannot be read: tampered with, from another key, or malformed."""


class ShareExpired(ShareError):
    """The token was genuine but is older than the configured maximum age."""


@lru_cache(maxsize=8)
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def vocabulary(ruleset: RuleSet) -> bytes:
    """Return a zlib preset dictionary made of the question vocabulary (ids and values).

    With it a complete intake compresses to some 35 bytes instead of 280, so the link and its
    QR code stay small. It changes only when questions or options do; a token made with
    another vocabulary then fails zlib's dictionary check and reads as invalid, never as
    other answers.
    """
    words = [json.dumps(w) for q in ruleset.questions.values() for w in (q.id, *q.values)]
    typical = {
        q.id: "no" if "no" in q.values else [q.exclusive[0]] if q.exclusive else 0
        for q in ruleset.questions.values()
        if not q.optional
    }  # the most common answers come last: zlib prefers the nearest match
    return (",".join(words) + _compact(typical)).encode("utf-8")


_COMPACT = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


def _compact(data: object) -> str:
    return _COMPACT.encode(data)


def make_token(secret: str, answers: Answers, now: int | None = None, *, words: bytes = b"") -> str:
    """Return a URL-safe token holding `answers`, encrypted and authenticated, stamped `now`.

    `words` is the `vocabulary` of the rule set; without it the token is longer but as valid.
    """
    plain = {k: list(v) if isinstance(v, tuple) else v for k, v in answers.values.items()}
    deflater = zlib.compressobj(9, zdict=words) if words else zlib.compressobj(9)
    packed = deflater.compress(_compact(plain).encode("utf-8")) + deflater.flush()
    when = int(time.time()) if now is None else now
    token = _fernet(secret).encrypt_at_time(packed, when)
    return token.decode("ascii").rstrip("=")  # padding is implied by the length


def read_token(
    secret: str, token: str, max_age: int, now: int | None = None, *, words: bytes = b""
) -> Mapping[str, Any]:
    """Return the raw answers in `token`; raise ShareExpired or ShareError if it cannot be used.

    The answers still have to go through `parse_answers`: the rule set may have changed since.
    """
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        raise ShareError("malformed token")
    padded = _padded(token)
    fernet = _fernet(secret)
    current = int(time.time()) if now is None else now
    try:
        stamped = fernet.extract_timestamp(padded)  # checks the HMAC first
        if stamped > current + CLOCK_SKEW:
            raise ShareError("token from the future")
        if current - stamped > max_age:
            raise ShareExpired("token expired")
        inflater = zlib.decompressobj(zdict=words) if words else zlib.decompressobj()
        payload = inflater.decompress(fernet.decrypt(padded), MAX_PAYLOAD)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ShareError("payload too large or truncated")
        raw = json.loads(payload)
    except (InvalidToken, zlib.error, ValueError, RecursionError) as error:
        raise ShareError("unreadable token") from error
    if not isinstance(raw, dict):
        raise ShareError("payload is not an object")
    return raw


def _padded(token: str) -> bytes:
    return (token + "=" * (-len(token) % 4)).encode("ascii")


def qr_svg(text: str, title: str, scale: int = 3, border: int = 4) -> str:
    """Return an inline SVG QR code of `text`: attributes only, no style, no script."""
    # A fixed mask: scoring all eight costs ~100 ms per page in pure Python, and the encrypted
    # token is random-looking data that scans well with any mask.
    code = segno.make(text, error="m", mask=0)
    size = len(code.matrix) + 2 * border
    # One rectangle per run of dark modules; a regex finds the runs faster than segno's writer.
    runs = "".join(
        f"M{x + border} {y + border}h{n}v1h-{n}z"
        for y, row in enumerate(code.matrix)
        for x, n in ((r.start(), r.end() - r.start()) for r in re.finditer(b"\x01+", bytes(row)))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size * scale}" '
        f'height="{size * scale}" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><title>{escape(title)}</title>'
        f'<path fill="#fff" d="M0 0h{size}v{size}H0z"/><path fill="#000" d="{runs}"/></svg>'
    )


# ---- the pages: open a share link, download from it, and the share section of the result ----

bp = Blueprint("share", __name__)


def _secret() -> str:
    return str(current_app.secret_key or "")


def max_age() -> int:
    """Return how long a share link stays valid, in seconds (BFR_SHARE_MAX_AGE_DAYS)."""
    return int(current_app.config.get("SHARE_MAX_AGE_DAYS", 30)) * 86_400


def _words() -> bytes:
    """Return the app's compression dictionary, built once from its rule set."""
    words: bytes | None = current_app.extensions.get("bfr_share_words")
    if words is None:
        words = current_app.extensions["bfr_share_words"] = vocabulary(ruleset())
    return words


def _answers(token: str) -> Answers:
    """Return the answers in a share token; a token the rule set no longer accepts is invalid."""
    raw = read_token(_secret(), token, max_age(), words=_words())
    try:
        return parse_answers(ruleset(), raw)
    except AnswersError as error:
        raise ShareError("answers no longer accepted") from error


def _error_page(error: ShareError) -> tuple[str, int]:
    expired = isinstance(error, ShareExpired)
    if expired:
        title = gettext("This link has expired")
        text = ngettext(
            "Share links work for %(num)s day. Nothing was stored, so the answers cannot be "
            "recovered: answer the questions again to see a result.",
            "Share links work for %(num)s days. Nothing was stored, so the answers cannot be "
            "recovered: answer the questions again to see a result.",
            current_app.config.get("SHARE_MAX_AGE_DAYS", 30),
        )
    else:
        title = gettext("This link does not work")
        text = gettext(
            "The link is incomplete or was changed, so the answers in it cannot be read. Check "
            "that the whole link was copied, or answer the questions again."
        )
    page = render_template("error.html", title=title, text=text, code=410 if expired else 400)
    return page, 410 if expired else 400


def share_url(token: str) -> str:
    """Return the full URL of a share link: what the page shows and the QR code holds."""
    return links().url("share.open", {"token": token, "_external": True})


def share_view(token: str, stamped: int) -> dict[str, Any]:
    """Describe a share link made at `stamped`: its URL, QR code, expiry and download links."""
    return {
        "url": share_url(token),
        "qr_url": link("share.qr", token=token),
        "expires": long_date(stamped + max_age()),
        "json_url": link("share.decision_json", token=token, audience="clinician"),
        "fhir_url": link("share.fhir_json", token=token, audience="clinician"),
    }


@bp.app_template_global()
def shared_link() -> dict[str, Any] | None:
    """On a result opened from a share link, describe that link (same token, same expiry)."""
    token = g.get("share_token")
    if token is None:
        return None
    return share_view(token, _fernet(_secret()).extract_timestamp(_padded(token)))


@bp.post("/share")
def make() -> str:
    """Make a share link for the answers in the signed field, when someone asks for one.

    Encrypting the answers is the dearest step of a result page, so it is done only here.
    """
    state = load_state(request.form.get("state"))
    stamped = int(time.time())
    token = make_token(_secret(), Answers(state.answers), stamped, words=_words())
    return render_template("share.html", share=share_view(token, stamped), state=dump_state(state))


def long_date(stamp: int) -> str:
    """Return the day of `stamp` as a long date in the request's language and time zone."""
    day = to_user_timezone(datetime.fromtimestamp(stamp, UTC)).date()
    return _long_date(day, locale())


@lru_cache(maxsize=64)
def _long_date(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)  # Babel's own: slow, hence the cache


@bp.get("/share/<token>", endpoint="open")
def open_link(token: str) -> str | tuple[str, int]:
    try:
        answers = _answers(token)
    except ShareError as error:
        return _error_page(error)
    chosen = request.args.get("audience")
    if chosen not in AUDIENCES:
        return render_template("share_choose.html", token=token)
    set_audience(chosen)
    g.share_token = token
    return render_result(State(dict(answers.values)))


def _download(token: str, build: Callable[[Answers, str], Any], mimetype: str, name: str) -> Any:
    try:
        answers = _answers(token)
    except ShareError as error:
        return _error_page(error)
    audience = request.args.get("audience", "clinician")
    audience = audience if audience in AUDIENCES else "clinician"
    response = json_response(build(answers, audience), mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/share/<token>/qr.svg")
def qr(token: str) -> Any:
    """Draw the QR code of a share link as its own image, so the result page stays light."""
    try:
        _answers(token)
    except ShareError as error:
        return _error_page(error)
    svg = qr_svg(share_url(token), gettext("QR code of the link to this result"))
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/share/<token>/result.json")
def decision_json(token: str) -> Any:
    return _download(token, decision_payload, "application/json", "bfr-triage-result.json")


@bp.get("/share/<token>/questionnaire-response.json")
def fhir_json(token: str) -> Any:
    return _download(
        token, questionnaire_response, FHIR, "bfr-triage-questionnaire-response.fhir.json"
    )


@bp.after_request
def private(response: Response) -> Response:
    """Keep shared answers out of search engines (security.py keeps them out of caches)."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


security.embeddable(bp)
