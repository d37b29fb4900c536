"""For clinics: the embedding guide, a demo host page, and the clinic theme from configuration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, url_for
from markupsafe import escape

from ..i18n import gettext, locale

# Not marked embeddable: these pages are for the clinic's staff, never shown inside a frame.
bp = Blueprint("embed", __name__)

THEME_MAX_AGE = 86_400  # seconds; the URL changes with the settings, so a long cache is safe


def _luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a #rgb or #rrggbb colour."""
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_on(colour: str) -> str:
    """Return black or white, whichever contrasts more with `colour`."""
    lum = _luminance(colour)
    return "#000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#fff"


def theme_css_text(colour: str) -> str:
    """Return the theme stylesheet: CSS custom properties set from the validated settings only."""
    lines = ["/* bfr-triage clinic theme, generated from BFR_BRAND_COLOUR and BFR_LOGO_URL */"]
    if colour:
        # app.css paints the header and the main button with these, text in the --on- colour.
        on = text_on(colour)
        lines.append(
            f":root {{ --brand: {colour}; --on-brand: {on}; "
            f"--brand-button: {colour}; --on-brand-button: {on}; }}"
        )
    lines.append(".clinic-logo { display: block; max-height: 3rem; max-width: 12rem; }")
    return "\n".join(lines) + "\n"


@bp.app_context_processor
def _theme() -> dict[str, Any]:
    cfg = current_app.config
    colour, logo = cfg.get("BRAND_COLOUR", ""), cfg.get("LOGO_URL", "")
    css = url_for("embed.theme_css", v=colour.lstrip("#") or None) if colour or logo else None
    return {"theme": {"css": css, "logo": logo}}


@bp.get("/theme.css")
def theme_css() -> Response:
    # BRAND_COLOUR was checked to be a hex colour when the app started (config.init_app).
    response = Response(
        theme_css_text(current_app.config.get("BRAND_COLOUR", "")), mimetype="text/css"
    )
    response.cache_control.public = True
    response.cache_control.max_age = THEME_MAX_AGE
    return response


def snippet(lang: str) -> str:
    """Return the HTML a clinic pastes into its page, with this server's address filled in."""
    start = url_for("web.start", lang=lang, _external=True)
    script = url_for("static", filename="embed.js", _external=True)
    label = gettext("Is BFR training an option for you? Answer the questionnaire")
    return (
        f'<div id="bfr-triage"><a href="{escape(start)}">{escape(label)}</a></div>\n'
        f'<script src="{escape(script)}" data-bfr-target="bfr-triage"\n'
        f'        data-bfr-lang="{escape(lang)}" data-bfr-audience="patient" defer></script>'
    )


@bp.get("/embed")
def guide() -> str:
    cfg = current_app.config
    lang = locale()
    return render_template(
        "embed.html",
        snippet=snippet(lang),
        example_url=url_for("web.start", lang=lang, audience="patient", embed=1, _external=True),
        ancestors=cfg.get("FRAME_ANCESTORS", ()),
        brand_colour=cfg.get("BRAND_COLOUR", ""),
        logo_url=cfg.get("LOGO_URL", ""),
    )


@bp.get("/embed/demo")
def demo() -> str:
    return render_template("embed_demo.html")
