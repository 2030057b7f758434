"""The pump console of demo mode through TestClient: refused outside demo mode, interrogation,
simulated time, faults that the replayed twin keeps, and the audit of every action."""

from __future__ import annotations

import datetime as dt

from api_support import Clinic, implant_pump_with_patient_bolus
from console_support import browser_login, form_token, post_form

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.authorization import Action
from thecal.domain.users import Role


def _console(pump_id: str) -> str:
    return f"/pumps/{pump_id}/console"


def test_outside_demo_mode_the_console_is_not_found_and_says_why(plain_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(plain_clinic)
    client = browser_login(plain_clinic, "nurse")

    response = client.get(_console(pump_id))

    assert response.status_code == 404
    assert "only in demo mode" in response.text
    assert "THC-DEMO-404" in response.text


def test_a_nurse_interrogates_the_twin_and_sees_its_reservoir_battery_and_event_log(
    demo_clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")

    html = post_form(client, _console(pump_id), f"{_console(pump_id)}/interrogate")

    assert "Reservoir estimate" in html
    assert "Battery</dt><dd>ok" in html
    assert 'id="event-log"' in html


def test_a_pharmacist_may_not_use_the_console(demo_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "pharmacist")

    assert client.get(_console(pump_id)).status_code == 403


def test_advancing_seven_days_moves_the_clinic_clock_the_worklist_and_is_audited(
    demo_clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")
    before = demo_clinic.thecal.clock.now()

    html = post_form(
        client, _console(pump_id), f"{_console(pump_id)}/advance", amount="7", unit="days"
    )  # the same session goes on: sessions run on real time (test_console_time_travel_sessions)

    later = before + dt.timedelta(days=7)
    assert "clock has moved forward" in html
    assert later.strftime("%Y-%m-%d %H:%M") in html
    assert "168 h (7 d 0 h)" in html
    assert f'as of <time datetime="{later.isoformat()}"' in client.get("/").text
    with demo_clinic.thecal.uow() as uow:
        entries = [e for e in uow.audit_log.entries() if e.action == Action.DEMO_CONSOLE.value]
    assert [e.details["command"] for e in entries] == ["advance-time"]
    assert entries[0].details["hours"] == 168


def test_an_injected_motor_stall_shows_in_the_next_interrogation(demo_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")
    post_form(client, _console(pump_id), f"{_console(pump_id)}/command", kind="motor-stall")
    demo_clinic.clock.advance(minutes=10)  # within the session's idle timeout

    html = post_form(client, _console(pump_id), f"{_console(pump_id)}/interrogate")

    assert "Delivering</dt><dd>NO" in html
    assert "motor" in html.lower()
    assert 'aria-label="Active alarms"' in html


def test_an_under_delivery_fault_is_kept_by_the_replayed_twin(demo_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "physician")
    post_form(
        client,
        _console(pump_id),
        f"{_console(pump_id)}/command",
        kind="under-delivery",
        under_delivery_percent="50",
    )
    demo_clinic.clock.advance(days=4)

    with demo_clinic.thecal.uow() as uow:
        pump = uow.pumps.get(pump_id)
        assert pump is not None
        kinds = [c.kind for c in uow.device_commands.for_serial(pump.serial)]
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=demo_clinic.thecal.clock).twin(
            pump.serial
        )
        twin.advance_to(demo_clinic.thecal.clock.now())
        entries = [e for e in uow.audit_log.entries() if e.action == Action.DEMO_CONSOLE.value]

    assert kinds[-1] == "fault"
    # half of what the pump counts never leaves it: the true reservoir holds more than it believes
    assert twin.truth.reservoir.ml > twin.belief.reservoir.ml
    assert entries[-1].details == {
        "role": "physician",
        "command": "under-delivery",
        "pump_id": pump_id,
        "under_delivery_percent": "50",
        "duration_hours": None,
    }
    assert entries[-1].actor == demo_clinic.users[Role.PHYSICIAN]


def test_an_under_delivery_above_one_hundred_percent_is_refused(demo_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")
    page = client.get(_console(pump_id))

    response = client.post(
        f"{_console(pump_id)}/command",
        data={
            "csrf_token": form_token(page.text, f"{_console(pump_id)}/command"),
            "kind": "under-delivery",
            "under_delivery_percent": "150",
        },
    )

    assert response.status_code == 422
    with demo_clinic.thecal.uow() as uow:
        assert not [e for e in uow.audit_log.entries() if e.action == Action.DEMO_CONSOLE.value]
