"""The pump page's program editor, pending changes and the signing form keeping the work
(issue 12 §1, §4; issue 13 §5), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from api_support import (
    PASSWORD,
    Clinic,
    TestClient,
    implant_pump_with_patient_bolus,
    logged_in,
)
from httpx import Response
from test_web_pages import form_token

from thecal.domain.program import ProgramMode
from thecal.domain.users import Actor, Role
from thecal.services.pumps import GetPump, get_pump

FLEX = {
    "daily_dose": "",
    "steps": "00:00=4 mg/day\n08:00=6 mg/day\n20:00=4 mg/day",
    "patient_bolus": "set",
    "bolus_dose": "0.2 mg",
    "bolus_duration": "10 min",
    "bolus_lockout": "4 h",
    "bolus_max_per_day": "3",
    "low_reservoir_alarm": "3 mL",
    "rationale": "more cover through the day",
}


def _post(client: TestClient, page: str, action: str, data: dict[str, object]) -> Response:
    shown = client.get(page)
    assert shown.status_code == 200, shown.text[-800:]
    return client.post(
        action,
        data={"csrf_token": form_token(shown.text, action), **data},
        follow_redirects=False,
    )


def test_a_wrong_unit_keeps_the_typed_program_and_names_the_cause(both: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    client = logged_in(both, "physician")
    page = f"/pumps/{pump_id}"
    shown = client.get(page)
    assert "Continuous daily dose of" in shown.text
    assert "(mg/day)" in shown.text
    refused = _post(
        client,
        page,
        f"{page}/program-changes",
        {**FLEX, "steps": "00:00=4 mg/day\n08:00=6000 mcg/day"},
    )
    assert refused.status_code == 422
    assert "is not in mg/day" in refused.text
    assert "08:00=6000 mcg/day" in refused.text  # the clinician's input is still there
    assert "0.2 mg" in refused.text
    assert "more cover through the day" in refused.text


def test_a_flex_program_is_proposed_listed_signed_and_a_wrong_password_keeps_the_form(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    both.clock.advance(days=14)
    physician = logged_in(both, "physician")
    page = f"/pumps/{pump_id}"
    proposed = _post(physician, page, f"{page}/program-changes", FLEX)
    assert proposed.status_code == 303, proposed.text[-1500:]
    change_url = proposed.headers["location"]
    review = physician.get(change_url)
    assert "step 3 rate" in review.text
    assert "worst-case daily dose" in review.text
    pending = physician.get(page)
    assert 'id="pending-changes"' in pending.text
    assert change_url in pending.text

    digest = re.search(r'name="diff_digest" value="([^"]+)"', review.text)
    assert digest is not None
    acknowledge = re.findall(r'name="acknowledge" value="([^"]+)"', review.text)
    wrong = _post(
        physician,
        change_url,
        f"{change_url}/sign",
        {
            "diff_digest": digest.group(1),
            "password": "not-the-password",
            "acknowledge": acknowledge,
        },
    )
    assert wrong.status_code == 422  # the signing form again, not the log-in page
    assert 'id="form-error"' in wrong.text
    assert f'action="{change_url}/sign"' in wrong.text
    for code in acknowledge:
        assert re.search(rf'value="{code}" required checked', wrong.text)
    signed = _post(
        physician,
        change_url,
        f"{change_url}/sign",
        {"diff_digest": digest.group(1), "password": PASSWORD, "acknowledge": acknowledge},
    )
    assert signed.status_code == 303  # post/redirect/get
    assert signed.headers["location"] == change_url

    nurse = logged_in(both, "nurse")
    cosigned = _post(
        nurse,
        change_url,
        f"{change_url}/cosign",
        {"diff_digest": digest.group(1), "password": PASSWORD},
    )
    assert cosigned.status_code == 303
    actor = Actor(user_id=both.users[Role.NURSE], role=Role.NURSE)
    pump = both.thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id))
    assert pump.program.mode is ProgramMode.CONTINUOUS  # not sent yet: the pump is unchanged


def test_a_pending_change_is_withdrawn_from_its_page(both: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    both.clock.advance(days=14)
    nurse = logged_in(both, "nurse")
    page = f"/pumps/{pump_id}"
    proposed = _post(
        nurse, page, f"{page}/program-changes", {"daily_dose": "5.2 mg/day", "rationale": "less"}
    )
    assert proposed.status_code == 303, proposed.text[-1500:]
    change_url = proposed.headers["location"]
    blank = _post(nurse, change_url, f"{change_url}/withdrawal", {"reason": " "})
    assert blank.status_code == 422
    assert 'id="form-error"' in blank.text
    withdrawn = _post(nurse, change_url, f"{change_url}/withdrawal", {"reason": "patient declined"})
    assert withdrawn.status_code == 303
    shown = nurse.get(change_url)
    assert "Withdrawn: patient declined" in shown.text
    assert change_url not in nurse.get(page).text  # no longer pending


def test_a_single_bolus_is_proposed_from_the_editor_and_reviewed_side_by_side(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)  # SynchroMed II: single bolus, no periodic
    both.clock.advance(days=14)
    nurse = logged_in(both, "nurse")
    page = f"/pumps/{pump_id}"
    shown = nurse.get(page)
    assert 'name="single_dose"' in shown.text
    assert 'name="periodic_dose"' not in shown.text  # the model runs no periodic bolus
    assert "Mon 07:00=dose" in shown.text  # a weekly schedule is offered
    mixed = _post(
        nurse,
        page,
        f"{page}/program-changes",
        {
            "daily_dose": "5 mg/day",
            "single_dose": "5 mg",
            "single_duration": "12 h",
            "rationale": "x",
        },
    )
    assert mixed.status_code == 422
    assert "a daily dose and a single bolus were given" in mixed.text
    assert 'value="12 h"' in mixed.text  # the typed bolus is kept
    proposed = _post(
        nurse,
        page,
        f"{page}/program-changes",
        {"single_dose": "5 mg", "single_duration": "12 h", "rationale": "bridge"},
    )
    assert proposed.status_code == 303, proposed.text[-1500:]
    review = nurse.get(proposed.headers["location"]).text
    assert "single bolus dose" in review
    assert "single-bolus" in review
    assert "most in any 24 h" in review
