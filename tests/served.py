"""Run `bfr-triage serve` as production runs it, on loopback, for tests of the served app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SECRET = "served-tests-secret-key-not-for-production"


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:PORT
    port: int
    log: Path  # the server's standard output and error: access and error log

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status(url: str, body: bytes | None = None, kind: str = "", timeout: float = 5) -> int:
    headers = {"Content-Type": kind} if kind else {}
    try:
        request = urllib.request.Request(url, body, headers)
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return int(r.status)
    except urllib.error.HTTPError as error:
        return error.code


def answers(url: str) -> bool:
    try:
        return status(url) == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def raw(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send `data` as it is on a new connection; return all the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


@contextmanager
def serve(directory: Path, workers: int = 2, **settings: str) -> Iterator[Served]:
    """Start `bfr-triage serve` with a production configuration and BFR_* `settings`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BFR_")}
    env.update(BFR_SECRET_KEY=SECRET, BFR_PUBLIC_URL=f"http://127.0.0.1:{port}")
    env.update({f"BFR_{k}": v for k, v in settings.items()})
    log = directory / f"serve-{port}.log"
    command = [str(Path(sys.executable).parent / "bfr-triage"), "serve"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    served = Served(f"http://127.0.0.1:{port}", port, log)
    try:
        deadline = time.monotonic() + 20
        while not answers(served.base + "/healthz"):
            assert server.poll() is None and time.monotonic() < deadline, served.log_text()
            time.sleep(0.1)
        yield served
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()  # and the test fails: stopping must not take this long
            server.wait()
            raise
