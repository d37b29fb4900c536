"""Slow clients do not stop the service (finding 3 of issue 14).

On loopback, 200 connections trickle their request headers, a byte per connection per second,
for 20 s, reconnecting whenever the server drops them; meanwhile a probe asks /healthz every
second. Every probe must be answered within 1 s. On 2 sync workers two such connections were
enough to make /healthz wait 18 s. Run with -s to see the probe times; takes about 25 s.
"""

from __future__ import annotations

import errno
import socket
import statistics
import threading
import time
from pathlib import Path

from served import serve, status

CONNECTIONS = 200
SECONDS = 20
LIMIT = 1.0  # seconds a probe may take
START = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


class Trickle(threading.Thread):
    """Hold CONNECTIONS connections open, each sending its headers a byte a second."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.stopping = threading.Event()
        self.dropped = 0  # connections the server closed before their headers were complete
        self.open_counts: list[int] = []
        self.sockets = [self.connect() for _ in range(CONNECTIONS)]

    def connect(self) -> socket.socket | None:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            s.setblocking(False)
            s.send(START)
            return s
        except OSError:
            return None

    @staticmethod
    def closed(s: socket.socket) -> bool:
        try:
            return not s.recv(1, socket.MSG_PEEK)  # b"": the server closed it
        except BlockingIOError:
            return False
        except OSError:
            return True

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            for i, s in enumerate(self.sockets):
                if s is not None and not self.closed(s):
                    try:
                        s.send(b"x")
                        continue
                    except OSError as error:
                        if error.errno not in (errno.EPIPE, errno.ECONNRESET):
                            raise
                if s is not None:
                    self.dropped += 1
                    s.close()
                self.sockets[i] = self.connect()
            self.open_counts.append(sum(s is not None for s in self.sockets))

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
        for s in self.sockets:
            if s is not None:
                s.close()


def test_healthz_answers_within_a_second_while_200_clients_trickle_their_headers(
    tmp_path: Path,
) -> None:
    with serve(tmp_path, workers=2) as served:
        attack = Trickle(served.port)
        attack.start()
        probes: list[tuple[int, float]] = []
        try:
            end = time.monotonic() + SECONDS
            while time.monotonic() < end:
                began = time.monotonic()
                try:
                    code = status(served.base + "/healthz", timeout=5)
                except OSError:
                    code = 0  # timed out or refused
                took = time.monotonic() - began
                probes.append((code, took))
                time.sleep(max(0.0, 1.0 - took))
        finally:
            attack.stop()
    times = [t for _, t in probes]
    print(
        f"\n{len(probes)} probes under {CONNECTIONS} trickling connections for {SECONDS} s: "
        f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms; "
        f"connections open per second: min {min(attack.open_counts)}; "
        f"dropped by the server's header deadline and reopened: {attack.dropped}"
    )
    assert min(attack.open_counts) >= CONNECTIONS * 0.95, "the attack did not hold its connections"
    assert len(probes) >= SECONDS - 1
    assert all(code == 200 for code, _ in probes), probes
    assert max(times) < LIMIT, probes
