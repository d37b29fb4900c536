"""Responses are compressed when the client accepts it, never otherwise, and stay the same page.

Flask-Compress does the work; these tests check what a client sees: the encoding asked for, the
same bytes once decoded, `Vary: Accept-Encoding` on every response (compressed or not, so a cache
never hands a gzip body to a client that did not ask), the security headers kept, and a Range
request answered with the plain bytes it asked for.
"""

from __future__ import annotations

import gzip

import brotli
import pytest
from backports import zstd
from flask.testing import FlaskClient
from webflow import PATIENT, state_of, walk
from werkzeug.test import TestResponse

from bfr_triage import create_app
from bfr_triage.engine import RuleSet

DECODE = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}


def get(client: FlaskClient, url: str, **headers: str) -> TestResponse:
    """GET `url`, read the body and close the response (static files hold a file open)."""
    with client.get(url, headers={k.replace("_", "-"): v for k, v in headers.items()}) as r:
        r.get_data()
    return r


def plain(client: FlaskClient, url: str) -> TestResponse:
    response = get(client, url)  # the test client sends no Accept-Encoding
    assert "Content-Encoding" not in response.headers
    return response


@pytest.mark.parametrize("encoding", sorted(DECODE))
@pytest.mark.parametrize(
    "url", ["/?lang=da", "/about", "/static/app.css", "/static/app.js", "/api/v1/questionnaire"]
)
def test_compressed_when_asked_and_the_same_once_decoded(
    client: FlaskClient, url: str, encoding: str
) -> None:
    expected = plain(client, url)
    response = get(client, url, Accept_Encoding=encoding)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.data) < len(expected.data) / 2
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert DECODE[encoding](response.data) == expected.data


def test_a_browser_gets_its_preferred_encoding(client: FlaskClient) -> None:
    chromium = "gzip, deflate, br, zstd"
    assert client.get("/", headers={"Accept-Encoding": chromium}).headers["Content-Encoding"] in (
        "zstd",
        "br",
    )
    old = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert old.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("accept", ["", "identity", "gzip;q=0", "*;q=0", "deflate", "compress"])
def test_identity_when_nothing_usable_is_accepted(client: FlaskClient, accept: str) -> None:
    response = client.get("/about", headers={"Accept-Encoding": accept} if accept else {})
    assert "Content-Encoding" not in response.headers
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert vary == {"Accept-Encoding", "Accept-Language"}  # a cache keeps the variants apart
    assert b"<h1>" in response.data


def test_posted_pages_and_results_are_compressed_with_their_headers(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    result = walk(client, ruleset, PATIENT)[-1]
    response = client.post(
        "/result?audience=patient",
        data={"state": state_of(result)},
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == result.data
    # The security headers survive compression, each once.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert len(response.headers.getlist(name)) == 1, name
    assert response.headers.getlist("Vary") == ["Accept-Encoding, Accept-Language"]


def test_vary_keeps_what_a_view_set() -> None:
    """The API's CORS answer varies by Origin; compression adds Accept-Encoding beside it."""
    client = create_app(
        {"TESTING": True, "ENV": "development", "CORS_ORIGINS": "https://clinic.example"}
    ).test_client()
    response = client.get(
        "/api/v1/questionnaire",
        headers={"Accept-Encoding": "gzip", "Origin": "https://clinic.example"},
    )
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert {"Origin", "Accept-Encoding"} <= vary


def test_small_and_empty_answers_are_left_alone(client: FlaskClient) -> None:
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert health.data == b"ok\n" and "Content-Encoding" not in health.headers


def test_a_range_request_gets_the_plain_bytes_it_asked_for(client: FlaskClient) -> None:
    whole = plain(client, "/static/app.css").data
    part = get(client, "/static/app.css", Accept_Encoding="gzip, br", Range="bytes=10-59")
    assert part.status_code == 206
    assert "Content-Encoding" not in part.headers
    assert part.data == whole[10:60]
    assert "Accept-Encoding" in part.headers["Vary"]


def test_a_revalidated_static_file_is_not_sent_again(client: FlaskClient) -> None:
    first = get(client, "/static/app.js", Accept_Encoding="gzip")
    again = get(
        client, "/static/app.js", Accept_Encoding="gzip", If_None_Match=first.headers["ETag"]
    )
    assert again.status_code == 304 and again.data == b""
