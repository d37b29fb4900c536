"""Translate with one catalogue lookup per request; static rule labels translated once per locale.

Flask-Babel finds the request's catalogue anew on every gettext call (several context-local
lookups each), and a result page makes hundreds of calls. Here the catalogue is found once per
request and kept on `g`; what is cached across requests is only the translation of static texts
(the rule set's labels) per locale, never anything that depends on the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar

import flask_babel
from babel import support
from flask import Flask, current_app, g
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

T = TypeVar("T")


class Catalogue:
    """One locale's translations, and the static texts already translated with them."""

    def __init__(self, translations: support.NullTranslations) -> None:
        self.translations = translations
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
        return Catalogue(support.NullTranslations())
    if found is None:
        translations = flask_babel.get_translations()
        catalogues: dict[str, Catalogue] = current_app.extensions["bfr_catalogues"]
        key = str(flask_babel.get_locale())
        found = catalogues.get(key)
        if found is None or found.translations is not translations:
            found = catalogues[key] = Catalogue(translations)
        g.bfr_catalogue = found
    return found


def gettext(string: str, **variables: Any) -> str:
    """Translate `string` into this request's language and fill in %(name)s placeholders."""
    text = catalogue().gettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Return a string translated when it is used (module-level labels)."""
    return LazyString(gettext, string, **variables)


# Not pass_context: Jinja would copy the context for each call made where a block or loop sets
# a variable.
@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """Do what Jinja's newstyle `_()` does (escape, always %-format), with this catalogue."""
    text = catalogue().gettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def init_app(app: Flask) -> None:
    """Give the templates the same catalogue: `_` and `gettext` instead of Flask-Babel's."""
    app.extensions["bfr_catalogues"] = {}
    env = app.jinja_env
    env.install_gettext_callables(  # type: ignore[attr-defined]  (added by jinja2.ext.i18n)
        gettext=lambda s: catalogue().gettext(s),
        ngettext=lambda s, p, n: catalogue().translations.ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: catalogue().translations.upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().translations.unpgettext(c, s, p, n),
    )
    env.globals["_"] = env.globals["gettext"] = template_gettext
