"""Compare the app's CPU per request, served, at this checkout and at another git revision.

Each round serves, in turn, this checkout and REV (a temporary git worktree, translations compiled
there) with `bfr-triage serve --workers 1`, and benchmarks/baseline_app.py the same way (a page of
the result page's size, as in web_bench.py): each a new process, warmed up, then loaded with wrk,
then stopped; who goes first changes from round to round. It prints the CPU time the worker spent
per request (user + system, from /proc): the median over the rounds and its ratio to the
baseline's. One worker and CPU time rather than requests per second: wrk's share of the 2 cores
stays out of the number. New processes each round: a single process can be a few per cent faster
or slower than another running the same code, for the whole of its life (its memory layout, its
hash seed), which a comparison of two long-running servers takes for the code's doing.

Run: .venv/bin/python benchmarks/served_cpu.py REV [--target result] [--rounds 6] [--seconds 5]
Only numbers are printed: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from web_bench import (
    HERE,
    PUBLIC_URL,
    Servers,
    Target,
    fetch,
    free_port,
    prepare,
    serve,
    workers,
    wrk,
)

ROOT = HERE.parent
SERVE = "import sys; from bfr_triage.cli import main; sys.exit(main())"
DATA = ("rules", "templates", "translations", "static")


def worker_cpu(master: int) -> float:
    """Return the CPU seconds (user + system) the master's worker processes have used."""
    ticks = 0
    for pid in workers(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def checkout(rev: str, where: Path) -> Path:
    """Check `rev` out into `where` (a detached worktree) with its translations compiled."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "compile",
            "-d",
            str(where / "translations"),
        ],
        check=True,
        capture_output=True,
    )
    return where


def start(tree: Path | None, env: dict[str, str], size: int) -> tuple[str, subprocess.Popen[bytes]]:
    """Serve the app from `tree`'s sources and data files, or the baseline (None), one worker."""
    if tree is None:  # a page of the result page's size, as in web_bench.py
        return Servers(env, 1, size).baseline()
    url = f"http://127.0.0.1:{free_port()}"
    env = {**env, "PYTHONPATH": str(tree / "src")}
    env.update({f"BFR_{name.upper()}_DIR": str(tree / name) for name in DATA})
    command = [sys.executable, "-c", SERVE, "serve", "--bind", url[7:], "--workers", "1"]
    return url, serve(command, env, url + "/healthz")


def measure(url: str, t: Target | None, proc: subprocess.Popen[bytes], seconds: int) -> float:
    """Load `url` and return the worker's CPU microseconds per request (after a warm-up)."""
    wrk(url, t, 8, 1)  # templates compiled, catalogues loaded
    before = worker_cpu(proc.pid)
    report = wrk(url, t, 8, seconds)
    return (worker_cpu(proc.pid) - before) / (report["rps"] * seconds) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision to compare this checkout with")
    parser.add_argument("--target", default="result", help="result, API, start page, ...")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=5, help="seconds per wrk load")
    args = parser.parse_args()

    secret = secrets.token_hex(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BFR_")}
    env.update(BFR_ENV="production", BFR_SECRET_KEY=secret, BFR_PUBLIC_URL=PUBLIC_URL)
    targets = {t.name: t for t in prepare(secret)}
    target = targets[args.target]
    with tempfile.TemporaryDirectory() as tmp:
        other = checkout(args.rev, Path(tmp) / "tree")
        servers: dict[str, Path | None] = {args.rev: other, "this checkout": ROOT, "baseline": None}
        used: dict[str, list[float]] = {name: [] for name in servers}
        size = 0
        try:
            for n in range(args.rounds):
                # New processes each round, in turn first: one process's luck (memory layout,
                # hash seed) and the order within a round even out over the rounds.
                names = list(servers)[n % 3 :] + list(servers)[: n % 3]
                for name in names:
                    url, proc = start(servers[name], env, size)
                    try:
                        if not size and servers[name] is not None:
                            size = len(fetch(url, targets["result"])[1])
                        t = target if servers[name] is not None else None
                        used[name].append(
                            measure(url + (t.path if t else "/"), t, proc, args.seconds)
                        )
                    finally:
                        proc.terminate()
                        proc.wait(timeout=30)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                check=False,
                capture_output=True,
            )
    baseline = statistics.median(used["baseline"])
    print(f"worker CPU per request, {args.rounds} rounds of wrk -t2 -c8 -d{args.seconds}s")
    print(f"  {'server':<14} {'median us':>10} {'baseline/this':>14}   rounds")
    for name, values in used.items():
        median = statistics.median(values)
        rounds = " ".join(f"{v:.0f}" for v in values)
        print(f"  {name:<14} {median:>10.0f} {baseline / median:>14.3f}   {rounds}")


if __name__ == "__main__":
    main()
