"""The engine's exceptions: one base, one class per way things go wrong."""

from __future__ import annotations

from dataclasses import dataclass


class TriageError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rule set: where it is and what is wrong."""

    file: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.rule}: {self.message}"


class RuleSetError(TriageError):
    """Raise when a rule set does not load; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class FieldError:
    """One answer the engine cannot accept, and what it would accept instead."""

    field: str
    message: str
    accepts: str


class AnswersError(TriageError):
    """Raise when answers do not fit the question vocabulary; names each bad field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))
