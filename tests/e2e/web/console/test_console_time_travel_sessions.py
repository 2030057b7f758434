"""Demo time travel does not log anyone out; real idleness still does (SR-20).

Sessions are measured on the session clock (the real server: the system clock), clinical time on
the clinic clock (system time plus the console's stored offset). The fixture's clinic clock is
the hand-moved time plus the stored offset; its session clock is the hand-moved time alone.
"""

from __future__ import annotations

import datetime as dt

from api_support import Clinic, implant_pump_with_patient_bolus
from console_support import browser_login, post_form

from thecal.adapters.sql.clinic_clock import clock_offset
from thecal.domain.authorization import Action
from thecal.domain.sessions import SessionEnd


def _console(pump_id: str) -> str:
    return f"/pumps/{pump_id}/console"


def _session_audit(clinic: Clinic, action: Action) -> list[dict[str, object]]:
    with clinic.thecal.uow() as uow:
        return [e.details for e in uow.audit_log.entries() if e.action == action.value]


def test_after_thirty_simulated_days_the_same_browser_session_still_works(
    demo_clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")
    cookie = dict(client.cookies.items())
    before = demo_clinic.thecal.clock.now()

    html = post_form(
        client, _console(pump_id), f"{_console(pump_id)}/advance", amount="30", unit="days"
    )

    assert "clock has moved forward" in html  # the console itself, not the log-in form
    assert 'action="/login"' not in html
    assert clock_offset(demo_clinic.thecal.engine) == dt.timedelta(days=30)
    later = before + dt.timedelta(days=30)
    worklist = client.get("/", follow_redirects=False)
    assert worklist.status_code == 200
    assert f'as of <time datetime="{later.isoformat()}"' in worklist.text  # clinical time moved
    assert client.get("/api/v1/worklist").status_code == 200
    assert dict(client.cookies.items()) == cookie  # the same session, not a new log-in
    assert _session_audit(demo_clinic, Action.SESSION_EXPIRED) == []


def test_a_session_idle_for_fifteen_real_minutes_still_expires(demo_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")
    post_form(client, _console(pump_id), f"{_console(pump_id)}/advance", amount="2", unit="days")

    demo_clinic.clock.advance(minutes=14)  # real time: within the idle timeout
    assert client.get("/", follow_redirects=False).status_code == 200
    demo_clinic.clock.advance(minutes=15)  # real time: idle for the whole timeout

    refused = client.get("/", follow_redirects=False)

    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login?")
    assert client.get("/api/v1/worklist").status_code == 401
    expired = _session_audit(demo_clinic, Action.SESSION_EXPIRED)
    assert [e["reason"] for e in expired] == [SessionEnd.IDLE.value]


def test_logging_out_after_time_travel_ends_the_session_at_once(demo_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")
    post_form(client, _console(pump_id), f"{_console(pump_id)}/advance", amount="30", unit="days")
    stolen = dict(client.cookies.items())  # a copy of the cookie, kept past the log-out

    assert "You have logged out" in post_form(client, "/", "/logout")
    replay = demo_clinic.client()
    replay.cookies.update(stolen)

    assert replay.get("/api/v1/worklist").status_code == 401
    assert replay.get("/", follow_redirects=False).status_code == 303
