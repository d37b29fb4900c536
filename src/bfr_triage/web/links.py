"""Choose the language and audience, and carry lang/audience/embed on every link and form."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request, url_for
from werkzeug.exceptions import HTTPException

from ..engine import RuleSet
from . import i18n
from .labels import INTENDED_USE

AUDIENCES = ("patient", "clinician")
LANGUAGE_NAMES = {"en": "English", "da": "Dansk"}  # each in its own language: never translated


def ruleset() -> RuleSet:
    """Return the rule set loaded once when the app started."""
    rs: RuleSet = current_app.extensions["bfr_ruleset"]
    return rs


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_value(name: str) -> str | None:
    if request.method != "POST" or request.mimetype not in FORMS:  # JSON carries no switch
        return None
    try:
        return request.form.get(name)
    except HTTPException:  # a body too large to read: the 413 page still needs a language
        return None


def chosen_lang() -> str | None:
    """Return the language asked for by a switch button or ?lang=, if supported."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    for lang in (_form_value("lang"), request.args.get("lang")):
        if lang in supported:
            return lang
    return None


def select_locale() -> str | None:
    """Pick the locale: ?lang= (or the switch button), then Accept-Language, then the default."""
    return chosen_lang() or request.accept_languages.best_match(
        current_app.config["SUPPORTED_LOCALES"]
    )


def audience() -> str:
    """Return the audience of this request: a view's override, else ?audience=, else patient."""
    value = g.get("audience") or request.args.get("audience")
    return value if value in AUDIENCES else "patient"


URL_CACHE_SIZE = 1024  # built URLs kept across requests; the cache is emptied when full


def _links() -> dict[str, str]:
    # Worked out once per request (a page builds dozens of links); again if a view then
    # sets the audience itself.
    override = g.get("audience")
    found: tuple[str | None, dict[str, str]] | None = g.get("bfr_links")
    if found is None or found[0] != override:
        found = g.bfr_links = (override, _carried())
    return found[1]


def carried() -> dict[str, str]:
    """Return the URL parameters every link and form action of this page must carry."""
    return dict(_links())


def _carried() -> dict[str, str]:
    out: dict[str, str] = {}
    lang = chosen_lang()
    if lang:
        out["lang"] = lang
    if g.get("audience") or request.args.get("audience") in AUDIENCES:
        out["audience"] = audience()
    if request.args.get("embed") == "1":
        out["embed"] = "1"
    return out


def link(endpoint: str, **values: Any) -> str:
    """Build a URL for `endpoint` that keeps the carried parameters (explicit values win)."""
    values = {**_links(), **values}
    if "token" in values:  # a share token comes from the answers: never kept
        return url_for(endpoint, **values)
    return cached_url(endpoint, values)


def cached_url(endpoint: str, values: dict[str, Any]) -> str:
    """Return `url_for(endpoint, **values)`, kept across requests.

    A relative URL depends only on the route, the values and where the app is mounted (the
    script root, which a proxy may set), so those are the key. Only fixed values reach here:
    languages, audiences, page ids, anchors — nothing that comes from the answers.
    """
    urls: dict[tuple[Any, ...], str] = current_app.extensions.setdefault("bfr_urls", {})
    try:
        key = (request.script_root, endpoint, *values.items())
        return urls[key]
    except KeyError:
        if len(urls) >= URL_CACHE_SIZE:
            urls.clear()
        url = urls[key] = url_for(endpoint, **values)
        return url
    except TypeError:  # an unhashable value (a list): build it every time
        return url_for(endpoint, **values)


def static_url(filename: str) -> str:
    """Return the URL of a file in static/ (without the carried parameters)."""
    return cached_url("static", {"filename": filename})


def other_languages() -> list[tuple[str, str]]:
    """Return (code, name) of each language the page can switch to."""
    from flask_babel import get_locale

    current = str(get_locale())
    return [
        (c, LANGUAGE_NAMES.get(c, c))
        for c in current_app.config["SUPPORTED_LOCALES"]
        if c != current
    ]


def switch_url(code: str) -> str:
    """Return a link that shows this GET page in language `code`; else the start page."""
    if request.method == "GET" and request.endpoint and request.url_rule is not None:
        return link(request.endpoint, lang=code, **(request.view_args or {}))
    return link("web.start", lang=code)


def _template_context() -> dict[str, Any]:
    from flask_babel import get_locale

    return {
        "link": link,
        "static_url": static_url,
        "switch_url": switch_url,
        "lang": str(get_locale()),
        "audience": audience(),
        "embed": request.args.get("embed") == "1",
        "other_languages": other_languages(),
        "intended_use_text": str(INTENDED_USE),
    }


def init_app(app: Flask) -> None:
    """Make the link helper and page flags available in every template."""
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # smaller pages
    app.context_processor(_template_context)
    i18n.init_app(app)
