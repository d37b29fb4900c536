"""What the app holds for every request: Flask-Babel, bound in `create_app`, and the rule set."""

from flask import current_app
from flask_babel import Babel

from .engine import RuleSet

babel = Babel()


def ruleset() -> RuleSet:
    """Return the rule set loaded once when the app started."""
    rs: RuleSet = current_app.extensions["bfr_ruleset"]
    return rs
