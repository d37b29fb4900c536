"""Shared fixtures: the rule set, and a clean environment the developer's shell cannot leak into."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from bfr_triage import create_app
from bfr_triage.engine import RuleSet, load_ruleset
from bfr_triage.paths import data_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("BFR_") and name != "BFR_REQUIRE_BROWSER":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset(data_dir("rules"))


@pytest.fixture
def app() -> Flask:
    return create_app({"ENV": "development", "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
