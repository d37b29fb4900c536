"""Every HTML page: the questionnaire, the result, share links, the embed pages, error pages."""

from __future__ import annotations

from flask import Flask

from . import embed, errors, info, intake, links, share, views  # each adds its routes
from .blueprint import bp


def init_app(app: Flask) -> None:
    """Register the pages: the questionnaire, error pages, the embed pages and share links."""
    links.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(errors.bp)
    app.register_blueprint(embed.bp)  # /embed, /embed/demo, /theme.css (never framed)
    app.register_blueprint(share.bp)  # /share/<token>: encrypted, expiring share links


__all__ = ["info", "init_app", "intake", "views"]
