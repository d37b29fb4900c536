"""Serve the app under gunicorn with the production settings `bfr-triage serve` uses."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WORKERS = 2
# The path only (%(U)s), never the request line or query string (%(r)s, %(q)s) nor a body:
# answers must not reach a log, and the client address is left to the proxy in front.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def options(bind: str | None = None, workers: int | None = None) -> dict[str, Any]:
    """Return gunicorn settings: the arguments, else BFR_BIND / BFR_WORKERS, else the defaults."""
    return {
        "bind": [bind or os.environ.get("BFR_BIND") or DEFAULT_BIND],
        "workers": _workers(workers if workers is not None else os.environ.get("BFR_WORKERS")),
        "worker_class": "sync",
        "timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        # Forwarded headers are trusted in one place only: BFR_TRUST_PROXY (ProxyFix) in the app.
        "forwarded_allow_ips": "",
        # No runtime control socket: nothing uses it, and it would be written into $HOME.
        "control_socket_disable": True,
    }


def _workers(value: int | str | None) -> int:
    if value is None or value == "":
        return DEFAULT_WORKERS
    if not str(value).isdigit() or not 1 <= int(value) <= 64:
        raise ValueError(f"BFR_WORKERS: {value!r} is not a whole number from 1 to 64")
    return int(value)


class Server(BaseApplication):  # type: ignore[misc]
    """A gunicorn application around an app built (and checked) before the workers fork."""

    def __init__(self, app: Flask, settings: dict[str, Any]) -> None:
        self.application = app
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application
