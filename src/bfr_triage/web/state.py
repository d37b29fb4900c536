"""The answers so far, carried between pages in one signed hidden field: no cookie, no storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import BadRequest

from ..engine import AnswersError, parse_answers
from ..engine.model import Value
from ..extensions import ruleset

# Bumped when the answers' meaning changes (rule set version 2: an operation or "kept still" is
# about the trained limb): a state signed before is refused, never read with the new meaning.
SALT = "bfr-triage.state.v2"
MODES = ("steps", "review", "intake")  # walking the pages / changing from the check page / one page


class BadState(BadRequest):
    """The answers field was tampered with, too old or no longer valid."""


@dataclass(frozen=True)
class State:
    """Validated answers and where a changed answer returns to."""

    answers: dict[str, Value] = field(default_factory=dict)
    mode: str = "steps"
    # The signed field this state was read from, sent back unchanged: a page that changes no
    # answer does not sign them again (so a questionnaire's age counts from its last answer).
    token: str = field(default="", compare=False, repr=False)

    def with_answers(self, page_ids: tuple[str, ...], new: dict[str, Value]) -> State:
        """Replace the answers of the questions in `page_ids` by `new`."""
        kept = {k: v for k, v in self.answers.items() if k not in page_ids}
        return State({**kept, **new}, self.mode)

    def with_mode(self, mode: str) -> State:
        return self if mode == self.mode else State(self.answers, mode)


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.secret_key or "")


@lru_cache(maxsize=8)  # one per secret key: made once, not on every page
def _serializer_for(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def dump_state(state: State) -> str:
    """Sign the state for the hidden field."""
    if state.token:
        return state.token
    answers = {k: list(v) if isinstance(v, tuple) else v for k, v in state.answers.items()}
    return str(_serializer().dumps({"a": answers, "m": state.mode}))


def load_state(token: str | None) -> State:
    """Check the signature, age and every answer; raise BadState (a 400) if anything is off."""
    if not token:
        raise BadState()
    try:
        raw: Any = _serializer().loads(token, max_age=current_app.config["STATE_MAX_AGE"])
    except BadData as error:  # a bad or expired signature, or signed data that is not JSON
        raise BadState() from error
    if not isinstance(raw, dict) or raw.get("m") not in MODES or not isinstance(raw.get("a"), dict):
        raise BadState()
    try:
        answers = parse_answers(ruleset(), raw["a"])
    except AnswersError as error:  # e.g. signed by an older rule set
        raise BadState() from error
    return State(answers.values, raw["m"], token)
