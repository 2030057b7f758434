"""The pump page writes every dose of a drug in the drug's one unit (issue 13 §2), on SQLite and
PostgreSQL: morphine 0.5 mg/day reads "0.5 mg/day" in the program table and the glance, never
"500 mcg/day"; baclofen 50 mcg/day reads "50 mcg/day" and its 1 mg/mL "1000 mcg/mL"."""

from __future__ import annotations

import re

from api_support import Clinic
from test_api_drug_units import baclofen_50_mcg, morphine_half_mg
from test_web_pages import browser_login


def _cells(page: str) -> dict[str, str]:
    """The program table on record: parameter name → its text."""
    table = page[page.index('id="program-h"') :]
    table = table[: table.index("</table>")]
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]*)</td>', table))


def test_the_pump_page_shows_morphine_in_mg_whatever_its_size(both: Clinic) -> None:
    pump_id = morphine_half_mg(both)
    page = browser_login(both, "physician").get(f"/pumps/{pump_id}").text
    cells = _cells(page)
    assert cells["step 1 rate"] == "0.5 mg/day"
    assert cells["patient bolus dose"] == "0.05 mg"
    assert cells["concentration morphine"] == "1 mg/mL"
    assert "<strong>0.5 mg/day</strong> basal" in page  # the glance
    assert "500 mcg" not in page
    assert "50 mcg" not in page


def test_the_pump_page_shows_baclofen_in_mcg(both: Clinic) -> None:
    pump_id = baclofen_50_mcg(both)
    page = browser_login(both, "physician").get(f"/pumps/{pump_id}").text
    cells = _cells(page)
    assert cells["step 1 rate"] == "50 mcg/day"
    assert cells["concentration baclofen"] == "1000 mcg/mL"
    assert "<strong>50 mcg/day</strong> basal" in page
    assert "0.05 mg" not in page
    assert "1 mg/mL" not in page
