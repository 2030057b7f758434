"""The visit and task forms keep the work (issue 13 §5), on SQLite and PostgreSQL: a visit moved
to a time that cannot be read or that is no longer free shows the move page again with the cause
and the times free now; a cancellation without a reason shows the day again with the message
next to that visit's reason; an urgent task closed without a note shows its form again with the
message next to the note. Nothing is changed; a success still redirects (303)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from api_support import START, Clinic, logged_in
from test_web_pages import form_token
from test_web_scheduling import _furnish

from thecal.domain.users import Actor, Role
from thecal.services.scheduling.appointments import GetAppointment, get_appointment

AT = START + dt.timedelta(days=1, hours=1)  # Tuesday 10:00 UTC
OTHER = AT + dt.timedelta(hours=2)


def _book(clinic: Clinic, patient: str, starts_at: dt.datetime) -> dict[str, object]:
    booked = logged_in(clinic, "physician").post(
        "/api/v1/appointments",
        json={
            "patient_id": patient,
            "visit_type": "consultation",
            "purpose": {"kind": "other"},
            "clinician_id": clinic.users[Role.PHYSICIAN],
            "room_id": "room-1",
            "starts_at": starts_at.isoformat(),
        },
    )
    assert booked.status_code == 201, booked.text
    found: dict[str, object] = booked.json()
    return found


def _visit(clinic: Clinic, visit_id: str) -> tuple[str, dt.datetime, int]:
    actor = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    found = clinic.thecal.run(get_appointment, GetAppointment(actor=actor, appointment_id=visit_id))
    return found.state.value, found.starts_at, found.version


def _refusal(text: str) -> str:
    found = re.search(r'id="form-refusal"[^>]*>(.*?)</p>', text, re.DOTALL)
    assert found, "no refusal on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


@pytest.mark.parametrize(
    ("starts_at", "status", "named"),
    [
        ("next tuesday", 422, "'next tuesday' is not a date and time"),
        (OTHER.isoformat(), 409, ""),  # taken meanwhile by another patient's visit
    ],
    ids=["unreadable", "taken"],
)
def test_a_refused_move_shows_the_move_page_with_the_cause_and_times_free_now(
    both: Clinic, starts_at: str, status: int, named: str
) -> None:
    _furnish(both)
    visit = _book(both, both.own_patient, AT)
    visit_id = str(visit["id"])
    if status == 409:
        _book(both, both.foreign_patient, OTHER)
    before = _visit(both, visit_id)
    physician = logged_in(both, "physician")
    page = physician.get(f"/visits/{visit_id}/move")
    action = f"/visits/{visit_id}/move"

    refused = physician.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": str(before[2]),
            "starts_at": starts_at,
            "clinician_id": both.users[Role.PHYSICIAN],
            "room_id": "room-1",
        },
        follow_redirects=False,
    )

    assert refused.status_code == status, refused.text[-800:]
    cause = _refusal(refused.text)
    assert cause.startswith("Not moved:")
    assert named in cause
    assert f'action="{action}"' in refused.text  # the times free now, each a form to move to
    assert f'name="starts_at" value="{OTHER.isoformat()}"' not in refused.text  # not the taken one
    assert _visit(both, visit_id) == before  # nothing changed


def test_a_move_to_a_free_time_still_redirects(both: Clinic) -> None:
    _furnish(both)
    visit_id = str(_book(both, both.own_patient, AT)["id"])
    physician = logged_in(both, "physician")
    page = physician.get(f"/visits/{visit_id}/move")
    action = f"/visits/{visit_id}/move"
    moved = physician.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": str(_visit(both, visit_id)[2]),
            "starts_at": OTHER.isoformat(),
            "clinician_id": both.users[Role.PHYSICIAN],
            "room_id": "room-1",
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text[-800:]
    assert _visit(both, visit_id)[0] == "rescheduled"


def test_a_cancellation_without_a_reason_keeps_the_day_and_names_the_reason(
    both: Clinic,
) -> None:
    _furnish(both)
    visit_id = str(_book(both, both.own_patient, AT)["id"])
    before = _visit(both, visit_id)
    physician = logged_in(both, "physician")
    day = physician.get(f"/visits?day={AT.date()}")
    action = f"/visits/{visit_id}/cancel"
    refused = physician.post(
        action,
        data={
            "csrf_token": form_token(day.text, action),
            "expected_version": str(before[2]),
            "reason": "   ",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 422, refused.text[-800:]
    field = f"reason-{visit_id}"
    control = re.search(rf'<input id="{field}"[^>]*>', refused.text)
    assert control, "no reason field"
    assert 'aria-invalid="true"' in control.group(0)
    assert 'value="   "' in control.group(0)  # what was typed, kept
    message = re.search(rf'id="{field}-error">(.*?)</p>', refused.text, re.DOTALL)
    assert message, "no message next to the reason"
    assert "cancellation reason" in message.group(1)
    assert _visit(both, visit_id) == before  # still booked, same version


def test_an_urgent_task_closed_without_a_note_keeps_its_form(both: Clinic) -> None:
    from api_support import implant_pump_with_patient_bolus  # noqa: PLC0415

    implant_pump_with_patient_bolus(both)  # opens the urgent post-implant monitoring task
    nurse = logged_in(both, "nurse")
    worklist = nurse.get("/")
    row = next(
        r
        for r in re.findall(r"<tr[^>]*>.*?</tr>", worklist.text, re.DOTALL)
        if "post implant monitoring" in r and "/completion" in r
    )
    found = re.search(r'action="(/tasks/([^/"]+)/completion)"', row)
    assert found
    action, task_id = found.group(1), found.group(2)
    typed = "   "
    refused = nurse.post(
        action,
        data={"csrf_token": form_token(worklist.text, action), "note": typed},
        follow_redirects=False,
    )
    assert refused.status_code == 422, refused.text[-800:]
    assert f'action="{action}"' in refused.text  # the task's form again, not an error page
    assert re.search(
        r'<textarea id="note"[^>]*aria-invalid="true"[^>]*>   </textarea>', refused.text
    )
    message = re.search(r'id="note-error">(.*?)</p>', refused.text, re.DOTALL)
    assert message, "no message next to the note"
    assert "THC-TASK-004" in message.group(1)
    assert task_id in nurse.get("/").text  # still open on the worklist
    done = nurse.post(
        action,
        data={"csrf_token": form_token(refused.text, action), "note": "Checked at 2 h and 6 h"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert task_id not in nurse.get("/").text
