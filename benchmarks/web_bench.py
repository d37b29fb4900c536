"""Load the app and a bare-Flask baseline, served the same way, with wrk; print the ratios.

One run serves the app (`bfr-triage serve`) and benchmarks/baseline_app.py (a Flask route that
renders a template as large as the result page) under the same gunicorn settings on loopback,
loads each target with wrk in turn, and prints requests per second and p50/p99 latency, each as a
ratio against the baseline measured in the same run; after --runs runs, the medians.
--soak instead holds --soak-connections on the result page and the API for --soak-seconds each
and prints the errors and every worker's resident memory before and after.

Run: .venv/bin/python benchmarks/web_bench.py [--runs 3] [--duration 10] [--soak]
Only numbers are printed: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
# A complete clinician intake with a first-line verdict (as tests/cases/barrier_partial_...).
ANSWERS: dict[str, Any] = {
    "condition": "acl", "limb": "left_leg", "weight_bearing": "pwb", "weight_bearing_percent": 25,
    "load_restriction": "no", "immobilised": "no", "surgery": "none", "pain_heavy": 2,
    "cannot_train_heavy": "no", "prior_clot": "no", "clot_signs": "no", "clotting_disorder": "no",
    "cancer": "no", "leg_paralysis": "no", "high_bp": "no", "heart_disease": "no",
    "poor_circulation": "no", "pregnancy": "no", "sickle_cell": "no", "acute_illness": "no",
    "wound_limbs": ["none"], "infection_limbs": ["none"], "lymph_limbs": ["none"],
    "fistula_limbs": ["none"], "swelling_limbs": ["none"], "numbness_limbs": ["none"],
    "age_60": "no", "icu_recent": "no", "risk_factors": ["none"], "bed_rest": "no",
    "flare_limbs": ["none"], "cuff_site_fracture_limbs": ["none"], "blood_thinners": "no",
}  # fmt: skip
FORM = "application/x-www-form-urlencoded"
PUBLIC_URL = "http://127.0.0.1"  # production needs one; only absolute URLs are built from it


@dataclass(frozen=True)
class Target:
    """One URL to load: GET when body is None."""

    name: str
    path: str
    body: bytes | None = None
    content_type: str = FORM


def prepare(secret: str) -> list[Target]:
    """Build the requests with the app's own code: signed states that the server will accept."""
    from bfr_triage import create_app
    from bfr_triage.engine import parse_answers
    from bfr_triage.web.state import State, dump_state

    app = create_app({"SECRET_KEY": secret, "PUBLIC_URL": PUBLIC_URL})
    rs = app.extensions["bfr_ruleset"]
    with app.test_request_context("/?audience=clinician"):
        first, second = rs.pages[0], rs.pages[1]
        before = {k: v for k, v in ANSWERS.items() if k in first.questions}
        step_state = dump_state(State(dict(parse_answers(rs, before).values)))
        full_state = dump_state(State(dict(parse_answers(rs, ANSWERS).values)))
    fields = [(q, v) for q, v in ANSWERS.items() if q in second.questions]
    step = [(q, x) for q, v in fields for x in (v if isinstance(v, list) else [v])]
    step += [("state", step_state), ("action", "next")]
    api = {"audience": "clinician", "answers": ANSWERS}
    return [
        Target("start page", "/"),
        Target("question step", f"/q/{second.id}?audience=clinician", urlencode(step).encode()),
        Target("result", "/result?audience=clinician", urlencode({"state": full_state}).encode()),
        Target("API", "/api/v1/assessments", json.dumps(api).encode(), "application/json"),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(command: list[str], env: dict[str, str], ready: str) -> subprocess.Popen[bytes]:
    """Start a server and wait until `ready` answers (at most 20 s)."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{command[0]} stopped: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(ready, timeout=1):
                return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # not listening or booting
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{ready} did not answer within 20 s")


def fetch(base: str, t: Target) -> tuple[int, bytes]:
    """Send a target's request once: the status and the body."""
    headers = {"Content-Type": t.content_type} if t.body is not None else {}
    request = urllib.request.Request(base + t.path, data=t.body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wrk(
    url: str, t: Target | None, connections: int, seconds: int, timeout: int = 2
) -> dict[str, Any]:
    """Run wrk on `url` and return its report: requests/s, p50 and p99 in ms, errors."""
    env = dict(os.environ, BENCH_BODY_FILE="", BENCH_CONTENT_TYPE="")
    with tempfile.NamedTemporaryFile() as body:
        if t is not None and t.body is not None:
            body.write(t.body)
            body.flush()
            env.update(BENCH_BODY_FILE=body.name, BENCH_CONTENT_TYPE=t.content_type)
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s"]
        command += ["--latency"]
        command += ["-s", str(HERE / "request.lua"), url]
        out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 30)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no report:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line[6:])
    return {
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50": r["p50_us"] / 1000,
        "p99": r["p99_us"] / 1000,
        "errors": r["status_errors"] + r["connect"] + r["read"] + r["write"] + r["timeout"],
        "detail": {k: r[k] for k in ("status_errors", "connect", "read", "write", "timeout")},
    }


def workers(master: int) -> list[int]:
    """Return the pids of a gunicorn master's workers (its children)."""
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def worker_rss(master: int) -> dict[int, int]:
    """Return {pid: resident kB} of every gunicorn worker."""
    rss = {}
    for pid in workers(master):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    return rss


