"""Measure assessments per second on the golden cases, against a trivial baseline in the same run.

The baseline is the cheapest honest Python stand-in for "an assessment": one dict lookup per answer
of the same case. The ratio says what the engine costs relative to that, on this machine, now.
Run: .venv/bin/python benchmarks/engine_bench.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from golden import CASES  # noqa: E402

from bfr_triage.engine import evaluate, load_ruleset, parse_answers  # noqa: E402
from bfr_triage.paths import data_dir  # noqa: E402


def _rate(work, seconds: float) -> float:  # type: ignore[no-untyped-def]
    """Return how many passes over all cases per second `work` manages, times the case count."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work()
        count += 1
    return count * len(CASES) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--runs", type=int, default=5, help="measurements; the median is printed")
    args = parser.parse_args()

    ruleset = load_ruleset(data_dir("rules"))
    parsed = [parse_answers(ruleset, c.answers) for c in CASES]
    vocabulary = {q: q for q in ruleset.questions}

    def engine() -> None:
        for answers in parsed:
            evaluate(ruleset, answers)

    def engine_with_parsing() -> None:
        for case in CASES:
            evaluate(ruleset, parse_answers(ruleset, case.answers))

    def baseline() -> None:
        for case in CASES:
            for key in case.answers:
                vocabulary.get(key)

    rates: dict[str, list[float]] = {"baseline": [], "evaluate": [], "parse+evaluate": []}
    for _ in range(args.runs):  # interleaved, so a noisy neighbour hits all three alike
        rates["baseline"].append(_rate(baseline, args.seconds))
        rates["evaluate"].append(_rate(engine, args.seconds))
        rates["parse+evaluate"].append(_rate(engine_with_parsing, args.seconds))
    base = statistics.median(rates["baseline"])
    print(f"{len(CASES)} golden cases, median of {args.runs} runs of {args.seconds:.1f} s")
    print(f"{'':16}{'per second':>14}{'µs each':>10}{'vs baseline':>13}")
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"{name:16}{rate:14,.0f}{1e6 / rate:10.1f}{rate / base:13.4f}")


if __name__ == "__main__":
    main()
