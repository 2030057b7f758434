"""Appointment (a visit), ServiceRequest (an accepted referral), Schedule and Slot (a clinician's
booked time) — the scheduling records as FHIR R4.

* **Appointment**: status ``booked`` / ``fulfilled`` (attended) / ``noshow`` / ``cancelled`` (a
  cancelled visit with its reason; a moved one with "rescheduled" and the visit that replaced
  it); the visit type in thecal's code system; ``start``/``end`` (the room's whole visit);
  ``minutesDuration``; the patient and the clinician as participants (the clinician by user
  identifier, the room as a location by its id); ``basedOn`` the referral's ServiceRequest for a
  first consultation, ``reasonReference`` the Procedure a follow-up is about.
* **ServiceRequest**: a referral accepted into the patient's record — intent ``proposal`` (the
  patient asked) or ``order`` (a clinician referred), the condition as ``reasonCode``, what was
  tried as a note; ``active`` until its consultation is attended, then ``completed``.
* **Schedule** per clinician and **Slot** per booked or attended visit (``busy``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from thecal.adapters.fhir.codes import reference
from thecal.domain.scheduling import (
    Appointment,
    AppointmentState,
    PurposeKind,
    Referral,
    ReferralSource,
)

__all__ = [
    "THECAL_VISIT",
    "appointment_resource",
    "schedule_resources",
    "service_request_resource",
    "visit_resources",
]

THECAL_VISIT = "https://thecal.dev/fhir/CodeSystem/visit-type"
_STATUS = {
    AppointmentState.BOOKED: "booked",
    AppointmentState.ATTENDED: "fulfilled",
    AppointmentState.NO_SHOW: "noshow",
    AppointmentState.CANCELLED: "cancelled",
    AppointmentState.RESCHEDULED: "cancelled",
}
_NAMESPACE = uuid.UUID("5b1e4a08-2b7a-4c9b-9a8a-3c2f1a7e0d44")


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


def appointment_resource(a: Appointment) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": a.id,
        "status": _STATUS[a.state],
        "appointmentType": {
            "coding": [
                {"system": THECAL_VISIT, "code": a.visit_type.value, "display": a.visit_type.label}
            ],
            "text": a.visit_type.label,
        },
        "start": _instant(a.starts_at),
        "end": _instant(a.ends_at),
        "minutesDuration": int((a.ends_at - a.starts_at).total_seconds() // 60),
        "created": _instant(a.booked_at),
        "participant": [
            {"actor": reference("Patient", a.patient_id), "status": "accepted"},
            {
                "actor": {"identifier": {"value": a.clinician_id}, "type": "Practitioner"},
                "status": "accepted",
            },
            {
                "actor": {"identifier": {"value": a.room_id}, "type": "Location"},
                "status": "accepted",
            },
        ],
    }
    if a.note:
        resource["comment"] = a.note
    if a.state is AppointmentState.CANCELLED and a.reason:
        resource["cancelationReason"] = {"text": a.reason}
    if a.state is AppointmentState.RESCHEDULED:
        resource["cancelationReason"] = {
            "text": f"rescheduled: replaced by Appointment/{a.replaced_by}"
        }
    if a.purpose.kind is PurposeKind.REFERRAL and a.purpose.ref:
        resource["basedOn"] = [reference("ServiceRequest", a.purpose.ref)]
    if a.purpose.kind is PurposeKind.FOLLOW_UP and a.purpose.ref:
        resource["reasonReference"] = [reference("Procedure", a.purpose.ref)]
        resource["description"] = f"follow-up at {a.purpose.time_point}"
    return resource


def service_request_resource(r: Referral, *, consulted: bool) -> dict[str, Any]:
    """An accepted referral (``r.patient_id`` set); ``consulted``: its consultation was attended."""
    if r.patient_id is None:
        msg = "only an accepted referral belongs to a patient's record"
        raise ValueError(msg)
    f = r.form
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": r.id,
        "status": "completed" if consulted else "active",
        "intent": "order" if f.source is ReferralSource.CLINICIAN else "proposal",
        "code": {"text": "consultation for intrathecal pain therapy"},
        "subject": reference("Patient", r.patient_id),
        "authoredOn": _instant(r.received_at),
        "reasonCode": [{"text": f.condition.value.replace("_", " ")}],
    }
    tried = ", ".join(sorted(t.value for t in f.tried))
    notes = [
        text for text in (f"tried: {tried}" if tried else "", f.tried_details, f.message) if text
    ]
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    if f.source is ReferralSource.CLINICIAN:
        resource["requester"] = {"display": f"{f.referrer_name}, {f.referrer_practice}".strip(", ")}
    return resource


def schedule_resources(
    *,
    clinician_id: str,
    clinician: str,
    start: dt.datetime,
    end: dt.datetime,
    visits: Sequence[Appointment],
) -> list[dict[str, Any]]:
    """The clinician's Schedule for ``[start, end)`` and one busy Slot per visit they keep."""
    schedule_id = str(uuid.uuid5(_NAMESPACE, f"schedule|{clinician_id}"))
    resources: list[dict[str, Any]] = [
        {
            "resourceType": "Schedule",
            "id": schedule_id,
            "active": True,
            "actor": [
                {
                    "identifier": {"value": clinician_id},
                    "type": "Practitioner",
                    "display": clinician,
                }
            ],
            "planningHorizon": {"start": _instant(start), "end": _instant(end)},
        }
    ]
    for a in visits:
        if a.clinician_id != clinician_id or not a.holds_slots:
            continue
        resources.append(
            {
                "resourceType": "Slot",
                "id": str(uuid.uuid5(_NAMESPACE, f"slot|{a.id}")),
                "schedule": reference("Schedule", schedule_id),
                "status": "busy",
                "start": _instant(a.starts_at),
                "end": _instant(a.clinician_ends_at),
                "appointmentType": {
                    "coding": [{"system": THECAL_VISIT, "code": a.visit_type.value}],
                    "text": a.visit_type.label,
                },
            }
        )
    return resources


def visit_resources(
    appointments: Sequence[Appointment], referrals: Sequence[tuple[Referral, bool]]
) -> list[dict[str, Any]]:
    """A patient's accepted referrals (ServiceRequest), then their visits (Appointment)."""
    return [
        *(service_request_resource(r, consulted=done) for r, done in referrals),
        *(appointment_resource(a) for a in appointments),
    ]
