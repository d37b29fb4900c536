"""Configuration: the defaults, validation of the `BFR_*` settings, the proxy trust and the
public address."""

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
    "PUBLIC_URL": "",
    "TRUSTED_HOSTS": None,
}

ENVIRONMENTS = ("production", "development")
LOCALES = ("en", "da")
MIN_SECRET_LENGTH = 32
MIN_SECRET_SYMBOLS = 8  # different characters: "aaaa…" or "abab…" is no secret
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
# Without BFR_PUBLIC_URL or BFR_TRUSTED_HOSTS, a developer's machine answers these Host names only.
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_LOGO_PATH = re.compile(r"/(?!/)[A-Za-z0-9._~/-]*")
_PATH_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~-]+)*")
_HOST_NAME = re.compile(r"(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?")


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
    if env == "production":
        # Only BFR_ENV=development relaxes a check: debug and testing modes are not a way round.
        for flag in ("DEBUG", "TESTING"):
            if cfg.get(flag):
                raise ConfigError(
                    f"BFR_{flag}: refusing to start in production with {flag.lower()} on; "
                    "set BFR_ENV=development on a developer's machine"
                )
        _refuse_weak_secret(cfg["SECRET_KEY"])
    public = cfg["PUBLIC_URL"] = public_url(cfg.get("PUBLIC_URL"))
    cfg["TRUSTED_HOSTS"] = _hosts(cfg, public, env)
    if cfg["TRUST_PROXY"]:
        n = cfg["TRUST_PROXY"]
        # Only as many hops as configured: a client cannot forge what a trusted proxy overwrote.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n
        )
    if public:
        app.wsgi_app = PublicAddress(app.wsgi_app, public)  # type: ignore[method-assign]


class PublicAddress:
    """Give every request the scheme, host and path prefix of BFR_PUBLIC_URL.

    Every absolute URL (share link, QR code, embed snippet, FHIR canonical URLs) is then built
    from the configured address, whatever Host or X-Forwarded-* header a request carries.
    """

    def __init__(self, app: Any, url: str) -> None:
        parts = urlsplit(url)
        self.app = app
        self.scheme, self.host, self.prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


def public_url(value: Any) -> str:
    """Return BFR_PUBLIC_URL checked and normalised (a non-ASCII host in punycode), or ""."""
    text = _text(value).strip()
    if not text:
        return ""
    problem = f"BFR_PUBLIC_URL: {text!r} is not an address like https://triage.clinic.example"
    parts = urlsplit(text)
    path = parts.path.rstrip("/")
    if parts.query or parts.fragment or not _PATH_PREFIX.fullmatch(path):
        raise ConfigError(problem)
    return _origin(f"{parts.scheme}://{parts.netloc}", "PUBLIC_URL", False) + path


def _hosts(cfg: dict[str, Any], public: str, env: str) -> list[str] | None:
    """Return the Host names a request may carry (Flask's TRUSTED_HOSTS); None: not checked."""
    value = cfg.get("TRUSTED_HOSTS")
    given = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    if public:
        if given:
            raise ConfigError(
                "BFR_TRUSTED_HOSTS: not used with BFR_PUBLIC_URL, which makes every address "
                "from the configured one whatever the Host header says; set only one of them"
            )
        return None
    hosts = [_host(h) for h in given]
    if hosts:
        return hosts
    if env == "development":
        return list(DEVELOPMENT_HOSTS)
    raise ConfigError(
        "BFR_PUBLIC_URL: refusing to start in production without the public address, e.g. "
        "BFR_PUBLIC_URL=https://triage.clinic.example (or list the accepted Host names in "
        "BFR_TRUSTED_HOSTS): share links and QR codes must not take their address from a "
        "request's Host header"
    )


def _host(item: Any) -> str:
    text = _text(item).strip().lower()
    name = text[1:] if text.startswith(".") else text  # .clinic.example: any subdomain too
    try:
        ascii_name = name.encode("idna").decode("ascii") if name else ""
    except UnicodeError:
        ascii_name = ""
    if not _HOST_NAME.fullmatch(ascii_name):
        raise ConfigError(f"BFR_TRUSTED_HOSTS: {item!r} is not a host name like clinic.example")
    return text[: len(text) - len(name)] + ascii_name


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
    try:  # a browser sends a non-ASCII host in punycode: so must a header the app writes
        host = parts.hostname.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise ConfigError(problem) from None
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
    key = secret.strip()
    if not key:
        reason = "missing"
    elif _letters(DEV_SECRET_KEY) in _letters(key):
        reason = "the development key, which everyone can read in config.py"
    elif len(key) < MIN_SECRET_LENGTH:
        reason = f"{len(key)} characters long, fewer than {MIN_SECRET_LENGTH}"
    elif len(set(key)) < MIN_SECRET_SYMBOLS:
        reason = f"made of fewer than {MIN_SECRET_SYMBOLS} different characters"
    else:
        return
    raise ConfigError(
        f"BFR_SECRET_KEY: refusing to start in production: the secret key is {reason}. It needs "
        f"at least {MIN_SECRET_LENGTH} random characters; make one with {MAKE_SECRET} and set "
        "the same value on every instance (or set BFR_ENV=development on a developer's "
        "machine)."
    )


def _letters(text: str) -> str:
    """Return the letters and digits of `text` in lower case: the key in any variant matches."""
    return re.sub(r"[\W_]+", "", text.casefold())


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
