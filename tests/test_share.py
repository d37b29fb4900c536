"""Share links: encrypted, expiring, opened in the audience the recipient chooses; the QR code."""

from __future__ import annotations

import base64
import binascii
import re
import time
import xml.etree.ElementTree as ET
import zlib
from html import unescape
from urllib.parse import urlsplit

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from golden import CASES
from webflow import PATIENT, share, state_of, walk

from bfr_triage import create_app
from bfr_triage.engine import Answers, RuleSet, load_ruleset, parse_answers
from bfr_triage.paths import data_dir
from bfr_triage.web.share import (
    MAX_TOKEN,
    ShareError,
    ShareExpired,
    make_token,
    qr_svg,
    read_token,
    vocabulary,
)

SECRET = "a-test-secret-of-some-length"
DAY = 86_400
CASE = next(c for c in CASES if c.name == "local_on_trained_limb")
WORDS = vocabulary(load_ruleset(data_dir("rules")))
SHARE_URL = re.compile(r'id="share-url"[^>]*value="([^"]+)"')


@pytest.fixture
def app() -> Flask:
    return create_app({"ENV": "development", "TESTING": True, "SECRET_KEY": SECRET})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def answers(ruleset: RuleSet) -> Answers:
    return parse_answers(ruleset, CASE.answers)


def path_of(token: str) -> str:
    return f"/share/{token}"


# ---- the token -----------------------------------------------------------------------------


def test_round_trip(ruleset: RuleSet, answers: Answers) -> None:
    token = make_token(SECRET, answers, words=WORDS)
    assert parse_answers(ruleset, read_token(SECRET, token, 30 * DAY, words=WORDS)) == answers


def test_the_token_is_short_and_url_safe(answers: Answers) -> None:
    token = make_token(SECRET, answers, words=WORDS)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) < 200


