"""Visits, visit needs and reminder preferences → API documents."""

from __future__ import annotations

import datetime as dt

from thecal.domain.date_plausibility import REPORT_DAY, check_date, check_instant
from thecal.domain.errors import RequestInvalid
from thecal.domain.scheduling import Appointment, ReminderPreference, VisitNeed, VisitPurpose
from thecal.entrypoints.api.schemas.appointments import (
    AppointmentPublic,
    PurposePublic,
    ReminderPreferencePublic,
    VisitNeedPublic,
)
from thecal.services.scheduling.appointments import DayEntry

__all__ = [
    "DATE_TEXT",
    "INSTANT_TEXT",
    "appointment_public",
    "need_public",
    "preference_public",
    "purpose_public",
    "query_date",
    "query_instant",
]

#: Query dates and instants are ISO text only (never a number read as a timestamp).
DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INSTANT_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})$"


def query_date(text: str, where: str, *, now: dt.datetime) -> dt.date:
    """A query's day, within the plausible window of a report day (issue 15 §5)."""
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where=where, detail=f"{text!r} is not a calendar date") from None
    return check_date(where, value, REPORT_DAY, today=now.astimezone(dt.UTC).date())


def query_instant(text: str, where: str, *, now: dt.datetime) -> dt.datetime:
    """A query's instant with its offset, within the plausible window of a report day."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where=where, detail=f"{text!r} is not an instant") from None
    if value.utcoffset() is None:
        raise RequestInvalid(where=where, detail="give the offset (Z or +HH:MM)")
    return check_instant(where, value, REPORT_DAY, now=now)


def purpose_public(p: VisitPurpose) -> PurposePublic:
    return PurposePublic(kind=p.kind.value, ref=p.ref, time_point=p.time_point)


def appointment_public(a: Appointment, entry: DayEntry | None = None) -> AppointmentPublic:
    return AppointmentPublic(
        id=a.id,
        patient_id=a.patient_id,
        visit_type=a.visit_type.value,
        purpose=purpose_public(a.purpose),
        clinician_id=a.clinician_id,
        room_id=a.room_id,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        clinician_ends_at=a.clinician_ends_at,
        state=a.state.value,
        note=a.note,
        reason=a.reason,
        replaces=a.replaces,
        replaced_by=a.replaced_by,
        version=a.version,
        patient=entry.patient if entry else None,
        mrn=entry.mrn if entry else None,
        clinician=entry.clinician if entry else None,
        room=entry.room if entry else None,
    )


def need_public(n: VisitNeed) -> VisitNeedPublic:
    return VisitNeedPublic(
        id=n.id,
        visit_type=n.visit_type.value,
        purpose=purpose_public(n.purpose),
        earliest=n.earliest,
        target=n.target,
        latest=n.latest,
        reason=n.reason,
        state=n.state.value,
        appointment_id=n.appointment_id,
    )


def preference_public(p: ReminderPreference) -> ReminderPreferencePublic:
    return ReminderPreferencePublic(
        patient_id=p.patient_id, email=p.email, detail=p.detail.value, version=p.version
    )
