"""Care teams and break the glass in real Chromium (SR-21): the administrator builds a team on the
page, a physician on no team is refused the patient and breaks the glass from the refusal page,
the administrator closes the alert; axe-core finds no serious or critical violation on any of
these pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD
from axe_playwright_python.sync_playwright import Axe
from browser_support import LiveServer
from playwright.sync_api import expect
from test_browser_accessibility import serious

pytestmark = pytest.mark.browser


def _log_in(browser: Any, server: LiveServer, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_be_visible()
    return page


def test_a_team_is_built_the_glass_broken_and_the_alert_closed_on_the_pages(
    browser: Any, server: LiveServer, shots: Path
) -> None:
    axe, problems = Axe(), {}
    own = server.clinic.own_patient

    admin = _log_in(browser, server, "admin")
    admin.get_by_role("link", name="Care teams").click()
    admin.get_by_label("Team name").fill("Spine")
    admin.get_by_role("button", name="Create team").click()
    expect(admin.get_by_role("rowheader", name="Spine")).to_be_visible()
    admin.get_by_label("Team", exact=True).select_option(label="Spine")
    admin.get_by_label("Physician or nurse").select_option(label="Nurse Tester (nurse, nurse)")
    admin.locator("form[action='/care-teams/members']").get_by_role("button").click()
    admin.get_by_label("Family name or MRN").fill("OWN-1")
    admin.get_by_role("button", name="Find").click()
    admin.get_by_label("Team for Owens, Alex").select_option(label="Spine")
    admin.locator("form[action='/care-teams/patients']").get_by_role("button").click()
    expect(admin.get_by_role("cell", name="Spine", exact=True)).to_be_visible()  # team now
    problems["/care-teams"] = serious(axe.run(admin))

    physician = _log_in(browser, server, "physician")  # on no team now
    response = physician.goto(f"{server.url}/patients/{own}")
    assert response is not None
    assert response.status == 403
    expect(physician.locator("h1")).to_have_text("This patient is not on a care team of yours")
    problems["refusal"] = serious(axe.run(physician))
    physician.get_by_label("Why you need this record (at least 10 characters)").fill(
        "Covering the Spine team tonight: pump alarm"
    )
    physician.get_by_label("Open for").select_option("2")
    physician.get_by_role("button", name="Break the glass and open the record").click()
    expect(physician).to_have_url(f"{server.url}/patients/{own}")
    expect(physician.locator("h1")).to_contain_text("Owens")
    physician.screenshot(path=str(shots / "break-glass-opened.png"))

    admin.get_by_role("link", name="Break-glass alerts").click()
    expect(admin.get_by_text("broke the glass for 2 h")).to_be_visible()
    problems["/break-glass-reviews"] = serious(axe.run(admin))
    admin.get_by_label("What you checked").fill("Checked with the night physician")
    admin.get_by_role("button", name="Close the alert for Owens, Alex").click()
    expect(admin.get_by_text("No alert to review.")).to_be_visible()

    assert {where: found for where, found in problems.items() if found} == {}
