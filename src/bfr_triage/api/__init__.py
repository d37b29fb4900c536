"""The JSON API under /api/v1: assessments, the question catalogue, OpenAPI and FHIR."""

from .problems import method_not_allowed
from .routes import bp

__all__ = ["bp", "method_not_allowed"]
