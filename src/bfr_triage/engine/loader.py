"""Load a rule set from TOML files and validate all of it before anyone can use it.

The work is split by concern: `load_toml` (reading, shape checks), `load_vocabulary` (sources,
questions, pages), `load_conditions` (`when` tables), `load_rules` (indications, barriers, safety
items, parameters), `load_policy` (the verdict table) and `load_cross` (checks across files).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import load_policy, load_rules, load_vocabulary
from .errors import RuleSetError
from .load_conditions import Context, ask_conditions, contradictions
from .load_cross import cross_checks
from .load_toml import FILES, Checker, read
from .model import RuleSet


def _digest(directory: Path) -> str:
    sha = hashlib.sha256()
    for name in FILES:
        sha.update(name.encode() + b"\0" + (directory / name).read_bytes() + b"\0")
    return sha.hexdigest()


def load_ruleset(directory: str | Path) -> RuleSet:
    """Load and validate the rule set in `directory`; raise RuleSetError listing every problem."""
    directory = Path(directory)
    check = Checker()
    data = read(directory, check)
    if check.problems:
        raise RuleSetError(check.problems)
    sources = load_vocabulary.sources(data["sources.toml"], check)
    indications_raw = data["indications.toml"].get("indication", [])
    questions, pages = load_vocabulary.questions(data["questions.toml"], indications_raw, check)
    params = set(data["policy.toml"].get("parameters", {}))
    ctx = Context(check, questions, sources, params)
    questions = ctx.questions = ask_conditions(data["questions.toml"], ctx)
    refused = contradictions(data["questions.toml"], ctx)
    indications = load_rules.indications(indications_raw, ctx)
    barriers = load_rules.barriers(data["barriers.toml"].get("barrier", []), ctx)
    items = load_rules.items(data["safety.toml"].get("item", []), ctx)
    policy = load_policy.policy(data["policy.toml"], ctx)
    parameters = load_rules.parameters(data["parameters.toml"].get("parameter", []), ctx)
    cross_checks(check, questions, indications)
    if check.problems or policy is None:
        raise RuleSetError(check.problems)
    return RuleSet(
        questions,
        pages,
        indications,
        barriers,
        items,
        policy,
        parameters,
        sources,
        _digest(directory),
        FILES,
        refused,
    )