def check(base: str, targets: list[Target]) -> list[Target]:
    """Send each request once; keep those that answer 200 (say why a target is skipped)."""
    kept = []
    for t in targets:
        status, body = fetch(base, t)
        print(f"  {t.name:<14} {t.path:<34} {status}  {len(body):>6} bytes")
        if status == 200:
            kept.append(t)
        else:
            print(f"  ! {t.name} skipped: {status}")
    return kept


class Servers:
    """The app (`bfr-triage serve`) and the baseline app, under the same gunicorn settings."""

    def __init__(self, env: dict[str, str], workers: int, size: int) -> None:
        self.env, self.workers, self.size = env, workers, size

    def app(self) -> tuple[str, subprocess.Popen[bytes]]:
        url = f"http://127.0.0.1:{free_port()}"
        command = [str(BIN / "bfr-triage"), "serve", "--bind", url[7:]]
        return url, serve(command + ["--workers", str(self.workers)], self.env, url + "/healthz")

    def baseline(self) -> tuple[str, subprocess.Popen[bytes]]:
        url = f"http://127.0.0.1:{free_port()}"
        command = [sys.executable, str(HERE / "baseline_app.py"), "--bind", url[7:]]
        command += ["--workers", str(self.workers), "--bytes", str(self.size)]
        return url, serve(command, self.env, url + "/")

    @contextmanager
    def running(self) -> Iterator[tuple[str, str]]:
        """Start both (new processes) and stop them afterwards; yield their base URLs."""
        procs = []
        try:
            for start in (self.app, self.baseline):
                url, proc = start()
                procs.append((url, proc))
            yield procs[0][0], procs[1][0]
        finally:
            for _, proc in procs:
                stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def benchmark(args: argparse.Namespace, servers: Servers, targets: list[Target]) -> None:
    """Load each target right after the baseline, --runs times; print each run and the medians.

    Each target is compared with the baseline measured just before it, so that load from other
    work on the machine, which comes and goes, falls on both sides of the ratio alike. Each run
    starts both servers anew: a process can be a few per cent faster or slower than another
    running the same code for its whole life (memory layout, hash seed), so runs on the same
    processes would not be independent.
    """
    runs: list[dict[str, dict[str, Any]]] = []
    for n in range(1, args.runs + 1):
        run = {}
        with servers.running() as (app, baseline):
            for url, t in ((baseline + "/", None), *((app + t.path, t) for t in targets)):
                wrk(url, t, args.connections, 1)  # warm-up: templates compiled in every worker
            for t in targets:
                base = wrk(baseline + "/", None, args.connections, args.duration)
                got = wrk(app + t.path, t, args.connections, args.duration)
                run[t.name] = {**got, "baseline": base["rps"], "ratio": got["rps"] / base["rps"]}
        runs.append(run)
        print(f"\nrun {n}/{args.runs}")
        show(run)
    keys = ("rps", "p50", "p99", "errors", "baseline", "ratio")
    medians = {
        name: {key: statistics.median(r[name][key] for r in runs) for key in keys}
        for name in runs[0]
    }
    print(f"\nmedian of {args.runs} runs (wrk -t2 -c{args.connections} -d{args.duration}s)")
    show(medians)


def show(rows: dict[str, dict[str, Any]]) -> None:
    print(
        f"  {'target':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'baseline req/s':>15} {'ratio':>6}"
    )
    for name, r in rows.items():
        print(
            f"  {name:<14} {r['rps']:>8.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
            f"{r['errors']:>7.0f} {r['baseline']:>15.0f} {r['ratio']:>6.2f}"
        )


def soak(args: argparse.Namespace, app: str, master: int, targets: list[Target]) -> None:
    """Hold the result page and the API under load; print errors and worker memory around it."""
    for t in (t for t in targets if t.name in ("result", "API")):
        wrk(
            app + t.path, t, args.soak_connections, 5, args.soak_timeout
        )  # warm-up: imports, caches, templates
        before = worker_rss(master)
        r = wrk(app + t.path, t, args.soak_connections, args.soak_seconds, args.soak_timeout)
        after = worker_rss(master)
        print(
            f"\nsoak {t.name}: {args.soak_seconds} s at {args.soak_connections} connections: "
            f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
            f"errors {r['errors']:.0f} {r['detail']}"
        )
        if before.keys() != after.keys():
            print(f"  ! workers changed during the soak: {sorted(before)} -> {sorted(after)}")
        for pid in sorted(before.keys() & after.keys()):
            change = (after[pid] - before[pid]) / before[pid]
            print(f"  worker {pid}: RSS {before[pid]} kB -> {after[pid]} kB ({change:+.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--soak", action="store_true", help="the soak test instead")
    parser.add_argument("--soak-seconds", type=int, default=60)
    parser.add_argument("--soak-connections", type=int, default=64)
    parser.add_argument(
        "--soak-timeout", type=int, default=10, help="seconds before wrk counts a request as failed"
    )
    args = parser.parse_args()

    secret = secrets.token_hex(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BFR_")}
    env.update(BFR_ENV="production", BFR_SECRET_KEY=secret, BFR_PUBLIC_URL=PUBLIC_URL)
    targets = prepare(secret)
    servers = Servers(env, args.workers, size=0)
    app, proc = servers.app()
    try:
        print(f"gunicorn -w {args.workers}, gevent workers (bfr_triage.server), on loopback")
        targets = check(app, targets)
        if args.soak:
            soak(args, app, proc.pid, targets)
            return
        servers.size = len(fetch(app, next(t for t in targets if t.name == "result"))[1])
    finally:
        stop(proc)
    print(f"  baseline page grown to about {servers.size} bytes")
    benchmark(args, servers, targets)


if __name__ == "__main__":
    main()
