"""Run the property suite (test_properties.check) against another engine and rule set.

How each property was seen to fail on version 1 (issue 12):

    git archive 14ff79d | tar -x -C /tmp/v1
    .venv/bin/python tests/properties_against.py /tmp/v1/src /tmp/v1/rules

The v2 answers are put into the other vocabulary: questions it does not have are left out, an
answer it cannot give skips that evaluation, and version 1's weight-bearing for an arm is "not
relevant". Grades and limbs are read from this checkout's rules/indications.toml (the spec).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

engine_src, rules_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, engine_src)
sys.path.insert(1, str(Path(__file__).resolve().parent))

import test_properties  # noqa: E402

import bfr_triage  # noqa: E402
from bfr_triage.engine import decision_to_dict, evaluate, load_ruleset, parse_answers  # noqa: E402

assert bfr_triage.__file__ and bfr_triage.__file__.startswith(engine_src), bfr_triage.__file__
rs = load_ruleset(rules_dir)


def adapt(raw: dict[str, Any]) -> dict[str, Any] | None:
    out = {}
    for qid, value in raw.items():
        q = rs.questions.get(qid)
        if q is None:
            continue  # a question the other version does not ask
        values = value if isinstance(value, list) else [value]
        if q.type != "integer" and not all(v in q.values for v in values):
            return None  # an answer the other version cannot give
        out[qid] = value
    if "arm" in raw["limb"] and not hasattr(rs.questions["weight_bearing"], "ask_when"):
        out.setdefault("weight_bearing", "not_relevant")  # version 1 asked it for an arm too
    return out


started = time.perf_counter()
count, checked, failures = test_properties.check(
    rs, evaluate, parse_answers, decision_to_dict, adapt
)
print(f"{bfr_triage.__file__}, rules {rs.policy.ruleset_version}: {count} evaluations "
      f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
for name in sorted(checked):
    print(f"{checked[name]:>8} checked {failures.get(name, 0):>7} failed  {name}")
    if name in failures.examples:
        print(f"{'':>25}e.g. {failures.examples[name][:300]}")
