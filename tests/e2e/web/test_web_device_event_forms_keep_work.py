"""The pump's event forms keep the work (issue 13 §5), on SQLite and PostgreSQL: a field that
cannot be read or that the service refuses brings the events page back (422) with the same form
as typed and the message next to the field (``aria-invalid``, ``aria-describedby``), not the
generic error page; the pump and its events are unchanged. A success still redirects (303)."""

from __future__ import annotations

import html
import re

import pytest
from api_support import (
    Clinic,
    implant_pump_with_patient_bolus,
    logged_in,
)
from test_web_pages import form_token

from thecal.domain.users import Actor, Role
from thecal.services.device_event_records import GetDeviceEvents, list_device_events
from thecal.services.pumps import GetPump, get_pump


def _record(clinic: Clinic, pump_id: str) -> tuple[int, str, int]:
    """The pump's version and state and how many events it has: what a refusal leaves alone."""
    actor = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    pump = clinic.thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id))
    events = clinic.thecal.run(list_device_events, GetDeviceEvents(actor=actor, pump_id=pump_id))
    return pump.version, pump.state.value, len(events)


def _post(client: object, page: str, action: str, data: dict[str, str]) -> object:
    shown = client.get(page)  # type: ignore[attr-defined]
    assert shown.status_code == 200, shown.text[-800:]
    form = re.search(rf'action="{re.escape(action)}".*?</form>', shown.text, re.DOTALL)
    assert form, action
    version = re.search(r'name="pump_version" value="(\d+)"', form.group(0))
    assert version
    body = {"csrf_token": form_token(shown.text, action), "pump_version": version.group(1), **data}
    return client.post(action, data=body, follow_redirects=False)  # type: ignore[attr-defined]


def _form(page: str, action: str) -> str:
    found = re.search(
        rf'<form method="post" action="{re.escape(action)}">.*?</form>', page, re.DOTALL
    )
    assert found, f"no form {action} on the page"
    return found.group(0)


def _message_next_to(form: str, field: str) -> str:
    """The message next to ``field`` of ``form`` (its control points at it)."""
    control = re.search(rf'<(input|select|textarea) id="{field}"[^>]*>', form)
    assert control, f"no control {field}"
    assert 'aria-invalid="true"' in control.group(0), control.group(0)
    assert f'aria-describedby="{field}-error"' in control.group(0)
    message = re.search(
        rf'<p class="error field-error" role="alert" id="{field}-error">(.*?)</p>', form, re.DOTALL
    )
    assert message, f"no message next to {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", message.group(1)))


# form, what is typed, the field at fault, what its message names, the typed values to find again
CASES = [
    (
        "replacement",
        {
            "reason": "elective-replacement",
            "new_model": "prometra-ii-20",
            "new_serial": "PII-KEEP-1",
            "fill_volume": "20",  # no unit
        },
        "fill_volume",
        "THC-QTY-005",
        ['value="PII-KEEP-1"', 'value="20"', '<option value="prometra-ii-20" selected>'],
    ),
    (
        "catheter-revision",
        {"catheter": "ascenda-8780", "length_cm": ".5", "tip_level": "T9"},
        "length_cm",
        "'.5' is not a number like 1.5",
        ['value=".5"', 'value="T9"', '<option value="ascenda-8780" selected>'],
    ),
    (
        "catheter-revision",
        {"catheter": "ascenda-8780", "length_cm": "40", "tip_level": "T99"},
        "tip_level",
        "a level like T10",
        ['value="40"', 'value="T99"'],
    ),
    (
        "discontinuation",
        {
            "kind": "explant",
            "reason": "   ",
            "plan_drug_morphine": "yes",
            "plan": "Oral morphine 30 mg a day, tapered over 4 weeks",
        },
        "end_reason",
        "say why the therapy ends",
        [
            'name="kind" value="explant" checked',
            'name="plan_drug_morphine" value="yes" checked',
            "Oral morphine 30 mg a day, tapered over 4 weeks</textarea>",
        ],
    ),
    (
        "interruption",
        {"reason": "a-holiday", "note": "Patient asked to pause"},
        "suspend_reason",
        "choose one of",
        ['value="Patient asked to pause"'],
    ),
    (
        "transfer",
        {"direction": "in", "clinic": " ", "note": "Arrived with a letter"},
        "clinic",
        "name the other clinic",
        ['<option value="in" selected>', 'value="Arrived with a letter"'],
    ),
    (
        "restart",
        {"daily_dose": "4", "monitoring_hours": "24", "naloxone": "yes", "justification": "x"},
        "restart_dose",
        "THC-QTY-005",
        ['value="4"', 'value="24"', 'name="naloxone" value="yes" checked', ">x</textarea>"],
    ),
    (
        "restart",
        {"daily_dose": "4 mg/day", "monitoring_hours": "a day", "justification": "Pain back"},
        "monitoring_hours",
        "is not a whole number",
        ['value="4 mg/day"', 'value="a day"', ">Pain back</textarea>"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_a_refused_event_form_comes_back_as_typed_with_the_message_next_to_the_field(
    both: Clinic, case: tuple[str, dict[str, str], str, str, list[str]]
) -> None:
    form_name, typed, field, named, kept = case
    pump_id = implant_pump_with_patient_bolus(both)
    physician = logged_in(both, "physician")
    page = f"/pumps/{pump_id}/events"
    if form_name == "restart":  # a restart needs a suspended pump
        suspended = _post(
            physician, page, f"/pumps/{pump_id}/events/interruption", {"reason": "infection"}
        )
        assert suspended.status_code == 303, suspended.text[-800:]  # type: ignore[attr-defined]
    before = _record(both, pump_id)
    action = f"/pumps/{pump_id}/events/{form_name}"

    refused = _post(physician, page, action, typed)

    assert refused.status_code == 422, refused.text[-1500:]  # type: ignore[attr-defined]
    text: str = refused.text  # type: ignore[attr-defined]
    assert 'id="refusal"' in text  # the events page, not the error page
    form = _form(text, action)
    assert named in _message_next_to(form, field)
    for mark in kept:
        assert mark in form, mark
    assert _record(both, pump_id) == before  # nothing changed


def test_the_same_form_typed_right_still_redirects(both: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    physician = logged_in(both, "physician")
    page = f"/pumps/{pump_id}/events"
    action = f"/pumps/{pump_id}/events/transfer"
    refused = _post(physician, page, action, {"direction": "out", "clinic": ""})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    done = _post(physician, page, action, {"direction": "out", "clinic": "Southside Clinic"})
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"].startswith(f"{page}#event-")  # type: ignore[attr-defined]
    assert _record(both, pump_id)[1] == "transferred"
