"""The questionnaire's blueprint, on its own so that every module with pages can add routes to it.

`views`, `intake` and `info` each import `bp` from here; `web/__init__.py` imports them all.
"""

from flask import Blueprint

from .. import security

bp = security.embeddable(Blueprint("web", __name__))  # the clinics' iframe may show these pages
