"""Serve the app under gunicorn with the production settings `bfr-triage serve` uses.

The workers are gunicorn's gevent workers: each connection is a greenlet, so a client that
sends its request slowly holds a few kilobytes, not a worker, and one that has not sent its
whole request line and headers within KEEPALIVE seconds is disconnected (docs/deployment.md).
"""

from __future__ import annotations

import os
import signal
from typing import Any

import gevent
from flask import Flask
from gunicorn import glogging, util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.ggevent import GeventWorker

from . import security

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WORKERS = 2
# Seconds a client has to send its request line and headers (and an idle keep-alive lasts).
KEEPALIVE = 5
CONNECTIONS = 1000  # open connections per worker, slow ones included
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT}
TURN = 0.001  # seconds a keep-alive connection waits between two requests, for the others
# The path only (%(U)s), never the request line or query string (%(r)s, %(q)s) nor a body:
# answers must not reach a log, and the client address is left to the proxy in front. A share
# link's token is taken out of the path by the Logger below.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def options(bind: str | None = None, workers: int | None = None) -> dict[str, Any]:
    """Return gunicorn settings: the arguments, else BFR_BIND / BFR_WORKERS, else the defaults."""
    return {
        "bind": [bind or os.environ.get("BFR_BIND") or DEFAULT_BIND],
        "workers": _workers(workers if workers is not None else os.environ.get("BFR_WORKERS")),
        "worker_class": f"{__name__}.Worker",
        "worker_connections": CONNECTIONS,
        "keepalive": KEEPALIVE,
        "timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": f"{__name__}.Logger",
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


class Logger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger, whose access and error lines never hold a share token."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        security.redact_logs(self.error_log, self.access_log)


# The headers of gunicorn's own error pages (a request it cannot parse: 400, 414, 431, ...),
# which the app never sees: nothing may frame, sniff, cache or embed them.
ERROR_HEADERS = (
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Security-Policy: default-src 'none'; base-uri 'none'; frame-ancestors 'none'\r\n"
    "X-Frame-Options: DENY\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cache-Control: no-store\r\n"
)


def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Write gunicorn's error response with the security headers and no echo of the request."""
    body = f"<!doctype html><title>{status_int} {reason}</title><h1>{reason}</h1>\n"
    head = f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n{ERROR_HEADERS}"
    data = f"{head}Content-Length: {len(body)}\r\n\r\n{body}"
    util.write_nonblock(sock, data.encode("latin-1"))


class Worker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker: its own error pages carry the security headers, and each
    connection lets the others have a turn between two requests."""

    def init_process(self) -> None:
        # Until the worker's own handlers are in place (after gevent's patching, which takes a
        # while), a stop signal would run the master's handler, inherited by the fork, and be
        # lost: the worker then lived on until the master killed it 30 s later. Held until then.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        util.write_error = write_error  # gunicorn writes every error page through this one
        super().init_process()

    def init_signals(self) -> None:
        super().init_signals()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            # A greenlet yields only when a read would block: a keep-alive client whose next
            # request is already waiting would keep the worker to itself while others wait
            # (64 connections: p50 2 ms, p99 6 s, wrk timeouts). sleep(0) was not enough (it
            # only rotates the greenlets that are ready, p99 3-4 s); a timer goes through the
            # event loop, where the waiting sockets are seen too (p99 0.7 s, no timeouts).
            gevent.sleep(TURN)


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
