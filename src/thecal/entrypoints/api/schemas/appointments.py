"""Documents of ``/appointments`` and a patient's visits, visit needs and reminder preference."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from thecal.entrypoints.api.schemas.fields import Ident, In, IsoInstant, Out, Whole, text_rule

__all__ = [
    "AppointmentCancel",
    "AppointmentCreate",
    "AppointmentMove",
    "AppointmentOutcomeIn",
    "AppointmentPublic",
    "AppointmentsPublic",
    "PurposeCode",
    "PurposeIn",
    "PurposePublic",
    "ReminderPreferenceIn",
    "ReminderPreferencePublic",
    "VisitNeedPublic",
    "VisitNeedsPublic",
    "VisitTypeCode",
]

VisitTypeCode = Literal[
    "consultation",
    "trial-day",
    "implant",
    "refill",
    "follow-up",
    "mri-interrogation",
    "replacement",
]
PurposeCode = Literal[
    "referral", "refill", "follow-up", "post-mri", "replacement", "trial", "other"
]


class PurposeIn(In):
    kind: PurposeCode
    ref: Ident | None = Field(default=None, description="The record it is for (pump, procedure …)")
    time_point: Annotated[str, text_rule(40, 1)] | None = Field(
        default=None, description="A follow-up's time point, e.g. '3 months'"
    )


class AppointmentCreate(In):
    patient_id: Ident
    visit_type: VisitTypeCode
    purpose: PurposeIn
    clinician_id: Ident
    room_id: Ident
    starts_at: IsoInstant = Field(description="On a quarter hour (UTC instant with offset)")
    note: Annotated[str, text_rule(500)] = ""
    baclofen_screening: Annotated[bool, Field(strict=True)] = False


class AppointmentMove(In):
    starts_at: IsoInstant
    expected_version: Whole = Field(ge=1, le=1_000_000)
    clinician_id: Ident | None = None
    room_id: Ident | None = None


class AppointmentCancel(In):
    expected_version: Whole = Field(ge=1, le=1_000_000)
    reason: Annotated[str, text_rule(500, 1)]


class AppointmentOutcomeIn(In):
    expected_version: Whole = Field(ge=1, le=1_000_000)
    outcome: Literal["attended", "no-show"]


class PurposePublic(Out):
    kind: str
    ref: str | None
    time_point: str | None


class AppointmentPublic(Out):
    id: str
    patient_id: str
    visit_type: str
    purpose: PurposePublic
    clinician_id: str
    room_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    clinician_ends_at: dt.datetime
    state: str
    note: str
    reason: str | None
    replaces: str | None
    replaced_by: str | None
    version: int
    patient: str | None = None
    mrn: str | None = None
    clinician: str | None = None
    room: str | None = None


class AppointmentsPublic(Out):
    items: list[AppointmentPublic]


class VisitNeedPublic(Out):
    id: str
    visit_type: str
    purpose: PurposePublic
    earliest: dt.datetime
    target: dt.datetime
    latest: dt.datetime
    reason: str
    state: str = Field(description="open or booked")
    appointment_id: str | None


class VisitNeedsPublic(Out):
    items: list[VisitNeedPublic]


class ReminderPreferenceIn(In):
    email: Annotated[bool, Field(strict=True)] = Field(description="send e-mail reminders")
    detail: Literal["time-only", "visit-type"] = Field(
        description="time-only: a visit and when; visit-type: also the kind of visit"
    )


class ReminderPreferencePublic(Out):
    patient_id: str
    email: bool
    detail: str
    version: int
