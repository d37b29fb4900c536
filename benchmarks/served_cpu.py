"""Compare the app's CPU per request, served, at this checkout and at another git revision.

Serves this checkout and REV (a temporary git worktree, translations compiled there) with
`bfr-triage serve --workers 1`, and benchmarks/baseline_app.py the same way (a page of the result
page's size, as in web_bench.py); loads each in turn with wrk, round after round, and prints the
CPU time the worker spent per request (user + system, from /proc): the median over the rounds and
its ratio to the baseline's. One worker and CPU time rather than requests per second: wrk's own
share of the 2 cores, and other work on the machine, stay out of the number, so that a change of a
few per cent shows between two revisions.

Run: .venv/bin/python benchmarks/served_cpu.py REV [--target result] [--rounds 4] [--seconds 6]
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

from web_bench import HERE, Target, fetch, free_port, prepare, serve, wrk

ROOT = HERE.parent
SERVE = "import sys; from bfr_triage.cli import main; sys.exit(main())"
DATA = ("rules", "templates", "translations", "static")


def worker_cpu(master: int) -> float:
    """Return the CPU seconds (user + system) the master's worker processes have used."""
    ticks = 0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
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


def serve_tree(tree: Path, env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    """Serve the app from `tree`'s sources and data files with one worker."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {**env, "PYTHONPATH": str(tree / "src")}
    env.update({f"BFR_{name.upper()}_DIR": str(tree / name) for name in DATA})
    command = [sys.executable, "-c", SERVE, "serve", "--bind", url[7:], "--workers", "1"]
    return url, serve(command, env, url + "/healthz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision to compare this checkout with")
    parser.add_argument("--target", default="result", help="result, API, start page, ...")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=6, help="seconds per wrk load")
    args = parser.parse_args()

    secret = secrets.token_hex(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BFR_")}
    env.update(BFR_ENV="production", BFR_SECRET_KEY=secret)
    targets = {t.name: t for t in prepare(secret)}
    target = targets[args.target]
    servers: dict[str, tuple[str, subprocess.Popen[bytes], Target | None]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        other = checkout(args.rev, Path(tmp) / "tree")
        try:
            for name, tree in ((args.rev, other), ("this checkout", ROOT)):
                url, proc = serve_tree(tree, env)
                status, body = fetch(url, target)
                print(f"  {name:<14} {target.name} {status} {len(body)} bytes")
                servers[name] = (url + target.path, proc, target)
            # The baseline page has the result page's size, as in web_bench.py.
            size = len(fetch(url, targets["result"])[1])
            url = f"http://127.0.0.1:{free_port()}"
            command = [sys.executable, str(HERE / "baseline_app.py"), "--bind", url[7:]]
            command += ["--workers", "1", "--bytes", str(size)]
            servers["baseline"] = (url + "/", serve(command, env, url + "/"), None)
            used: dict[str, list[float]] = {name: [] for name in servers}
            for _ in range(args.rounds):
                for name, (url, proc, t) in servers.items():
                    before = worker_cpu(proc.pid)
                    report = wrk(url, t, 8, args.seconds)
                    spent = worker_cpu(proc.pid) - before
                    used[name].append(spent / (report["rps"] * args.seconds) * 1e6)
        finally:
            for _, proc, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=30)
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                check=False,
                capture_output=True,
            )
    baseline = statistics.median(used["baseline"])
    print(f"\nworker CPU per request, {args.rounds} rounds of wrk -t2 -c8 -d{args.seconds}s")
    print(f"  {'server':<14} {'median us':>10} {'baseline/this':>14}   rounds")
    for name, values in used.items():
        median = statistics.median(values)
        rounds = " ".join(f"{v:.0f}" for v in values)
        print(f"  {name:<14} {median:>10.0f} {baseline / median:>14.3f}   {rounds}")


if __name__ == "__main__":
    main()
