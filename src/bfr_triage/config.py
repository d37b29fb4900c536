"""Configuration: the defaults, validation of the `BFR_*` settings, and the proxy trust."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

# Known to everyone who reads this file: a production instance must never run with it.
DEV_SECRET_KEY = "bfr-triage-development-key-not-secret"

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "SECRET_KEY": DEV_SECRET_KEY,
    "FRAME_ANCESTORS": (),
    "CORS_ORIGINS": (),
    "STATE_MAX_AGE": 86_400,
    "SHARE_MAX_AGE_DAYS": 30,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "TRUST_PROXY": 0,
    "DEFAULT_LOCALE": "en",
    "BRAND_COLOUR": "",
    "LOGO_URL": "",
    "FHIR_BASE_URL": "",
}

ENVIRONMENTS = ("production", "development")
LOCALES = ("en", "da")
MIN_SECRET_LENGTH = 16
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_LOGO_PATH = re.compile(r"/(?!/)[A-Za-z0-9._~/-]*")


class ConfigError(ValueError):
    """A setting has a value the app cannot start with."""


def init_app(app: Flask) -> None:
    """Validate and normalise the loaded settings, refuse unsafe ones, apply the proxy trust."""
    cfg = app.config
    env = cfg["ENV"] = _choice(cfg, "ENV", ENVIRONMENTS)
    cfg["FRAME_ANCESTORS"] = parse_origins(cfg.get("FRAME_ANCESTORS"), "FRAME_ANCESTORS")
    cfg["CORS_ORIGINS"] = parse_origins(cfg.get("CORS_ORIGINS"), "CORS_ORIGINS", allow_any=True)
    cfg["STATE_MAX_AGE"] = _integer(cfg, "STATE_MAX_AGE", 60, 30 * 86_400)
    cfg["SHARE_MAX_AGE_DAYS"] = _integer(cfg, "SHARE_MAX_AGE_DAYS", 1, 3650)
    cfg["MAX_CONTENT_LENGTH"] = _integer(cfg, "MAX_CONTENT_LENGTH", 1024, 16 * 1024 * 1024)
    cfg["TRUST_PROXY"] = _integer(cfg, "TRUST_PROXY", 0, 5)
    cfg["DEFAULT_LOCALE"] = _choice(
        cfg, "DEFAULT_LOCALE", tuple(cfg.get("SUPPORTED_LOCALES", LOCALES))
    )
    cfg["BABEL_DEFAULT_LOCALE"] = cfg["DEFAULT_LOCALE"]
    cfg["BRAND_COLOUR"] = _matching(cfg, "BRAND_COLOUR", _HEX_COLOUR, "a hex colour like #1d70b8")
    cfg["LOGO_URL"] = _matching(
        cfg, "LOGO_URL", _LOGO_PATH, "a path on this server like /static/logo.png"
    )
    cfg["FHIR_BASE_URL"] = _base_url(cfg, "FHIR_BASE_URL")
    cfg["SECRET_KEY"] = _text(cfg.get("SECRET_KEY"))
    if env == "production" and not (app.debug or app.testing):
        _refuse_weak_secret(cfg["SECRET_KEY"])
    if cfg["TRUST_PROXY"]:
        n = cfg["TRUST_PROXY"]
        # Only as many hops as configured: a client cannot forge what a trusted proxy overwrote.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n
        )


def parse_origins(value: Any, key: str, *, allow_any: bool = False) -> tuple[str, ...]:
    """Return the origins in `value` (space/comma separated text or a list), each checked."""
    if value is None or value == "":
        return ()
    items: Iterable[Any] = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f"BFR_{key}: expected origins separated by spaces, got {value!r}")
    origins = tuple(_origin(item, key, allow_any) for item in items)
    if "*" in origins and len(origins) > 1:
        raise ConfigError(f"BFR_{key}: '*' cannot be combined with other origins")
    return tuple(dict.fromkeys(origins))


def _origin(item: Any, key: str, allow_any: bool) -> str:
    if allow_any and item == "*":
        return "*"
    problem = f"BFR_{key}: {item!r} is not an origin like https://clinic.example"
    if not isinstance(item, str) or any(c in item for c in "\\'\";*\x00 \t\r\n"):
        raise ConfigError(problem)
    try:
        parts = urlsplit(item.strip())
        port = parts.port
    except ValueError:
        raise ConfigError(problem) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(problem)
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def _base_url(cfg: dict[str, Any], key: str) -> str:
    value = _text(cfg.get(key)).strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
    ):
        raise ConfigError(f"BFR_{key}: {value!r} is not a URL like https://clinic.example/fhir")
    return value


def _refuse_weak_secret(secret: str) -> None:
    if not secret or secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            "BFR_SECRET_KEY: refusing to start in production without a secret key of at least "
            f"{MIN_SECRET_LENGTH} characters (it is missing, too short or the development "
            "default). Set one, e.g. BFR_SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_hex(32))'), the same on every instance; or set "
            "BFR_ENV=development on a developer's machine."
        )


def _text(value: Any) -> str:
    # from_prefixed_env turns BFR_SECRET_KEY=12345 into an int: a secret is always text.
    return "" if value is None else str(value)


def _choice(cfg: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = _text(cfg.get(key)).strip().lower()
    if value not in allowed:
        raise ConfigError(f"BFR_{key}: {cfg.get(key)!r} is not one of {', '.join(allowed)}")
    return value


def _integer(cfg: dict[str, Any], key: str, low: int, high: int) -> int:
    value = cfg.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"BFR_{key}: {value!r} is not a whole number from {low} to {high}")
    return value


def _matching(cfg: dict[str, Any], key: str, pattern: re.Pattern[str], example: str) -> str:
    value = _text(cfg.get(key)).strip()
    if value and not pattern.fullmatch(value):
        raise ConfigError(f"BFR_{key}: {cfg.get(key)!r} is not {example}")
    return value
