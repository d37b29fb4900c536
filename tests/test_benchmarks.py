"""The web benchmark measures what it says: requests the app accepts, a baseline of the same size.

No timing is asserted here; benchmarks/web_bench.py only prints numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from baseline_app import create_baseline  # noqa: E402
from web_bench import PUBLIC_URL, prepare  # noqa: E402

from bfr_triage import create_app  # noqa: E402

SECRET = "bench-tests-secret-key-not-for-production"


def test_every_benchmark_request_is_accepted_by_the_app() -> None:
    app = create_app({"SECRET_KEY": SECRET, "PUBLIC_URL": PUBLIC_URL})
    third = app.extensions["bfr_ruleset"].pages[2].id
    client = app.test_client()
    for t in prepare(SECRET):
        headers = {"Content-Type": t.content_type}
        response = (
            client.post(t.path, data=t.body, headers=headers) if t.body else client.get(t.path)
        )
        assert response.status_code == 200, t.name
        if t.name == "question step":  # the next page, not the same page with errors
            assert f'action="/q/{third}' in response.get_data(as_text=True)
        if t.name == "result":
            assert "verdict-first_line" in response.get_data(as_text=True)


@pytest.mark.parametrize("size", [3_000, 23_000])
def test_the_baseline_page_has_the_size_asked_for(size: int) -> None:
    body = create_baseline(size).test_client().get("/").get_data()
    assert abs(len(body) - size) < 400
