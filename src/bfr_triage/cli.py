"""The `bfr-triage` command: check a rule set, assess answers, serve the app."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from .engine import (
    AUDIENCES,
    AnswersError,
    RuleSet,
    RuleSetError,
    decision_to_dict,
    evaluate,
    load_ruleset,
    parse_answers,
)
from .paths import data_dir


def _summary(rs: RuleSet, directory: Path) -> str:
    kinds = Counter(i.kind for i in rs.indications.values())
    tiers = Counter(i.tier for i in rs.items)
    p = rs.policy
    return "\n".join(
        [
            f"rule set {p.ruleset_version} in {directory}: OK",
            f"  policy      {p.id} {p.version}, hit policy first, {len(p.rows)} rows, "
            f"fallback {p.fallback}",
            f"  questions   {len(rs.questions)} on {len(rs.pages)} pages",
            f"  indications {kinds['condition']} conditions, {kinds['goal']} goals, "
            f"{kinds['benefit']} benefits",
            f"  barriers    {len(rs.barriers)}",
            f"  safety      {tiers['clearance']} clearance, {tiers['local']} local, "
            f"{tiers['precaution']} precautions",
            f"  parameters  {len(rs.parameters)}, policy parameters: "
            + ", ".join(f"{k}={v.value}" for k, v in p.parameters.items()),
            f"  sources     {len(rs.sources)}",
            f"  sha256      {rs.sha256}",
        ]
    )


def _rules_check(args: argparse.Namespace) -> int:
    directory = Path(args.dir) if args.dir else data_dir("rules")
    try:
        rs = load_ruleset(directory)
    except RuleSetError as error:
        print(f"rule set in {directory}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(_summary(rs, directory))
    return 0


def _assess(args: argparse.Namespace) -> int:
    try:
        rs = load_ruleset(Path(args.rules) if args.rules else data_dir("rules"))
    except RuleSetError as error:
        print(f"the rule set does not load:\n{error}", file=sys.stderr)
        return 1
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    try:
        body: Any = json.loads(text)
    except json.JSONDecodeError as error:
        print(f"input is not JSON: {error}", file=sys.stderr)
        return 2
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        print('input must be a JSON object with an "answers" object', file=sys.stderr)
        return 2
    audience = args.audience or body.get("audience", "clinician")
    if audience not in AUDIENCES:
        print(
            f"audience: not accepted: {audience!r}; accepts one of: clinician, patient",
            file=sys.stderr,
        )
        return 2
    try:
        answers = parse_answers(rs, body["answers"])
    except AnswersError as error:
        print(f"{len(error.errors)} answer(s) not accepted:", file=sys.stderr)
        for e in error.errors:
            print(f"  {e.field}: {e.message}; accepts {e.accepts}", file=sys.stderr)
        return 2
    decision = evaluate(rs, answers)
    json.dump(decision_to_dict(rs, decision, audience), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


def _serve(args: argparse.Namespace) -> int:
    from gunicorn.errors import ConfigError as GunicornConfigError

    from . import create_app
    from .config import ConfigError
    from .server import Server, options

    try:
        settings = options(args.bind, args.workers)
        app = create_app()  # before forking: a bad setting or rule set stops here, once
    except (ConfigError, RuleSetError, ValueError) as error:
        print(f"bfr-triage serve: {error}", file=sys.stderr)
        return 2
    try:
        Server(app, settings).run()
    except GunicornConfigError as error:
        print(f"bfr-triage serve: {error}", file=sys.stderr)
        return 2
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="bfr-triage", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    rules = sub.add_parser("rules", help="work with a rule set")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_sub.add_parser("check", help="validate a rule set (exit 1 listing every problem)")
    check.add_argument("dir", nargs="?", help="rule folder (default: the app's rules/)")
    check.set_defaults(func=_rules_check)
    assess = sub.add_parser(
        "assess", help="answers JSON in, decision JSON out (exit 2 on bad answers)"
    )
    assess.add_argument("file", nargs="?", default="-", help="JSON file, or - for standard input")
    assess.add_argument("--rules", help="rule folder (default: the app's rules/)")
    assess.add_argument(
        "--audience",
        choices=AUDIENCES,
        help="whose wording: patient (only the patient's texts) or clinician (default: the "
        "input's audience, else clinician)",
    )
    assess.set_defaults(func=_assess)
    serve = sub.add_parser("serve", help="run the web app under gunicorn (settings: BFR_*)")
    serve.add_argument("--bind", help="address:port (default: BFR_BIND or 127.0.0.1:8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default: BFR_WORKERS or 2)")
    serve.set_defaults(func=_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
