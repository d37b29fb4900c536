"""Templates compiled for a locale show exactly what translating at render time would show."""

from __future__ import annotations

import jinja2
import pytest
from flask import Flask, render_template

from bfr_triage.i18n import catalogue

# Fixed texts with and without variables, in output, in a filter, in a dict, with brackets
# and a ")" inside the variables, a text that is not fixed, and a %% that `_()` formats away.
SOURCE = (
    "<p>{{ _('Why') }}</p><p>{{ _('Do not cuff: %(limbs)s', limbs=x ~ ')') }}</p>"
    "<p>{{ _('Change')|upper }}</p><p>{{ {'a': _('Result')}['a'] }}</p>"
    "<p>{{ _('Threshold: %(value)s/10.', value=(7, 8)[0]) }}</p><p>{{ _(y) }}</p>"
    "<p>{{ _('100%% sure') }}</p>"
)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_compiled_texts_match_render_time_translation(app: Flask, lang: str) -> None:
    app.jinja_loader = jinja2.DictLoader({"t.html": SOURCE})  # type: ignore[method-assign]
    with app.test_request_context(f"/?lang={lang}"):
        compiled = render_template("t.html", x="<b>", y="Why")
        name = app.jinja_env.get_template("t.html").name
        # The plain Jinja lookup skips the locale: `_` is called when the page is rendered.
        at_render = jinja2.Environment.get_template(app.jinja_env, "t.html").render(
            x="<b>", y="Why"
        )
        why = catalogue().gettext("Why")
    assert name == f"{lang}:t.html"
    assert compiled == at_render
    assert f"<p>{why}</p>" in compiled
    assert "&lt;b&gt;)" in compiled and "<b>" not in compiled
    assert "100% sure" in compiled
    if lang == "da":
        assert why != "Why"


def test_fixed_texts_become_static_text(app: Flask) -> None:
    with app.test_request_context("/?lang=da"):
        code = app.jinja_env.compile("{{ _('Why') }} {{ _('Change') }}", "da:t.html", raw=True)
        expected = f"{catalogue().gettext('Why')} {catalogue().gettext('Change')}"
    assert "context.call" not in code  # no gettext call left to make per page
    assert repr(expected) in code


def test_included_templates_follow_the_page_locale(app: Flask) -> None:
    with app.test_request_context("/?lang=da"):
        page = app.jinja_env.get_template("result.html")
        base = app.jinja_env.get_template("base.html", parent=page.name)
    assert (page.name, base.name) == ("da:result.html", "da:base.html")


def test_templates_share_the_environment_globals_and_take_none_of_their_own(app: Flask) -> None:
    app.jinja_loader = jinja2.DictLoader(  # type: ignore[method-assign]
        {
            "t.html": '{% import "m.html" as m %}{{ m.hi() }}',
            "m.html": "{% macro hi() %}{{ greeting }}{% endmacro %}",
        }
    )
    env = app.jinja_env
    with app.test_request_context("/"):
        page = env.get_template("t.html")
        env.globals["greeting"] = "hello"  # added after loading: still seen, as with Jinja's own
        assert render_template("t.html") == "hello"
        with pytest.raises(TypeError):  # would otherwise be added to every template's globals
            env.get_template("t.html", globals={"greeting": "bye"})
    assert page.globals is env.globals
    assert env.globals["greeting"] == "hello"
