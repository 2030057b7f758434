"""A live server for the browser tests: uvicorn on a free loopback port in a thread, over a temp
SQLite clinic; and Debian's Chromium driven by Playwright. Screenshots go to
``test-artifacts/screenshots/`` (kept by CI as artifacts, ignored by git).

Without ``/usr/bin/chromium`` the tests skip with the reason (CI installs it and counts a skip as
a failure).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import build_clinic
from browser_support import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    clinic = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('browser')}/thecal.db")
    with LiveServer(clinic) as live:
        yield live
    clinic.thecal.close()


# One Chromium per module (and xdist worker): a launch costs about a second. Tests share no
# browser state: each opens its own context (cookies, storage) with ``browser.new_context``.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only when Chromium exists

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
