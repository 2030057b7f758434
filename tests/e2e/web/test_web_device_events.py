"""The pump's events page through TestClient (issue 12 §3): linked from the pump page, refused to
a pharmacist, a refusal shown with its code and nothing changed, a catheter revision and a
replacement by a Prometra II recorded through the forms."""

from __future__ import annotations

import re

from api_support import Clinic, implant_pump_with_patient_bolus
from test_web_pages import browser_login, form_token

from thecal.domain.users import Actor, Role
from thecal.services.pump_record import Pump, PumpState
from thecal.services.pumps import GetPump, get_pump


def _pump(clinic: Clinic, pump_id: str) -> Pump:
    actor = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    found: Pump = clinic.thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id))
    return found


def _post(client: object, page: str, action: str, data: dict[str, str]) -> object:
    shown = client.get(page)  # type: ignore[attr-defined]
    assert shown.status_code == 200, shown.text[-800:]
    form = re.search(rf'action="{re.escape(action)}".*?</form>', shown.text, re.DOTALL)
    assert form, action
    version = re.search(r'name="pump_version" value="(\d+)"', form.group(0))
    assert version
    body = {"csrf_token": form_token(shown.text, action), "pump_version": version.group(1), **data}
    return client.post(action, data=body, follow_redirects=False)  # type: ignore[attr-defined]


def test_the_events_page_records_a_revision_and_a_replacement(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    client = browser_login(clinic, "physician")
    assert f'href="/pumps/{pump_id}/events"' in client.get(f"/pumps/{pump_id}").text
    page = f"/pumps/{pump_id}/events"
    assert browser_login(clinic, "pharmacist").get(page).status_code == 403

    before = _pump(clinic, pump_id).version
    refused = _post(
        client,
        page,
        f"/pumps/{pump_id}/events/discontinuation",
        {"kind": "therapy-stopped", "reason": "pain resolved"},
    )
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "THC-PATH-061" in refused.text  # type: ignore[attr-defined]
    assert _pump(clinic, pump_id).version == before

    revised = _post(
        client,
        page,
        f"/pumps/{pump_id}/events/catheter-revision",
        {
            "catheter": "ascenda-8780",
            "length_cm": "40",
            "tip_level": "T9",
            "cap_check": "csf-aspirated",
        },
    )
    assert revised.status_code == 303, revised.text  # type: ignore[attr-defined]
    shown = client.get(page).text
    assert "Catheter revision" in shown
    assert "the catheter alone primed with 0.104 mL" in shown

    replaced = _post(
        client,
        page,
        f"/pumps/{pump_id}/events/replacement",
        {
            "reason": "elective-replacement",
            "new_model": "prometra-ii-20",
            "new_serial": "PII-WEB-1",
            "fill_volume": "20 mL",
        },
    )
    assert replaced.status_code == 303, replaced.text  # type: ignore[attr-defined]
    target = replaced.headers["location"]  # type: ignore[attr-defined]
    new_page = client.get(target).text
    assert "Pump replacement" in new_page
    assert "the pump it replaced" in new_page
    assert _pump(clinic, pump_id).state is PumpState.EXPLANTED


def test_a_pump_recorded_on_arrival_is_transferred_in_then_out(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    client = browser_login(clinic, "nurse")
    page = f"/pumps/{pump_id}/events"
    action = f"/pumps/{pump_id}/events/transfer"
    arrived = _post(client, page, action, {"direction": "in", "clinic": "Northgate Pain Centre"})
    assert arrived.status_code == 303, arrived.text  # type: ignore[attr-defined]
    assert "care transferred from Northgate Pain Centre" in client.get(page).text
    assert _pump(clinic, pump_id).state is PumpState.ACTIVE
    left = _post(client, page, action, {"direction": "out", "clinic": "Southside Clinic"})
    assert left.status_code == 303, left.text  # type: ignore[attr-defined]
    shown = client.get(page).text
    assert "care transferred to Southside Clinic" in shown
    assert _pump(clinic, pump_id).state is PumpState.TRANSFERRED
    assert "Care comes back from" in shown


def test_a_form_left_open_on_a_pump_that_left_care_is_refused_409(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    client = browser_login(clinic, "nurse")
    action = f"/pumps/{pump_id}/interrogate"
    token = form_token(client.get(f"/pumps/{pump_id}").text, action)  # the screen before
    left = _post(
        client,
        f"/pumps/{pump_id}/events",
        f"/pumps/{pump_id}/events/transfer",
        {"direction": "out", "clinic": "Southside Clinic"},
    )
    assert left.status_code == 303, left.text  # type: ignore[attr-defined]
    version = _pump(clinic, pump_id).version

    refused = client.post(action, data={"csrf_token": token}, follow_redirects=False)

    assert refused.status_code == 409, refused.text[-800:]
    assert "THC-PATH-062" in refused.text
    assert "is transferred: an interrogation is not possible" in refused.text
    assert _pump(clinic, pump_id).version == version


def test_the_page_of_a_pump_out_of_service_offers_no_treatment_forms(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    client = browser_login(clinic, "physician")
    before = client.get(f"/pumps/{pump_id}").text
    treatment = (
        f'action="/pumps/{pump_id}/interrogate"',
        f'action="/pumps/{pump_id}/refills"',
        f'href="/pumps/{pump_id}/admixture-changes/new"',
        f'action="/pumps/{pump_id}/program-changes"',
    )
    assert all(mark in before for mark in treatment)
    assert "pump-out-of-service" not in before
    left = _post(
        client,
        f"/pumps/{pump_id}/events",
        f"/pumps/{pump_id}/events/transfer",
        {"direction": "out", "clinic": "Southside Clinic"},
    )
    assert left.status_code == 303, left.text  # type: ignore[attr-defined]

    after = client.get(f"/pumps/{pump_id}").text

    assert not any(mark in after for mark in treatment)
    notice = re.search(r'id="pump-out-of-service">(.*?)</p>', after, re.DOTALL)
    assert notice, after[-2000:]
    assert "This pump is transferred." in notice.group(1)
    assert f'href="/pumps/{pump_id}/events"' in notice.group(1)
