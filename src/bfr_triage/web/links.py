"""Choose the language and audience, and carry lang/audience/embed on every link and form."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, g, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .. import i18n
from ..engine import AUDIENCES
from . import templating

LANGUAGE_NAMES = {"en": "English", "da": "Dansk"}  # each in its own language: never translated


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _value(values: MultiDict[str, str], name: str) -> str | None:
    """Return the first value of `name`, if any: werkzeug's own get() raises and catches an
    exception for every name that is not there, the usual case here."""
    return values[name] if name in values else None


def _form_value(name: str) -> str | None:
    if request.method != "POST" or request.mimetype not in FORMS:  # JSON carries no switch
        return None
    try:
        return _value(request.form, name)
    except HTTPException:  # a body too large to read: the 413 page still needs a language
        return None


def select_locale() -> str:
    """Pick the locale: ?lang= (or the switch button), then Accept-Language, then the default."""
    cfg = current_app.config
    return (
        links().lang
        or (  # most API clients send no Accept-Language: nothing to parse
            "HTTP_ACCEPT_LANGUAGE" in request.environ
            and request.accept_languages.best_match(cfg["SUPPORTED_LOCALES"])
        )
        or cfg["DEFAULT_LOCALE"]
    )


def audience() -> str:
    """Return the audience of this request: a view's choice, else ?audience=, else patient."""
    return links().audience


def audience_given() -> bool:
    """Return whether the audience was named (?audience=, or embed.js's data-bfr-audience)."""
    return "audience" in links().params


def embedded() -> bool:
    """Return whether this page is shown inside a clinic's iframe (?embed=1)."""
    return links().embed


def set_audience(value: str) -> None:
    """Answer this request in `value`'s wording, whatever ?audience= says (links carry it)."""
    g.bfr_links = Links(value)


URL_CACHE_SIZE = 1024  # built URLs kept across requests; the cache is emptied when full
TOKEN = "TOKEN"  # stands for the share token in a kept URL
SHARE_TOKEN = re.compile(r"[A-Za-z0-9_-]+")  # what url_for leaves as it is in a path


class Links:
    """Build the URLs of one request: its carried parameters, its script root, the app's cache.

    A relative URL depends only on the route, the values and where the app is mounted (the
    script root, which a proxy may set), so those are the cache's key (and the host, for a full
    URL). Only fixed values are kept — languages, audiences, page ids, anchors: a share token
    comes from the answers, so a URL is kept with TOKEN in its place and the token put in.
    """

    def __init__(self, chosen_audience: str | None = None) -> None:
        supported, args = current_app.config["SUPPORTED_LOCALES"], request.args
        # The language asked for by a switch button, else by ?lang=, if supported.
        asked_lang = (x for x in (_form_value("lang"), _value(args, "lang")) if x in supported)
        self.lang: str | None = next(asked_lang, None)
        asked = chosen_audience or _value(args, "audience")
        self.audience = asked if asked in AUDIENCES else "patient"
        self.embed = _value(args, "embed") == "1"
        # What every link and form of the page carries on: what was asked for, nothing else.
        self.params = {
            **({"lang": self.lang} if self.lang else {}),
            **({"audience": self.audience} if asked in AUDIENCES else {}),
            **({"embed": "1"} if self.embed else {}),
        }
        self.root = request.script_root
        self.urls: dict[tuple[Any, ...], str] = current_app.extensions["bfr_urls"]

    def __call__(self, endpoint: str, **values: Any) -> str:
        """Build a URL for `endpoint` that keeps the carried parameters (explicit values win)."""
        return self.url(endpoint, {**self.params, **values})

    def url(self, endpoint: str, values: dict[str, Any]) -> str:
        """Build a URL for `endpoint` with exactly `values`."""
        token = values.get("token")
        if token is None:
            return self.cached(endpoint, values)
        if not SHARE_TOKEN.fullmatch(token):  # not a URL-safe token: quoted by url_for
            return url_for(endpoint, **values)
        kept = self.cached(endpoint, {**values, "token": TOKEN})
        return kept.replace(TOKEN, token) if kept.count(TOKEN) == 1 else url_for(endpoint, **values)

    def static(self, filename: str) -> str:
        """Return the URL of a file in static/ (without the carried parameters)."""
        return self.cached("static", {"filename": filename})

    def cached(self, endpoint: str, values: dict[str, Any]) -> str:
        try:
            key = (self.root, endpoint, *values.items())
            if values.get("_external"):
                key += (request.host_url,)
            return self.urls[key]
        except KeyError:
            if len(self.urls) >= URL_CACHE_SIZE:
                self.urls.clear()
            url = self.urls[key] = url_for(endpoint, **values)
            return url
        except TypeError:  # an unhashable value (a list): build it every time
            return url_for(endpoint, **values)


def links() -> Links:
    """Return this request's link builder, with what it was asked for: made once per request."""
    found: Links | None = g.get("bfr_links")
    if found is None:
        found = g.bfr_links = Links()
    return found


def link(endpoint: str, **values: Any) -> str:
    """Build a URL for `endpoint` that keeps the carried parameters (explicit values win)."""
    return links()(endpoint, **values)


def other_languages(current: str) -> list[tuple[str, str]]:
    """Return (code, name) of each language the page can switch to from `current`."""
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
    lang, built = i18n.locale(), links()
    return {
        "link": built,
        "static_url": built.static,
        "switch_url": switch_url,
        "lang": lang,
        "audience": built.audience,
        "embed": built.embed,
        "other_languages": other_languages(lang),
    }


def init_app(app: Flask) -> None:
    """Make the link helper and page flags available in every template."""
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # smaller pages
    app.context_processor(_template_context)
    app.extensions["bfr_urls"] = {}
    templating.init_app(app)
