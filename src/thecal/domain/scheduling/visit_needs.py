"""Visits the clinic's own facts ask for, and whether each is booked yet.

:func:`visit_needs` turns one patient's facts into the visits they need, each with a window
``[earliest, latest]`` and a target day, and says whether a booked (or attended) visit answers it:

* **consultation** — per accepted referral, within :data:`CONSULTATION_WITHIN` of acceptance.
* **refill** — per active pump, before the refill deadline: the earliest of the projected
  low-reservoir alarm minus the clinic's margin, the admixture's stability, a naive pump's first
  fill and the clinic's maximum interval (``domain/forecast.plan_next_refill``, computed by the
  services from the pump's *current* program, so a program change moves it). The window opens
  :data:`REFILL_WINDOW` before the deadline. A visit booked after the last fill and by the
  deadline answers it; one booked *after* a deadline that has since moved does not — the need is
  open again and says which visit to move.
* **follow-up** — per outcome episode (facet joint or epidural steroid injection, intrathecal
  trial, pump implant) and time point of the outcome policy (1, 3, 6, 12 months by default:
  ``domain/time_points.py``), inside the time point's window, so every booked follow-up is one the
  outcome report can count.
* **post-MRI interrogation** — per open post-MRI task (SR-15), from the scan to the task's due time.
* **replacement** — per active pump, planned months ahead: from :data:`REPLACEMENT_LEAD` before
  the projected elective replacement indicator until the end of service (S50).

A need whose window has closed unbooked stays on record (the outcome report counts it as lost);
the worklist shows the open needs whose window has not closed, by their latest day.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from thecal.domain.procedure import ProcedureKind
from thecal.domain.scheduling.appointment import Appointment, PurposeKind, VisitPurpose
from thecal.domain.scheduling.calendar import SLOT
from thecal.domain.scheduling.visit_types import VisitType
from thecal.domain.time_points import TimePoint

__all__ = [
    "CONSULTATION_WITHIN",
    "EPISODE_KINDS",
    "REFILL_WINDOW",
    "REPLACEMENT_LEAD",
    "EpisodeFacts",
    "NeedState",
    "PatientFacts",
    "PostMriFacts",
    "PumpFacts",
    "ReferralFacts",
    "VisitNeed",
    "visit_needs",
]

#: A refill may be booked from this long before its deadline (clinic choice: earlier wastes drug).
REFILL_WINDOW = dt.timedelta(days=14)
#: Elective replacement is planned from this long before the projected ERI (clinic choice; S50:
#: a SynchroMed II stops 90 days after ERI).
REPLACEMENT_LEAD = dt.timedelta(days=180)
#: An accepted referral's consultation is to be booked within this long (clinic choice).
CONSULTATION_WITHIN = dt.timedelta(days=28)
#: Outcome episodes: the procedures whose follow-ups the outcome report counts.
EPISODE_KINDS = frozenset(
    {
        ProcedureKind.FACET_JOINT_INJECTION,
        ProcedureKind.EPIDURAL_STEROID_INJECTION,
        ProcedureKind.INTRATHECAL_TRIAL,
        ProcedureKind.INTRATHECAL_PUMP_IMPLANT,
    }
)
_NAMESPACE = uuid.UUID("0b7c6a52-3f0e-4d1e-9a55-6f1c0c1d5e11")


class NeedState(StrEnum):
    OPEN = "open"  # nothing booked answers it
    BOOKED = "booked"  # a booked or attended visit answers it


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpFacts:
    pump_id: str
    last_filled_at: dt.datetime
    refill_deadline: dt.datetime
    refill_binding: str  # which limit sets the deadline ("drug stability" …)
    eri_at: dt.datetime
    end_of_service_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeFacts:
    procedure_id: str
    kind: ProcedureKind
    performed_on: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class PostMriFacts:
    plan_id: str
    earliest: dt.datetime
    due: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralFacts:
    referral_id: str
    accepted_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientFacts:
    patient_id: str
    referrals: Sequence[ReferralFacts] = ()
    pumps: Sequence[PumpFacts] = ()
    episodes: Sequence[EpisodeFacts] = ()
    post_mri: Sequence[PostMriFacts] = ()
    appointments: Sequence[Appointment] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitNeed:
    """One visit to book, its window, and what answers it (``appointment_id``) if anything."""

    id: str
    patient_id: str
    visit_type: VisitType
    purpose: VisitPurpose
    earliest: dt.datetime
    target: dt.datetime
    latest: dt.datetime
    reason: str
    state: NeedState
    appointment_id: str | None = None

    @staticmethod
    def ident(purpose: VisitPurpose) -> str:
        """A stable id per purpose: the same need keeps its id as its window moves."""
        key = f"{purpose.kind.value}|{purpose.ref}|{purpose.time_point or ''}"
        return str(uuid.uuid5(_NAMESPACE, key))

    def fits(self, appointment: Appointment) -> bool:
        return self.earliest <= appointment.starts_at <= self.latest


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def _answer(
    *,
    patient_id: str,
    visit_type: VisitType,
    purpose: VisitPurpose,
    earliest: dt.datetime,
    target: dt.datetime,
    latest: dt.datetime,
    reason: str,
    appointments: Iterable[Appointment],
    not_before: dt.datetime | None = None,
) -> VisitNeed:
    mine = [
        a
        for a in appointments
        if a.purpose == purpose
        and a.holds_slots
        and (not_before is None or a.starts_at >= not_before)
    ]
    need = VisitNeed(
        id=VisitNeed.ident(purpose),
        patient_id=patient_id,
        visit_type=visit_type,
        purpose=purpose,
        earliest=earliest,
        target=target,
        latest=latest,
        reason=reason,
        state=NeedState.OPEN,
    )
    fitting = sorted((a for a in mine if need.fits(a)), key=lambda a: a.starts_at)
    if fitting:
        return replace(need, state=NeedState.BOOKED, appointment_id=fitting[0].id)
    late = sorted((a for a in mine if a.starts_at > latest), key=lambda a: a.starts_at)
    if late:
        moved = (
            f"{reason}; the visit booked {late[0].starts_at:%Y-%m-%d %H:%M} UTC is after the "
            f"deadline {latest:%Y-%m-%d %H:%M} UTC: move it"
        )
        return replace(need, reason=moved, appointment_id=late[0].id)
    return need


def visit_needs(facts: PatientFacts, time_points: Sequence[TimePoint]) -> list[VisitNeed]:
    """Every visit the facts ask for (see the module docstring), open or booked."""
    return [
        *_consultation_needs(facts),
        *_pump_needs(facts),
        *_follow_up_needs(facts, time_points),
        *_post_mri_needs(facts),
    ]


def _consultation_needs(facts: PatientFacts) -> Iterator[VisitNeed]:
    for referral in facts.referrals:
        latest = referral.accepted_at + CONSULTATION_WITHIN
        yield _answer(
            patient_id=facts.patient_id,
            visit_type=VisitType.CONSULTATION,
            purpose=VisitPurpose(kind=PurposeKind.REFERRAL, ref=referral.referral_id),
            earliest=referral.accepted_at,
            target=referral.accepted_at,
            latest=latest,
            reason=f"first consultation after the accepted referral, by {latest:%Y-%m-%d}",
            appointments=facts.appointments,
        )


def _pump_needs(facts: PatientFacts) -> Iterator[VisitNeed]:
    for pump in facts.pumps:
        yield _answer(
            patient_id=facts.patient_id,
            visit_type=VisitType.REFILL,
            purpose=VisitPurpose(kind=PurposeKind.REFILL, ref=pump.pump_id),
            earliest=max(pump.refill_deadline - REFILL_WINDOW, pump.last_filled_at),
            target=pump.refill_deadline,
            latest=pump.refill_deadline,
            reason=f"refill before {pump.refill_deadline:%Y-%m-%d} ({pump.refill_binding})",
            appointments=facts.appointments,
            not_before=pump.last_filled_at,
        )
        yield _answer(
            patient_id=facts.patient_id,
            visit_type=VisitType.REPLACEMENT,
            purpose=VisitPurpose(kind=PurposeKind.REPLACEMENT, ref=pump.pump_id),
            earliest=pump.eri_at - REPLACEMENT_LEAD,
            target=pump.eri_at,
            latest=pump.end_of_service_at,
            reason=(
                f"elective replacement: ERI projected {pump.eri_at:%Y-%m-%d}, end of service "
                f"{pump.end_of_service_at:%Y-%m-%d} (S50)"
            ),
            appointments=facts.appointments,
        )


def _follow_up_needs(facts: PatientFacts, time_points: Sequence[TimePoint]) -> Iterator[VisitNeed]:
    for episode in facts.episodes:
        if episode.kind not in EPISODE_KINDS:
            continue
        day = _day_start(episode.performed_on)
        for point in time_points:
            yield _answer(
                patient_id=facts.patient_id,
                visit_type=VisitType.FOLLOW_UP,
                purpose=VisitPurpose(
                    kind=PurposeKind.FOLLOW_UP, ref=episode.procedure_id, time_point=point.name
                ),
                earliest=day + dt.timedelta(days=point.first_day),
                target=day + dt.timedelta(days=point.target_day),
                # the last slot of the window's last day
                latest=day + dt.timedelta(days=point.last_day + 1) - SLOT,
                reason=(
                    f"{point.name} follow-up after the {episode.kind.label} of "
                    f"{episode.performed_on} (day {point.first_day}–{point.last_day})"
                ),
                appointments=facts.appointments,
            )


def _post_mri_needs(facts: PatientFacts) -> Iterator[VisitNeed]:
    for mri in facts.post_mri:
        yield _answer(
            patient_id=facts.patient_id,
            visit_type=VisitType.MRI_INTERROGATION,
            purpose=VisitPurpose(kind=PurposeKind.POST_MRI, ref=mri.plan_id),
            earliest=mri.earliest,
            target=mri.earliest,
            latest=mri.due,
            reason=f"interrogate the pump after the MRI, by {mri.due:%Y-%m-%d %H:%M} UTC (SR-15)",
            appointments=facts.appointments,
        )
