"""The closed table of operators a rule may use. Each is a tiny pure function."""

from __future__ import annotations

from collections.abc import Callable

from .model import Value

Operator = Callable[[Value, object], bool]


def _eq(answer: Value, value: object) -> bool:
    return answer == value


def _in(answer: Value, value: object) -> bool:
    return isinstance(value, tuple) and answer in value


def _gte(answer: Value, value: object) -> bool:
    return isinstance(answer, int) and isinstance(value, int) and answer >= value


def _lte(answer: Value, value: object) -> bool:
    return isinstance(answer, int) and isinstance(value, int) and answer <= value


def _contains_any(answer: Value, value: object) -> bool:
    return isinstance(answer, tuple) and isinstance(value, tuple) and bool(set(answer) & set(value))


# name -> (function, question types it applies to, the kind of value it compares with)
OPERATORS: dict[str, tuple[Operator, tuple[str, ...], str]] = {
    "eq": (_eq, ("choice",), "option"),
    "in": (_in, ("choice",), "options"),
    "gte": (_gte, ("integer",), "integer"),
    "lte": (_lte, ("integer",), "integer"),
    "contains_any": (_contains_any, ("multi",), "options"),
}
