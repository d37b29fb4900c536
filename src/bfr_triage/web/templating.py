"""Templates compiled once per locale, with their fixed texts already translated."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from flask import Flask, has_request_context
from flask.templating import Environment
from jinja2 import BaseLoader, Template, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import EvalContext
from markupsafe import Markup

from ..i18n import catalogue, catalogue_for, locale


# Not pass_context: Jinja would copy the context for each call made where a block or loop sets
# a variable.
@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """Do what Jinja's newstyle `_()` does (escape, always %-format), with this catalogue."""
    text = catalogue().gettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


LOCALE_MARK = ":"  # "da:result.html" is result.html compiled for Danish


class LocalisedEnvironment(Environment):
    """Compile each template once per locale: in a Danish request `result.html` is `da:result.html`.

    What it includes, imports or extends is compiled for the same locale. Outside a request a
    template keeps its plain name and translates its texts when rendered, through `_`.
    """

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self.loader = _PlainNames(self.loader)
        self.add_extension(TranslateFixedTexts)
        # (name, parent) -> template, when templates are never reloaded: Jinja's own cache
        # takes a lock and makes a weak reference on each of the 3 loads of every page.
        self.loaded: dict[tuple[str, str | None], Template] = {}

    def get_template(
        self, name: str | Template, parent: str | None = None, globals: Any = None
    ) -> Template:
        if globals:  # Jinja would add them to a loaded template's globals: here, everyone's
            raise TypeError("templates here take no globals of their own (see make_globals)")
        if not isinstance(name, str):
            return super().get_template(name, parent)
        if parent is None and has_request_context():
            name = f"{locale()}{LOCALE_MARK}{_plain(name)}"
        found = self.loaded.get((name, parent))
        if found is None:
            found = super().get_template(name, parent)
            if not self.auto_reload:
                self.loaded[name, parent] = found
        return found

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """Give a template with no globals of its own the environment's dict itself.

        Jinja lays a template's globals over the environment's in a ChainMap, which it then walks
        key by key on every render and every import (≈ 10 % of a result page).
        """
        return super().make_globals(d) if d else self.globals

    def join_path(self, template: str, parent: str) -> str:
        locale, mark, _ = parent.partition(LOCALE_MARK)
        return f"{locale}{mark}{template}" if mark else template


def _plain(name: str) -> str:
    return name.partition(LOCALE_MARK)[2] or name


class _PlainNames(BaseLoader):
    """Load `da:result.html` from the file `result.html`."""

    def __init__(self, loader: BaseLoader | None) -> None:
        assert loader is not None
        self.loader = loader

    def get_source(self, environment: Any, template: str) -> Any:
        return self.loader.get_source(environment, _plain(template))

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


class TranslateFixedTexts(Extension):
    """Replace `_('text')` by its translation when a template is compiled for a locale.

    `_('text')` becomes the constant `('tekst'|safe)`, which Jinja folds into the page's static
    text; `_('text %(x)s', x=y)` becomes `(('tekst %(x)s'|safe) % {'x': y})`. Both give what
    `template_gettext` gives at render time: the translation marked safe, the values escaped.
    """

    def filter_stream(self, stream: TokenStream) -> TokenStream | Iterator[Token]:
        locale, mark, plain = (stream.name or "").partition(LOCALE_MARK)
        autoescape = self.environment.autoescape
        if not mark or not (autoescape(plain) if callable(autoescape) else autoescape):
            return stream
        return translate_tokens(list(stream), catalogue_for(locale).gettext)


def translate_tokens(tokens: list[Token], gettext: Callable[[str], str]) -> Iterator[Token]:
    """Yield `tokens` with each `_('fixed text', ...)` call replaced by its translation."""
    depth = 0  # brackets open
    calls: list[int] = []  # the depth inside each rewritten call that has variables
    i = 0
    while i < len(tokens):
        token, line = tokens[i], tokens[i].lineno
        shape = [t.type for t in tokens[i + 1 : i + 4]]
        if (
            token.test("name:_")
            and shape[:2] == ["lparen", "string"]
            and shape[2:] in (["rparen"], ["comma"])
            and not (i and tokens[i - 1].type == "dot")
        ):
            text = gettext(tokens[i + 2].value)
            with_variables = shape[2] == "comma"
            try:
                text = text if with_variables else text % {}  # as `_()` always formats
            except (KeyError, TypeError, ValueError):  # leave it to fail as it would have
                yield token
                i += 1
                continue
            safe = [("lparen", "("), ("string", text), ("pipe", "|"), ("name", "safe")]
            safe.append(("rparen", ")"))
            if with_variables:  # (('text'|safe) % {...})
                safe = [("lparen", "("), *safe, ("mod", "%"), ("lbrace", "{")]
                depth += 1
                calls.append(depth)
            yield from (Token(line, kind, value) for kind, value in safe)
            i += 4
            continue
        inside = bool(calls) and depth == calls[-1]
        if inside and token.type == "name" and i + 1 < len(tokens) and tokens[i + 1].test("assign"):
            yield from (Token(line, "string", token.value), Token(line, "colon", ":"))
            i += 2
            continue
        if inside and token.type == "rparen":
            yield from (Token(line, "rbrace", "}"), Token(line, "rparen", ")"))
            calls.pop()
        else:
            yield token
        depth += token.type in ("lparen", "lbracket", "lbrace")
        depth -= token.type in ("rparen", "rbracket", "rbrace")
        i += 1


def init_app(app: Flask) -> None:
    """Give the templates the same catalogue: `_` and `gettext` instead of Flask-Babel's."""
    env = app.jinja_env
    env.install_gettext_callables(  # type: ignore[attr-defined]  (added by jinja2.ext.i18n)
        gettext=lambda s: catalogue().gettext(s),
        ngettext=lambda s, p, n: catalogue().translations.ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: catalogue().translations.upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().translations.unpgettext(c, s, p, n),
    )
    env.globals["_"] = env.globals["gettext"] = template_gettext
