"""A booked visit: who comes, for what, with whom, where and when — and what became of it.

::

    BOOKED ─attend──▶ ATTENDED
      │ ├──no_show──▶ NO_SHOW
      │ ├──cancel───▶ CANCELLED   (before the start, with a reason)
      │ └──reschedule▶ RESCHEDULED (before the start; ``replaced_by`` the new visit, booked anew)

* A visit takes its clinician for ``[starts_at, clinician_ends_at)`` and its room for
  ``[starts_at, ends_at)``; both are whole 15-minute slots (``calendar.SLOT``). The database
  holds one row per (resource, slot) of every *booked* visit under a unique key, so the same
  clinician or room can never be booked twice in a slot, even by concurrent requests; a cancelled
  or rescheduled visit gives its slots back.
* A visit has a **purpose**: what clinic fact asked for it (a referral, a pump's refill, a
  procedure's follow-up at a time point, an MRI plan's interrogation, an elective replacement),
  so the worklist knows what is booked and what is still to book.
* Attended and no-show are facts of the day: "attended" from an hour before the start (a patient
  comes early), "no-show" only once the visit has started.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.actors import (
    CLINICIANS,
    IllegalTransition,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.date_plausibility import APPOINTMENT, check_instant
from thecal.domain.errors import Conflict, NotFound, RequestInvalid
from thecal.domain.scheduling.calendar import slot_starts
from thecal.domain.scheduling.visit_types import VisitType, VisitTypeSpec
from thecal.domain.users import Actor

__all__ = [
    "EARLY_ARRIVAL",
    "MAX_NOTE",
    "Appointment",
    "AppointmentInvalid",
    "AppointmentNotFound",
    "AppointmentState",
    "AppointmentStateError",
    "PurposeKind",
    "SlotTaken",
    "StaleAppointmentVersion",
    "VisitPurpose",
]

MAX_NOTE = 500
EARLY_ARRIVAL = dt.timedelta(hours=1)


class AppointmentState(StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no-show"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


class PurposeKind(StrEnum):
    """The clinic fact a visit answers; ``ref`` names the record."""

    REFERRAL = "referral"  # ref: the referral
    REFILL = "refill"  # ref: the pump
    FOLLOW_UP = "follow-up"  # ref: the procedure (the outcome episode), with a time point
    POST_MRI = "post-mri"  # ref: the MRI plan
    REPLACEMENT = "replacement"  # ref: the pump to replace
    TRIAL = "trial"  # ref: the trial, when planned
    OTHER = "other"  # no ref


class AppointmentStateError(IllegalTransition):
    code = "THC-APPT-001"


class AppointmentNotFound(NotFound):
    code = "THC-APPT-002"
    template = "appointment {ident} not found"


class StaleAppointmentVersion(Conflict):
    code = "THC-APPT-003"
    template = (
        "appointment {ident} is at version {current}, not {expected}: someone else changed it; "
        "reload and try again"
    )


class SlotTaken(Conflict):
    code = "THC-APPT-004"
    template = "{resource} is already booked at {at}: choose another time"


class AppointmentInvalid(RequestInvalid):
    code = "THC-APPT-005"
    template = "invalid appointment {where}: {detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitPurpose:
    kind: PurposeKind
    ref: str | None = None
    time_point: str | None = None  # follow-ups: the outcome policy's time point ("3 months")

    def __post_init__(self) -> None:
        if (self.kind is PurposeKind.OTHER) != (self.ref is None):
            raise AppointmentInvalid(
                where="purpose", detail=f"{self.kind.value} needs a record id (other takes none)"
            )
        if (self.kind is PurposeKind.FOLLOW_UP) != (self.time_point is not None):
            raise AppointmentInvalid(
                where="purpose", detail="a follow-up (and only a follow-up) names its time point"
            )

    def describe(self) -> str:
        if self.kind is PurposeKind.FOLLOW_UP:
            return f"follow-up at {self.time_point}"
        return self.kind.value


class Appointment(StateMachine[AppointmentState]):
    """One visit. Compare by ``id``; every change bumps ``version`` and adds a history entry."""

    _kind = "appointment"
    _error = AppointmentStateError
    _previous = "the booking or the last change"

    def __init__(
        self,
        *,
        id: str,  # noqa: A002 - the aggregate's identity
        patient_id: str,
        visit_type: VisitType,
        purpose: VisitPurpose,
        clinician_id: str,
        room_id: str,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        clinician_ends_at: dt.datetime,
        booked_by: str,
        booked_at: dt.datetime,
        note: str = "",
        replaces: str | None = None,
    ) -> None:
        self.id = id
        self.patient_id = patient_id
        self.visit_type = visit_type
        self.purpose = purpose
        self.clinician_id = clinician_id
        self.room_id = room_id
        self.starts_at = require_aware(starts_at, name="visit start").astimezone(dt.UTC)
        self.ends_at = require_aware(ends_at, name="visit end").astimezone(dt.UTC)
        self.clinician_ends_at = require_aware(clinician_ends_at, name="clinician end").astimezone(
            dt.UTC
        )
        if not self.starts_at < self.clinician_ends_at <= self.ends_at:
            raise AppointmentInvalid(
                where="times", detail="start < clinician end ≤ end is required"
            )
        slot_starts(self.starts_at, self.ends_at)  # on the grid
        slot_starts(self.starts_at, self.clinician_ends_at)
        if len(note) > MAX_NOTE or any(ord(c) < 32 for c in note):
            raise AppointmentInvalid(
                where="note", detail=f"at most {MAX_NOTE} characters, no control characters"
            )
        self.note = note.strip()
        self.booked_by = booked_by
        self.booked_at = require_aware(booked_at, name="booking time")
        self.replaces = replaces
        self.replaced_by: str | None = None
        self.reason: str | None = None  # why it was cancelled
        self.state = AppointmentState.BOOKED
        self.version = 1
        self.history: list[Transition] = [
            Transition.first(
                action="book", to_state=self.state.value, user_id=booked_by, at=self.booked_at
            )
        ]

    @classmethod
    def book(
        cls,
        *,
        appointment_id: str,
        patient_id: str,
        spec: VisitTypeSpec,
        purpose: VisitPurpose,
        clinician_id: str,
        room_id: str,
        starts_at: dt.datetime,
        actor: Actor,
        at: dt.datetime,
        note: str = "",
        replaces: str | None = None,
    ) -> Appointment:
        """A new booked visit of ``spec``'s length, starting at ``starts_at``.

        Raises:
            ActorNotAllowed: only physicians and nurses book visits.
            AppointmentInvalid: a start in the past, a malformed purpose or note.
            NotOnSlotBoundary: a start off the quarter-hour grid.
        """
        require_role(actor, CLINICIANS, action="book a visit")
        if require_aware(starts_at, name="visit start") < require_aware(at, name="booking time"):
            raise AppointmentInvalid(
                where="start", detail=f"{starts_at.isoformat()} is in the past"
            )
        check_instant("start", starts_at, APPOINTMENT, now=at)
        return cls(
            id=appointment_id,
            patient_id=patient_id,
            visit_type=spec.type,
            purpose=purpose,
            clinician_id=clinician_id,
            room_id=room_id,
            starts_at=starts_at,
            ends_at=starts_at + spec.duration,
            clinician_ends_at=starts_at + spec.clinician_time,
            booked_by=actor.user_id,
            booked_at=at,
            note=note,
            replaces=replaces,
        )

    @property
    def _ident(self) -> str:
        return self.id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Appointment) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def holds_slots(self) -> bool:
        """True while the visit keeps its clinician's and room's slots (booked, or it happened)."""
        return self.state in {AppointmentState.BOOKED, AppointmentState.ATTENDED}

    def slots(self) -> tuple[tuple[str, dt.datetime], ...]:
        """(resource, slot start) pairs this visit occupies: ``clinician:<id>``, ``room:<id>``."""
        clinician = [
            (f"clinician:{self.clinician_id}", at)
            for at in slot_starts(self.starts_at, self.clinician_ends_at)
        ]
        room = [(f"room:{self.room_id}", at) for at in slot_starts(self.starts_at, self.ends_at)]
        return tuple(clinician + room)

    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise StaleAppointmentVersion(ident=self.id, current=self.version, expected=expected)

    def attend(self, *, actor: Actor, at: dt.datetime) -> None:
        """The patient came."""
        require_role(actor, CLINICIANS, action="record that a patient attended")
        self._expect("record attendance", at, AppointmentState.BOOKED)
        if at < self.starts_at - EARLY_ARRIVAL:
            raise AppointmentInvalid(
                where="attendance",
                detail=f"the visit starts {self.starts_at.isoformat()}: too early to record",
            )
        self._move("attend", AppointmentState.ATTENDED, actor.user_id, at)

    def no_show(self, *, actor: Actor, at: dt.datetime) -> None:
        """The patient did not come (only once the visit has started)."""
        require_role(actor, CLINICIANS, action="record a missed visit")
        self._expect("record a no-show", at, AppointmentState.BOOKED)
        if at < self.starts_at:
            raise AppointmentInvalid(
                where="no-show",
                detail=f"the visit starts {self.starts_at.isoformat()}: not missed yet",
            )
        self._move("no-show", AppointmentState.NO_SHOW, actor.user_id, at)

    def cancel(self, *, actor: Actor, at: dt.datetime, reason: str) -> None:
        """Cancel before the start, saying why; the slots are given back."""
        require_role(actor, CLINICIANS, action="cancel a visit")
        self._expect("cancel", at, AppointmentState.BOOKED)
        self._before_start(at, "cancel")
        text = require_text(reason, name="cancellation reason")
        if len(text) > MAX_NOTE:
            raise AppointmentInvalid(where="reason", detail=f"at most {MAX_NOTE} characters")
        self.reason = text
        self._move("cancel", AppointmentState.CANCELLED, actor.user_id, at)

    def reschedule(self, *, actor: Actor, at: dt.datetime, replaced_by: str) -> None:
        """Moved to the new visit ``replaced_by`` (booked in the same transaction)."""
        require_role(actor, CLINICIANS, action="reschedule a visit")
        self._expect("reschedule", at, AppointmentState.BOOKED)
        self._before_start(at, "reschedule")
        self.replaced_by = replaced_by
        self._move("reschedule", AppointmentState.RESCHEDULED, actor.user_id, at)

    def _before_start(self, at: dt.datetime, action: str) -> None:
        if at >= self.starts_at:
            raise AppointmentInvalid(
                where=action,
                detail=(
                    f"the visit started {self.starts_at.isoformat()}: record attended or "
                    "no-show instead"
                ),
            )