def _flip(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


def test_every_changed_character_is_refused(answers: Answers) -> None:
    token = make_token(SECRET, answers, words=WORDS)
    for index in range(0, len(token) - 1, 7):  # the last character carries padding bits only
        with pytest.raises(ShareError) as caught:
            read_token(SECRET, _flip(token, index), 30 * DAY, words=WORDS)
        assert not isinstance(caught.value, ShareExpired), index


@pytest.mark.parametrize(
    "token", ["", "x", "gAAAAA", "é" * 10, "A" * (MAX_TOKEN + 1), "not a token at all!"]
)
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(ShareError):
        read_token(SECRET, token, 30 * DAY, words=WORDS)


def test_another_key_cannot_read_it(answers: Answers) -> None:
    token = make_token(SECRET, answers, words=WORDS)
    with pytest.raises(ShareError):
        read_token("another-secret-key-entirely", token, 30 * DAY, words=WORDS)


def test_expiry(ruleset: RuleSet, answers: Answers) -> None:
    made = 1_800_000_000
    token = make_token(SECRET, answers, now=made, words=WORDS)
    assert read_token(SECRET, token, 30 * DAY, now=made + 30 * DAY, words=WORDS) is not None
    with pytest.raises(ShareExpired):
        read_token(SECRET, token, 30 * DAY, now=made + 30 * DAY + 1, words=WORDS)
    with pytest.raises(ShareError):  # from the future beyond clock skew: not genuine
        read_token(SECRET, token, 30 * DAY, now=made - 3600, words=WORDS)


def _decodings(token: str) -> list[bytes]:
    """Return the token base64-decoded at each of the four character alignments."""
    out = []
    for shift in range(4):
        chunk = token[shift:]
        chunk = chunk[: len(chunk) - len(chunk) % 4]
        out.append(base64.urlsafe_b64decode(chunk))
    return out


def test_the_decoding_check_finds_base64_text() -> None:
    for prefix in ("", "x", "xy"):
        encoded = base64.urlsafe_b64encode(f"{prefix}left_leg".encode()).decode()
        assert any(b"left_leg" in d for d in _decodings("gAAA" + encoded))


def test_no_answer_is_readable_in_the_url(answers: Answers) -> None:
    token = make_token(SECRET, answers, words=WORDS)
    decodings = _decodings(token)
    distinctive = ["osteoarthritis", "left_leg", "wound_limbs", "load_restriction", "fwb", "none"]
    for word in distinctive:
        assert word not in token
        assert all(word.encode() not in decoded for decoded in decodings), word
    for start in range(len(decodings[0])):  # nothing to inflate without the key
        try:
            inflated = zlib.decompress(decodings[0][start:])
        except zlib.error:
            continue
        assert b"osteoarthritis" not in inflated


def test_the_same_answers_give_different_tokens(answers: Answers) -> None:
    assert make_token(SECRET, answers, now=1, words=WORDS) != make_token(
        SECRET, answers, now=1, words=WORDS
    )


# ---- the QR code -------------------------------------------------------------------------------


def test_the_qr_code_is_plain_svg_without_style_or_script() -> None:
    svg = qr_svg("https://bfr.example/share/abc", 'QR & "quotes" <b>')
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("role") == "img"
    for element in root.iter():
        assert element.tag.removeprefix("{http://www.w3.org/2000/svg}") in (
            "svg",
            "title",
            "g",
            "path",
        )
        assert "style" not in element.attrib and not any(a.startswith("on") for a in element.attrib)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == 'QR & "quotes" <b>'


def raster(svg: str, px: int = 4) -> memoryview:
    """Draw the SVG (a light square, then one dark rectangle per run of modules) in grey."""
    root = ET.fromstring(svg)
    size = int(root.get("viewBox", "").split()[3])
    light, dark = root.findall("{http://www.w3.org/2000/svg}path")
    assert light.get("fill") == "#fff" and dark.get("fill") == "#000"
    modules = {
        (x + i, y)
        for x, y, n in (
            map(int, m) for m in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", dark.get("d", ""))
        )
        for i in range(n)
    }
    assert modules
    pixels = bytes(
        0 if (c // px, r // px) in modules else 255
        for r in range(size * px)
        for c in range(size * px)
    )
    return memoryview(pixels).cast("B", (size * px, size * px))


def shared(client: FlaskClient, ruleset: RuleSet, audience: str) -> str:
    """Walk to the result as `audience`, make a share link; return the share page."""
    return share(client, walk(client, ruleset, PATIENT, audience)[-1]).get_data(as_text=True)


def test_the_qr_code_reads_back_as_the_link(client: FlaskClient, ruleset: RuleSet) -> None:
    result = shared(client, ruleset, "patient")
    image = re.search(r'<img class="share-qr" src="([^"]+)"', result).group(1)
    response = client.get(unescape(image))
    assert response.mimetype == "image/svg+xml"
    found = zxingcpp.read_barcodes(raster(response.get_data(as_text=True)))
    assert [b.text for b in found] == [share_url_of(result)]


# ---- the pages -------------------------------------------------------------------------------


def share_url_of(html: str) -> str:
    found = SHARE_URL.search(html)
    assert found, "no share link on the page"
    return unescape(found.group(1))


def test_a_link_is_made_only_when_asked_for(client: FlaskClient, ruleset: RuleSet) -> None:
    result = walk(client, ruleset, PATIENT, "patient")[-1]
    assert "/share/" not in result.get_data(as_text=True)  # no token on the result page
    page = share(client, result)
    assert page.headers["Cache-Control"] == "no-store"
    back = re.search(r'formaction="([^"]*/result[^"]*)"', page.get_data(as_text=True))
    assert back, "the share page has no way back to the result"
    again = client.post(unescape(back.group(1)), data={"state": unescape(state_of(page))})
    assert 'class="verdict verdict-first_line"' in again.get_data(as_text=True)


def test_a_forged_state_makes_no_link(client: FlaskClient) -> None:
    response = client.post("/share", data={"state": "forged"})
    assert response.status_code == 400
    assert "/share/" not in response.get_data(as_text=True)


def test_a_share_link_works(client: FlaskClient, ruleset: RuleSet) -> None:
    result = shared(client, ruleset, "patient")
    url = share_url_of(result)
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.path.startswith("/share/") and not parts.query
    assert "meniscus" not in url and "nwb" not in url
    assert '<img class="share-qr" src="/share/' in result
    assert "result.json" not in result  # downloads are for clinicians
    chooser = client.get(parts.path)
    assert chooser.status_code == 200
    links = re.findall(
        r'href="([^"]*audience=(?:patient|clinician)[^"]*)"', chooser.get_data(as_text=True)
    )
    assert len(links) == 2
    opened = client.get(unescape(links[1]))
    assert opened.status_code == 200
    page = opened.get_data(as_text=True)
    assert opened.headers["Cache-Control"] == "no-store" == chooser.headers["Cache-Control"]
    assert 'class="verdict verdict-first_line"' in page
    assert "Clot-risk points" in page  # the clinician view of a patient's answers
    assert share_url_of(page) == url  # re-sharing keeps the original link and its expiry


def test_a_clinician_result_offers_json_and_fhir_downloads(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    result = shared(client, ruleset, "clinician")
    json_url = unescape(re.search(r'href="([^"]*/result\.json[^"]*)"', result).group(1))
    fhir_url = unescape(
        re.search(r'href="([^"]*/questionnaire-response\.json[^"]*)"', result).group(1)
    )
    decision = client.get(json_url)
    assert decision.status_code == 200 and decision.mimetype == "application/json"
    assert "attachment" in decision.headers["Content-Disposition"]
    api = client.post("/api/v1/assessments", json={"audience": "clinician", "answers": PATIENT})
    assert decision.get_json() == api.get_json()
    fhir = client.get(fhir_url)
    assert fhir.status_code == 200 and fhir.mimetype == "application/fhir+json"
    assert fhir.get_json(force=True)["resourceType"] == "QuestionnaireResponse"


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_the_link_opens_in_the_chosen_audience(
    client: FlaskClient, answers: Answers, audience: str
) -> None:
    r = client.get(path_of(make_token(SECRET, answers, words=WORDS)) + f"?audience={audience}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f'class="verdict verdict-{CASE.verdict}"' in page
    assert ("Clot-risk points" in page) is (audience == "clinician")


def test_a_changed_link_gives_a_clear_400_page(client: FlaskClient, answers: Answers) -> None:
    token = make_token(SECRET, answers, words=WORDS)
    for bad in (_flip(token, 40), token[:-10], token + "AAAA", "x" * 5000):
        r = client.get(path_of(bad) + "?audience=clinician")
        assert r.status_code == 400 and r.mimetype == "text/html"
        page = r.get_data(as_text=True)
        assert "This link does not work" in page and 'href="/' in page
    for download in ("result.json", "questionnaire-response.json"):
        assert client.get(f"{path_of(_flip(token, 40))}/{download}").status_code == 400


def test_an_expired_link_gives_a_clear_410_page(client: FlaskClient, answers: Answers) -> None:
    old = make_token(SECRET, answers, now=int(time.time()) - 31 * DAY, words=WORDS)
    r = client.get(path_of(old) + "?audience=patient")
    assert r.status_code == 410
    assert "This link has expired" in r.get_data(as_text=True)
    assert client.get(path_of(old) + "/result.json").status_code == 410


def test_the_lifetime_is_configurable(answers: Answers) -> None:
    client = create_app(
        {"ENV": "development", "TESTING": True, "SECRET_KEY": SECRET, "SHARE_MAX_AGE_DAYS": 2}
    ).test_client()
    three_days = make_token(SECRET, answers, now=int(time.time()) - 3 * DAY, words=WORDS)
    assert client.get(path_of(three_days)).status_code == 410
    one_day = make_token(SECRET, answers, now=int(time.time()) - DAY, words=WORDS)
    assert client.get(path_of(one_day)).status_code == 200


def test_the_error_pages_are_translated(client: FlaskClient, answers: Answers) -> None:
    english = client.get(path_of("garbage") + "?lang=en").get_data(as_text=True)
    danish = client.get(path_of("garbage") + "?lang=da")
    assert danish.status_code == 400
    page = danish.get_data(as_text=True)
    assert '<html lang="da">' in page and "This link does not work" not in page
    assert english != page


def test_answers_the_rule_set_no_longer_accepts_are_a_clear_400(client: FlaskClient) -> None:
    token = make_token(SECRET, Answers({"condition": "no_such_condition"}), words=WORDS)
    assert read_token(SECRET, token, DAY, words=WORDS) == {"condition": "no_such_condition"}
    assert client.get(path_of(token) + "?audience=patient").status_code == 400


def test_a_token_without_the_dictionary_is_longer_but_valid(
    ruleset: RuleSet, answers: Answers
) -> None:
    plain = make_token(SECRET, answers)
    assert len(plain) > len(make_token(SECRET, answers, words=WORDS)) + 100
    assert parse_answers(ruleset, read_token(SECRET, plain, DAY, words=WORDS)) == answers


def test_a_token_from_another_vocabulary_is_refused_not_misread(answers: Answers) -> None:
    token = make_token(SECRET, answers, words=WORDS)
    for other in (WORDS.replace(b'"no"', b'"on"'), b"", WORDS + b" "):
        with pytest.raises(ShareError):
            read_token(SECRET, token, DAY, words=other)


def test_a_link_made_with_another_secret_does_not_open(answers: Answers) -> None:
    other = create_app(
        {"ENV": "development", "TESTING": True, "SECRET_KEY": "another-secret-key-entirely"}
    )
    token = make_token(SECRET, answers, words=WORDS)
    assert other.test_client().get(path_of(token)).status_code == 400


def test_no_base64_decodable_answers_in_any_link_on_the_page(
    client: FlaskClient, ruleset: RuleSet
) -> None:
    result = shared(client, ruleset, "clinician")
    for href in re.findall(r'(?:href|value)="([^"]*/share/[^"]*)"', result):
        token = urlsplit(unescape(href)).path.split("/")[2]
        try:
            decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            decoded = b""
        for word in ("meniscus", "left_leg", "nwb", "risk_factors"):
            assert word not in href and word.encode() not in decoded


# ---- links and states made under the version 1 vocabulary --------------------------------------

# Made by the version 1 code (commit 14ff79d, rule set 2026.11.1) from its golden case
# early_post_operative (surgery 1-6 weeks ago, full weight-bearing: first_line in v1, where any
# operation was a loading barrier), with this secret, the share link stamped 2026-01-01.
# Every answer in it is still a valid v2 answer, so only the binding to the vocabulary can
# refuse it: v2 would read it with another meaning (README §4: the operation must be on the
# trained limb).
V1_SECRET = "v1-token-fixture-secret-0123456789abcdef"
V1_SHARE = "gAAAAABpVbkA7UFrimOCTPoH15k0PfExy_lgkQ-rKnQNni8FUL7_GnfQ0LTRkATz5_DI6QMfX7GxKD_fYD9VNPgdphpiEjyeZbLKMrFXRQC0NL3y3byTju6MhJyGbn8hvC46xmwYW_OB"
V1_STATE = ".eJxlksFuwzAIht_F5x62HXroq0wTIg5JUB1sgbOoqvruw1ubRcrNfL_BP-B7wHC5h5il58pZwiVchQiUSsJIM0kNp5B47lxJNFRINDpZicepQkeoLKNrw9q1ixl7z7WqHJ_lJDvnec4dJzbqX8gWHUlvHq5EV4N3ODstyAIT4bcLH6cQUSRXqLrDf-lFOSvElOuLtDMYj2J7Ut0e9GxZe9JNQIn_kXcEBRXTzXjLnbw_6MoWeqO11SE02jzkZoE1Lgn33RalUfyJzaxxvCaCSCm9EMalEnBKQrY9uuZFemjTdvTpTCh8-fRkoN9xHqV0m8t0xANbdVNHwVb30EZyUGSZu-blqOBIcH7bVhkX33BsH-NJlO0KA8aadZf3OIXZb1ilYuHxAwvI0fY.awzK-Q.J-jvPwvnNBG0bh73DSLiBXixZLQ"
V1_ANSWERS = {
    "condition": "knee_replacement", "limb": "left_leg", "weight_bearing": "fwb",
    "load_restriction": "no", "immobilised": "no", "surgery": "weeks_1_6", "pain_heavy": 2,
    "cannot_train_heavy": "no", "prior_clot": "no", "clot_signs": "no", "clotting_disorder": "no",
    "cancer": "no", "leg_paralysis": "no", "high_bp": "no", "heart_disease": "no",
    "poor_circulation": "no", "pregnancy": "no", "sickle_cell": "no", "acute_illness": "no",
    "wound_limbs": ["none"], "infection_limbs": ["none"], "lymph_limbs": ["none"],
    "fistula_limbs": ["none"], "swelling_limbs": ["none"], "numbness_limbs": ["none"],
    "age_60": "no", "icu_recent": "no", "risk_factors": ["none"],
}  # fmt: skip


@pytest.fixture
def v1_client() -> FlaskClient:
    # The token is older than the default 30 days: a long life, so that it is refused for its
    # vocabulary, not for its age.
    config = {
        "ENV": "development",
        "TESTING": True,
        "SECRET_KEY": V1_SECRET,
        "SHARE_MAX_AGE_DAYS": 3650,
    }
    return create_app(config).test_client()


def test_the_v1_answers_alone_would_still_parse(ruleset: RuleSet) -> None:
    parse_answers(ruleset, V1_ANSWERS)  # so the refusals below come from the vocabulary
    with pytest.raises(ShareError):
        read_token(V1_SECRET, V1_SHARE, 3650 * DAY, words=WORDS)


@pytest.mark.parametrize("suffix", ["", "?audience=patient", "/result.json", "/qr.svg",
                                    "/questionnaire-response.json?audience=clinician"])  # fmt: skip
def test_a_v1_share_link_does_not_work(v1_client: FlaskClient, suffix: str) -> None:
    r = v1_client.get(f"/share/{V1_SHARE}{suffix}")
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "This link does not work" in r.get_data(as_text=True)


def test_a_v1_signed_state_is_not_read(v1_client: FlaskClient) -> None:
    for path in ("/result?audience=patient", "/share", "/q/loading"):
        r = v1_client.post(path, data={"state": V1_STATE})
        assert r.status_code == 400, path
        assert "Your answers could not be read" in r.get_data(as_text=True), path
