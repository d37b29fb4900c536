"""bfr-triage: is blood flow restriction training a reasonable first-line option?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import config as settings
from . import security
from .engine import load_ruleset
from .extensions import babel
from .paths import data_dir
from .web.i18n import LocalisedEnvironment

# The BFR_* settings and their defaults live in config.py; these are the app's own.
DEFAULTS: dict[str, Any] = {
    "BABEL_DEFAULT_LOCALE": "en",
    "SUPPORTED_LOCALES": ("en", "da"),
    "RULES_DIR": None,
}


class App(Flask):
    """Flask, with templates compiled once per locale (their fixed texts translated then)."""

    jinja_environment = LocalisedEnvironment


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then BFR_* environment variables, then `config` (for tests)."""
    app = App(
        __name__,
        instance_path=str(data_dir("instance")),
        template_folder=str(data_dir("templates")),
        static_folder=str(data_dir("static")),
    )
    app.config.from_mapping({**DEFAULTS, **settings.DEFAULTS})
    app.config.from_prefixed_env("BFR")
    if config:
        app.config.from_mapping(config)
    settings.init_app(app)  # check every setting; refuse a weak secret key in production
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(data_dir("translations")))

    # Load the rule set once: a bad rule set stops the app here, never per request.
    app.extensions["bfr_ruleset"] = load_ruleset(app.config["RULES_DIR"] or data_dir("rules"))

    from .web import embed, errors, views
    from .web.links import init_app as init_links
    from .web.links import select_locale

    babel.init_app(app, locale_selector=select_locale)
    init_links(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(errors.bp)
    app.register_blueprint(embed.bp)  # /embed, /embed/demo, /theme.css (never framed)
    security.init_app(app)
    security.embeddable(views.bp)  # the questionnaire may be framed by the configured clinics

    from . import api, share

    app.register_blueprint(api.bp)  # /api/v1 (JSON, OpenAPI, FHIR); problem+json under /api/
    app.register_blueprint(share.bp)  # /share/<token>: encrypted, expiring share links

    return app
