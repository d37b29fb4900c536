"""A generator takes the OpenAPI document whole: openapi-python-client writes a client with every
operation and no warning, and that client makes real calls to a live server."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from golden import CASES
from test_api import clean_app
from werkzeug.serving import WSGIRequestHandler, make_server

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "bfr_triage_client"


class Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, dict[str, Any]]]:
    """A live server of the app on 127.0.0.1, and its OpenAPI document."""
    app = clean_app(
        {
            "TESTING": False,
            "SECRET_KEY": "a-test-secret-of-some-length-0123456789",
            "TRUSTED_HOSTS": "127.0.0.1 localhost",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        doc = app.test_client().get("/api/v1/openapi.json").get_json()
        yield f"http://127.0.0.1:{server.server_port}", doc
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def generated(
    live: tuple[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Generate the client from the document; yield its package directory, importable."""
    where = tmp_path_factory.mktemp("client")
    (where / "openapi.json").write_text(json.dumps(live[1]))
    (where / "config.yml").write_text("post_hooks: []\n")  # no formatter run: not needed here
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", "openapi.json", "--config", "config.yml",
         "--meta", "none", "--output-path", PACKAGE],
        cwd=where, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    print(output)
    assert done.returncode == 0, output
    assert "Warning" not in output and "Unable to" not in output, output
    sys.path.insert(0, str(where))
    try:
        yield where / PACKAGE
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def test_every_operation_is_generated(generated: Path, live: tuple[str, dict[str, Any]]) -> None:
    operations = [op["operationId"] for ops in live[1]["paths"].values() for op in ops.values()]
    assert len(operations) == 9
    made = {p.stem for p in (generated / "api" / "default").glob("*.py")} - {"__init__"}
    snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", o).lower() for o in operations}
    assert made == snake


def test_the_generated_client_makes_real_calls(
    generated: Path, live: tuple[str, dict[str, Any]]
) -> None:
    client_module = importlib.import_module(PACKAGE)
    assess = importlib.import_module(f"{PACKAGE}.api.default.assess")
    decide = importlib.import_module(f"{PACKAGE}.api.default.fhir_decide")
    response = importlib.import_module(f"{PACKAGE}.api.default.fhir_questionnaire_response")
    models = importlib.import_module(f"{PACKAGE}.models")
    case = next(c for c in CASES if c.name == "clot_points_summed")
    body = models.AssessmentRequest.from_dict({"audience": "clinician", "answers": case.answers})
    with client_module.Client(base_url=live[0], raise_on_unexpected_status=True) as client:
        decision = assess.sync(client=client, body=body, lang="da")
        assert isinstance(decision, models.Decision)
        assert decision.verdict.value == case.verdict
        assert {r.rule.value for r in decision.reasons} <= case.fired
        qr = response.sync(client=client, body=body)
        assert isinstance(qr, models.FhirResource) and qr.resource_type == "QuestionnaireResponse"
        guidance = decide.sync(client=client, body=qr)
        assert guidance.resource_type == "GuidanceResponse"
        bad = decide.sync(client=client, body=models.FhirResource(resource_type="Patient"))
        assert bad.resource_type == "OperationOutcome"
