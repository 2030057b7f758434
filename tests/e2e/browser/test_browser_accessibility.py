"""axe-core in real Chromium over every page each role reaches by its links: no serious or
critical accessibility violation (WCAG 2.x A/AA rules as axe-core ships them, bundled with
axe-playwright-python: nothing is downloaded)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from api_support import PASSWORD, implant_pump_with_patient_bolus
from axe_playwright_python.sync_playwright import Axe
from browser_support import LiveServer
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROLES = ("physician", "nurse", "pharmacist", "admin", "patient")
SKIP = ("/logout", "/static/", "/api/", "/calendar/")
DOWNLOADS = (".csv", ".pdf", ".ics", ".json", ".png")
MAX_PAGES = 40


def _links(page: Any, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        path = parts.path
        if path.startswith(SKIP) or path.endswith(DOWNLOADS) or "before=" in parts.query:
            continue
        found.append(path + (f"?{parts.query}" if parts.query else ""))
    return found


def serious(results: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {node['target']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
        for node in v["nodes"][:3]
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_has_no_serious_accessibility_violation(
    browser: Any, server: LiveServer, role: str
) -> None:
    implant_pump_with_patient_bolus(server.clinic)
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{server.url}/login")
    axe = Axe()
    problems = {"/login": serious(axe.run(page))}
    page.get_by_label("Username").fill(role)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_be_visible()
    queue, seen = [urlsplit(page.url).path], set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path.split("?")[0] in seen:  # one visit per page, whatever its query (days, needs)
            continue
        seen.add(path.split("?")[0])
        response = page.goto(f"{server.url}{path}")
        if response is None or response.status >= 400 or "/login" in page.url:
            continue
        problems[path] = serious(axe.run(page))
        queue.extend(_links(page, server.url))
    assert len(problems) >= 4  # log-in and the role's own pages
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_check_finds_a_violation_when_there_is_one(browser: Any, server: LiveServer) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/login")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<img src=\"/static/thecal.css\"><input type=text>')"
    )
    found = serious(Axe().run(page))
    assert any(line.startswith("image-alt (critical)") for line in found)
    assert any(line.startswith("label (critical)") for line in found)
