"""The rule engine: pure Python, no web framework. Load a rule set, parse answers, evaluate."""

from .answers import accepts, open_values, parse_answers
from .errors import AnswersError, FieldError, Problem, RuleSetError, TriageError
from .evaluate import asked, evaluate
from .export import decision_to_dict
from .loader import load_ruleset
from .model import AUDIENCES, Answers, Decision, Question, Reason, RuleSet

__all__ = [
    "AUDIENCES",
    "Answers",
    "AnswersError",
    "Decision",
    "FieldError",
    "Problem",
    "Question",
    "Reason",
    "RuleSet",
    "RuleSetError",
    "TriageError",
    "accepts",
    "asked",
    "decision_to_dict",
    "evaluate",
    "load_ruleset",
    "open_values",
    "parse_answers",
]
