"""Translate with one catalogue lookup per request, for the pages and the API alike.

Flask-Babel finds the request's catalogue anew on every gettext call (several context-local
lookups each), and a result page makes hundreds of calls. Here the catalogue is found once per
request and kept on `g`; what is cached across requests is only the translation of fixed texts
per locale — the rule set's labels, and the templates' `_('...')` texts (see web/templating.py) —
never anything that depends on the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar

import flask_babel
from babel import support
from flask import Flask, current_app, g
from flask_babel.speaklater import LazyString

T = TypeVar("T")


class Catalogue:
    """One locale's translations, and the static texts already translated with them."""

    def __init__(self, translations: support.NullTranslations, locale: str) -> None:
        self.translations, self.locale = translations, locale
        self.gettext: Callable[[str], str] = translations.ugettext
        self._memo: dict[Hashable, Any] = {}

    @cached_property
    def identity(self) -> bool:
        """Return whether every text translates to itself (the source language, English)."""
        if getattr(self.translations, "_fallback", None) is not None:
            return False
        messages: dict[Any, Any] = getattr(self.translations, "_catalog", {})
        return all(msgid == msgstr for msgid, msgstr in messages.items() if msgid)

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the value cached under `key` for this locale, built on first use."""
        try:
            value: T = self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
        return value


def catalogue() -> Catalogue:
    """Return the catalogue of this request's locale (the source texts outside an app)."""
    try:
        found: Catalogue | None = g.get("bfr_catalogue")
    except RuntimeError:  # no app context: untranslated, as Flask-Babel does; nothing kept
        return Catalogue(support.NullTranslations(), "en")
    if found is None:
        # The app's own locale selector: flask_babel.get_locale() would also parse a
        # babel.Locale, which nothing here needs, on every request.
        found = g.bfr_catalogue = catalogue_for(flask_babel.get_babel().locale_selector())
    return found


def locale() -> str:
    """Return this request's language code ("en", "da")."""
    return catalogue().locale


def catalogue_for(locale: str) -> Catalogue:
    """Return the catalogue of `locale`, whatever the request's own locale is."""
    # Flask-Babel loads a locale's translations once per app and keeps them; so do we.
    catalogues: dict[str, Catalogue] = current_app.extensions["bfr_catalogues"]
    found = catalogues.get(locale)
    if found is None:
        with flask_babel.force_locale(locale):
            found = catalogues[locale] = Catalogue(flask_babel.get_translations(), locale)
    return found


def gettext(string: str, **variables: Any) -> str:
    """Translate `string` into this request's language and fill in %(name)s placeholders."""
    text = catalogue().gettext(string)
    return text % variables if variables else text


def rule_text(text: str) -> str:
    """Translate an English rule text; an empty text stays empty (not the catalogue's header)."""
    return catalogue().gettext(text) if text else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Return a string translated when it is used (module-level labels)."""
    return LazyString(gettext, string, **variables)


def init_app(app: Flask) -> None:
    """Keep each locale's catalogue for the app's lifetime (built on first use)."""
    app.extensions["bfr_catalogues"] = {}
