"""Time the app's pages in-process against the baseline page, in the same process.

Each request is dispatched in full (before/after-request hooks, security headers, locale), as the
server would, minus the WSGI server: the ratio to the baseline render is what to compare.
Run: .venv/bin/python benchmarks/render_profile.py [-n 300] [--profile result] [--lang da]
     [--without state,evaluate,...]
--without takes steps of the result page away (each answers with its first result, again and
again: a measurement device only) to show what the page would cost without them.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from baseline_app import create_baseline
from flask import Flask
from web_bench import PUBLIC_URL, Target, prepare

T = TypeVar("T")


def dispatcher(app: Flask, t: Target, lang: str) -> Callable[[], bytes]:
    """Return a function that runs one request to `t` through the app and returns the body."""
    parts = urlsplit(t.path)
    query = "&".join(x for x in (parts.query, f"lang={lang}" if lang else "") if x)
    method = "GET" if t.body is None else "POST"
    headers = {"Content-Type": t.content_type} if t.body is not None else {}

    def run() -> bytes:
        with app.test_request_context(
            parts.path, query_string=query, method=method, data=t.body, headers=headers
        ):
            response = app.full_dispatch_request()
            body = response.get_data()
            assert response.status_code == 200, (t.name, response.status_code)
            return body

    return run


def _first_result(function: Callable[..., T]) -> Callable[..., T]:
    """Return `function` made to compute once and then answer with that first result."""
    kept: list[T] = []

    def again(*args: Any, **kwargs: Any) -> T:
        if not kept:
            kept.append(function(*args, **kwargs))
        return kept[0]

    return again


def take_away(app: Flask, steps: list[str]) -> None:
    """Replace each named step of the result page by its first result."""
    from bfr_triage.web import result, views

    places: dict[str, tuple[Any, str]] = {  # step: the namespace it is called from, its name
        "state": (views, "load_state"),
        "evaluate": (result, "evaluate"),
        "view": (views, "result_view"),
        "render": (views, "render_template"),
    }
    for step in steps:
        if step not in places:
            raise SystemExit(f"--without: unknown step {step!r} (one of {', '.join(places)})")
        namespace, name = places[step]
        setattr(namespace, name, _first_result(getattr(namespace, name)))


def timed(runs: dict[str, Callable[[], bytes]], n: int, rounds: int = 10) -> dict[str, float]:
    """Return each target's fastest per-request ms over `rounds` interleaved batches.

    The machine is shared: batches of the targets alternate, so that load from elsewhere falls on
    all of them alike, and the fastest batch is the best estimate of the code's own cost.
    """
    for run in runs.values():
        for _ in range(5):  # warm-up: compiled templates, catalogues
            run()
    batch = max(1, n // rounds)
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.process_time()
            for _ in range(batch):
                run()
            best[name] = min(best[name], (time.process_time() - start) / batch * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="requests per target")
    parser.add_argument("--lang", default="", help="en or da (default: Accept-Language, none)")
    parser.add_argument("--profile", help="cProfile this target (e.g. result) and print the top")
    parser.add_argument("--without", default="", help="steps of the result page to take away")
    args = parser.parse_args()

    from bfr_triage import create_app

    secret = secrets.token_hex(32)
    targets = prepare(secret)
    app = create_app({"SECRET_KEY": secret, "ENV": "production", "PUBLIC_URL": PUBLIC_URL})
    runs = {t.name: dispatcher(app, t, args.lang) for t in targets}
    size = len(runs["result"]())
    if args.without:  # each step answers as it did the first time: only the result page then
        runs = {"result": runs["result"]}
        take_away(app, args.without.split(","))
    baseline_app = create_baseline(size)
    runs["baseline"] = dispatcher(baseline_app, Target("baseline", "/"), "")
    if args.profile:
        run = runs[args.profile]
        for _ in range(20):
            run()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.n):
            run()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return
    best = timed(runs, args.n)
    print(f"{'target':<14} {'bytes':>7} {'ms':>7} {'x baseline':>11}")
    for name, run in runs.items():
        ms = best[name]
        print(f"{name:<14} {len(run()):>7} {ms:>7.2f} {ms / best['baseline']:>11.2f}")


if __name__ == "__main__":
    main()
