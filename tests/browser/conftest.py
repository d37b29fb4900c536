"""Browser fixtures: a live server, one Chromium per session, a fresh cookie-less tab per test.

Chromium and the Nu Html Checker are system tools. Where one is missing the tests that need it
skip with the reason, unless BFR_REQUIRE_BROWSER=1 (set by .ci/run): then they fail.
`BFR_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser` refreshes docs/screenshots.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from .tab import Tab
from .tour import README_SCREENSHOTS, Tour, take_tour

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VIEWPORT = {"width": 1000, "height": 900}
SECRET = "browser-tests-secret-key-not-for-production"
LOOPBACK = "127.0.0.1 localhost"  # the Host names the served test apps are reached by
# Read once at import, before the per-test fixture clears BFR_* variables.
UPDATE_SCREENSHOTS = os.environ.get("BFR_SCREENSHOTS") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def missing(reason: str) -> None:
    """Skip for want of a system tool, or fail where CI demands the tool."""
    if os.environ.get("BFR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (BFR_REQUIRE_BROWSER=1 turns this skip into a failure)")
    pytest.skip(reason)


class QuietHandler(WSGIRequestHandler):
    """Log nothing per request: the test output stays readable and no URL reaches a log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serve(app: Callable[..., Any], host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a WSGI app on `host` at a free port in a daemon thread; yield its origin."""
    server = make_server(host, 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"serve-{host}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_app() -> Any:
    """Build the real app as production runs it (TESTING off: error pages render, never raise)."""
    from bfr_triage import create_app

    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("BFR_"):
                mp.delenv(name)
        return create_app({"TESTING": False, "SECRET_KEY": SECRET, "TRUSTED_HOSTS": LOOPBACK})


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Origin of the real app served on 127.0.0.1."""
    with serve(make_app()) as origin:
        yield origin


@pytest.fixture(scope="session")
def chromium_path() -> str:
    for path in CHROMIUM_PATHS:
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path
    missing(f"Chromium not found at {' or '.join(CHROMIUM_PATHS)} (apt-get install chromium)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def make_tab(browser: Any, *origins: str, **context_options: Any) -> Tab:
    """Open a tab in a fresh context (no shared cookies or cache) that may talk to `origins`."""
    context = browser.new_context(**{"viewport": VIEWPORT, **context_options})
    context.set_default_timeout(20_000)  # generous: a shared CI machine can be slow
    return Tab(context, origins)


@pytest.fixture
def new_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """Open fresh, cookie-less tabs that may talk only to the given origins; check each at the end."""
    tabs: list[Tab] = []

    def open_tab(*origins: str, **context_options: Any) -> Tab:
        tab = make_tab(browser, *origins, **context_options)
        tabs.append(tab)
        return tab

    yield open_tab
    for tab in tabs:
        tab.close()


@pytest.fixture
def tab(new_tab: Callable[..., Tab], live_server: str) -> Tab:
    """A fresh tab that may talk only to the app."""
    return new_tab(live_server)


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    """The command line of the Nu Html Checker, minus the files."""
    java = shutil.which("java")
    if java is None:
        missing("java not found (apt-get install openjdk-17-jre-headless)")
    if not VNU_JAR.is_file():
        missing(f"{VNU_JAR.relative_to(ROOT)} not found (npm ci --ignore-scripts)")
    return [str(java), "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


@pytest.fixture(scope="session")
def tour(
    browser: Any, live_server: str, ruleset: Any, tmp_path_factory: pytest.TempPathFactory
) -> Tour:
    """Every page type in every language, walked once by keyboard for the tests that check them.

    The screenshots go to docs/screenshots (for the README) only with BFR_SCREENSHOTS=1: the
    result shows a share link with this run's port and date, so every run would change them.
    """
    shots = README_SCREENSHOTS if UPDATE_SCREENSHOTS else tmp_path_factory.mktemp("screenshots")
    tour = take_tour(lambda *origins: make_tab(browser, *origins), live_server, ruleset, shots)
    print(f"\nseconds per walk: {tour.seconds}")
    return tour
