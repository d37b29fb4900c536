"""bfr-triage: is blood flow restriction training a reasonable first-line option?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import MethodNotAllowed

from . import compression, i18n, security
from . import config as settings
from .engine import load_ruleset
from .extensions import babel
from .paths import data_dir
from .web.templating import LocalisedEnvironment

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

    from . import api, web
    from .web.links import select_locale

    babel.init_app(app, locale_selector=select_locale)
    i18n.init_app(app)
    web.init_app(app)
    security.init_app(app)
    compression.init_app(app)  # gzip, brotli or zstd when the client accepts it
    app.register_blueprint(api.bp)  # /api/v1 (JSON, OpenAPI, FHIR); problem+json under /api/

    def method_not_allowed(error: MethodNotAllowed) -> ResponseReturnValue:
        # A method no route lists (TRACE, FOO) reaches no blueprint's handlers: route it by path.
        api_path = request.path.startswith("/api/")
        return (api.method_not_allowed if api_path else web.errors.method_not_allowed)(error)

    app.register_error_handler(MethodNotAllowed, method_not_allowed)

    return app
