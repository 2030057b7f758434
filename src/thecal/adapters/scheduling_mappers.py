"""Row ↔ domain conversion for the scheduling tables (explicit, no ORM mapping).

Aggregates are rebuilt without re-running their constructors (which check a *new* booking or
form against the present, like "a start in the past"): :func:`_blank` makes an empty instance and
the mapper sets every attribute. The triage and booking histories are compact JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from thecal.domain.actors import Transition
from thecal.domain.candidacy import Indication
from thecal.domain.scheduling import (
    Appointment,
    AppointmentState,
    CalendarFeed,
    Closure,
    IntakeForm,
    Location,
    NeedState,
    PurposeKind,
    Referral,
    ReferralSource,
    ReferralState,
    Reminder,
    ReminderDetail,
    ReminderPreference,
    ReminderState,
    Room,
    TriedTreatment,
    VisitNeed,
    VisitPurpose,
    VisitType,
    WorkingHours,
)

__all__ = [
    "appointment_from_row",
    "appointment_to_row",
    "closure_from_row",
    "feed_from_row",
    "need_from_row",
    "need_to_row",
    "preference_from_row",
    "referral_from_row",
    "referral_to_row",
    "reminder_from_row",
    "reminder_to_row",
    "room_from_row",
    "working_hours_from_row",
]

T = TypeVar("T")
Row = Mapping[Any, Any]


def _blank(cls: type[T]) -> T:
    return cls.__new__(cls)


def _history_to_json(history: list[Transition]) -> str:
    return json.dumps(
        [
            [
                t.action,
                t.from_state,
                t.to_state,
                t.user_id,
                t.at.astimezone(dt.UTC).isoformat(),
                t.version,
            ]
            for t in history
        ],
        separators=(",", ":"),
    )


def _history_from_json(text: str) -> list[Transition]:
    return [
        Transition(
            action=a,
            from_state=f,
            to_state=s,
            user_id=u,
            at=dt.datetime.fromisoformat(at),
            version=v,
        )
        for a, f, s, u, at, v in json.loads(text)
    ]


def referral_to_row(referral: Referral) -> dict[str, Any]:
    f = referral.form
    return {
        "id": referral.id,
        "received_at": referral.received_at,
        "client_key": referral.client_key,
        "state": referral.state.value,
        "source": f.source.value,
        "family_name": f.family_name,
        "given_names": f.given_names,
        "birth_date": f.birth_date,
        "email": f.email,
        "phone": f.phone,
        "condition": f.condition.value,
        "tried": ",".join(sorted(t.value for t in f.tried)),
        "tried_details": f.tried_details,
        "consent_to_contact": f.consent_to_contact,
        "referrer_name": f.referrer_name,
        "referrer_practice": f.referrer_practice,
        "referrer_contact": f.referrer_contact,
        "message": f.message,
        "patient_id": referral.patient_id,
        "note": referral.note,
        "history": _history_to_json(referral.history),
        "version": referral.version,
    }


def referral_from_row(row: Row) -> Referral:
    referral = _blank(Referral)
    form = _blank(IntakeForm)  # stored fields were checked when the form arrived
    values = {
        "source": ReferralSource(row["source"]),
        "family_name": row["family_name"],
        "given_names": row["given_names"],
        "birth_date": row["birth_date"],
        "email": row["email"],
        "phone": row["phone"],
        "condition": Indication(row["condition"]),
        "tried": frozenset(TriedTreatment(t) for t in row["tried"].split(",") if t),
        "tried_details": row["tried_details"],
        "consent_to_contact": bool(row["consent_to_contact"]),
        "referrer_name": row["referrer_name"],
        "referrer_practice": row["referrer_practice"],
        "referrer_contact": row["referrer_contact"],
        "message": row["message"],
    }
    for name, value in values.items():
        object.__setattr__(form, name, value)
    referral.id = row["id"]
    referral.form = form
    referral.received_at = row["received_at"]
    referral.client_key = row["client_key"]
    referral.state = ReferralState(row["state"])
    referral.patient_id = row["patient_id"]
    referral.note = row["note"]
    referral.history = _history_from_json(row["history"])
    referral.version = row["version"]
    return referral


def appointment_to_row(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.id,
        "patient_id": a.patient_id,
        "visit_type": a.visit_type.value,
        "purpose_kind": a.purpose.kind.value,
        "purpose_ref": a.purpose.ref,
        "time_point": a.purpose.time_point,
        "clinician_id": a.clinician_id,
        "room_id": a.room_id,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "clinician_ends_at": a.clinician_ends_at,
        "state": a.state.value,
        "note": a.note,
        "reason": a.reason,
        "replaces": a.replaces,
        "replaced_by": a.replaced_by,
        "booked_by": a.booked_by,
        "booked_at": a.booked_at,
        "history": _history_to_json(a.history),
        "version": a.version,
    }


def purpose_from_row(row: Row) -> VisitPurpose:
    return VisitPurpose(
        kind=PurposeKind(row["purpose_kind"]), ref=row["purpose_ref"], time_point=row["time_point"]
    )


def appointment_from_row(row: Row) -> Appointment:
    a = _blank(Appointment)
    a.id = row["id"]
    a.patient_id = row["patient_id"]
    a.visit_type = VisitType(row["visit_type"])
    a.purpose = purpose_from_row(row)
    a.clinician_id = row["clinician_id"]
    a.room_id = row["room_id"]
    a.starts_at = row["starts_at"]
    a.ends_at = row["ends_at"]
    a.clinician_ends_at = row["clinician_ends_at"]
    a.state = AppointmentState(row["state"])
    a.note = row["note"]
    a.reason = row["reason"]
    a.replaces = row["replaces"]
    a.replaced_by = row["replaced_by"]
    a.booked_by = row["booked_by"]
    a.booked_at = row["booked_at"]
    a.history = _history_from_json(row["history"])
    a.version = row["version"]
    return a


def room_from_row(row: Row) -> Room:
    return Room(id=row["id"], name=row["name"], location=Location(row["location"]))


def working_hours_from_row(row: Row) -> WorkingHours:
    return WorkingHours(
        weekday=row["weekday"],
        starts=dt.time.fromisoformat(row["starts"]),
        ends=dt.time.fromisoformat(row["ends"]),
    )


def closure_from_row(row: Row) -> Closure:
    return Closure(
        id=row["id"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        reason=row["reason"],
        user_id=row["user_id"],
    )


def need_to_row(need: VisitNeed) -> dict[str, Any]:
    return {
        "id": need.id,
        "patient_id": need.patient_id,
        "visit_type": need.visit_type.value,
        "purpose_kind": need.purpose.kind.value,
        "purpose_ref": need.purpose.ref,
        "time_point": need.purpose.time_point,
        "earliest": need.earliest,
        "target": need.target,
        "latest": need.latest,
        "reason": need.reason,
        "state": need.state.value,
        "appointment_id": need.appointment_id,
    }


def need_from_row(row: Row) -> VisitNeed:
    return VisitNeed(
        id=row["id"],
        patient_id=row["patient_id"],
        visit_type=VisitType(row["visit_type"]),
        purpose=purpose_from_row(row),
        earliest=row["earliest"],
        target=row["target"],
        latest=row["latest"],
        reason=row["reason"],
        state=NeedState(row["state"]),
        appointment_id=row["appointment_id"],
    )


def reminder_to_row(r: Reminder) -> dict[str, Any]:
    return {
        "id": r.id,
        "appointment_id": r.appointment_id,
        "patient_id": r.patient_id,
        "due_at": r.due_at,
        "state": r.state.value,
        "attempts": r.attempts,
        "claimed_at": r.claimed_at,
        "sent_at": r.sent_at,
        "outcome": r.outcome,
        "version": r.version,
    }


def reminder_from_row(row: Row) -> Reminder:
    return Reminder(
        id=row["id"],
        appointment_id=row["appointment_id"],
        patient_id=row["patient_id"],
        due_at=row["due_at"],
        state=ReminderState(row["state"]),
        attempts=row["attempts"],
        claimed_at=row["claimed_at"],
        sent_at=row["sent_at"],
        outcome=row["outcome"],
        version=row["version"],
    )


def preference_from_row(row: Row) -> ReminderPreference:
    return ReminderPreference(
        patient_id=row["patient_id"],
        email=bool(row["email"]),
        detail=ReminderDetail(row["detail"]),
        version=row["version"],
    )


def feed_from_row(row: Row) -> CalendarFeed:
    return CalendarFeed(
        id=row["id"],
        user_id=row["user_id"],
        digest=row["digest"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
