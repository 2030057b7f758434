"""Read use cases over the device side: a patient's pumps, one pump with what the record says of
its reservoir and its latest alarms, and a pump's program changes and refills (newest first).

Each is an audited PHI read, authorized first (deny by default). Lists are paged by
``limit``/``offset`` (the number of pumps, changes and refills per patient is small, so the page
is cut from the stored list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from thecal.domain.authorization import (
    Action,
    Subject,
    authorize,
    authorize_function,
    is_allowed,
)
from thecal.domain.forecast import RefillPlan
from thecal.domain.patient import PatientNotFound
from thecal.domain.program_change import FindingSummary, ProgramChange
from thecal.domain.refill import Refill
from thecal.domain.reservoir import ReservoirEstimate, time_reaching
from thecal.domain.units import Volume
from thecal.domain.users import Actor, Role
from thecal.services.clock import Clock
from thecal.services.pump_glance import PumpGlance, pump_glance
from thecal.services.pump_record import Pump, PumpNotFound, PumpState
from thecal.services.pump_reservoir import refill_plan, reservoir_now
from thecal.services.repositories.device_log import LoggedDeviceEvent
from thecal.services.repositories.pumps import PumpSearch
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "MAX_PAGE",
    "GetPumpOverview",
    "ListPatientPumps",
    "ListProgramChanges",
    "ListRefills",
    "Page",
    "PumpOverview",
    "RefillRecord",
    "SearchPumps",
    "get_pump_overview",
    "list_patient_pumps",
    "list_program_changes",
    "list_refills",
    "search_pumps",
]

MAX_PAGE = 100
RECENT_ALARMS = 20  # the pump overview lists the latest logged alarm events
T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPatientPumps:
    actor: Actor
    patient_id: str
    limit: int = 25
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPumps:
    """Pumps by patient, serial (a prefix), model and state; every filter given must match."""

    actor: Actor
    patient_id: str | None = None
    serial_prefix: str | None = None
    model_id: str | None = None
    state: PumpState | None = None
    limit: int = 25
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPumpOverview:
    actor: Actor
    pump_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListProgramChanges:
    actor: Actor
    pump_id: str
    limit: int = 25
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ListRefills:
    actor: Actor
    pump_id: str
    limit: int = 25
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpOverview:
    """A pump as recorded, the reservoir by the record at ``at``, and its latest logged alarms.

    ``reservoir`` is the record's estimate from the real history (``domain/reservoir.py``): the
    last fill or the pump's count at the last interrogation after it, less every program since
    (piecewise, from its send) and every patient bolus logged since; never below zero. The pump's
    own count, read by interrogation, re-anchors it (``pump.reservoir_reading`` keeps both).
    """

    pump: Pump
    at: dt.datetime
    reservoir: ReservoirEstimate
    plan: RefillPlan | None  # the next refill from the same history (None: emptied)
    empty_at: dt.datetime | None  # when the reservoir by the record runs dry, every bolus taken
    alarms: tuple[LoggedDeviceEvent, ...]  # newest first
    glance: PumpGlance  # the decision set at a glance (``services/pump_glance.py``)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefillRecord:
    refill: Refill
    findings: tuple[FindingSummary, ...]


def _page(items: list[T], limit: int, offset: int) -> Page[T]:
    return Page(
        items=tuple(items[offset : offset + limit]), total=len(items), limit=limit, offset=offset
    )


def _pump(uow: AbstractUnitOfWork, pump_id: str) -> Pump:
    pump = uow.pumps.get(pump_id)
    if pump is None:
        raise PumpNotFound(ident=pump_id)
    return pump


def list_patient_pumps(
    cmd: ListPatientPumps, *, uow: AbstractUnitOfWork, clock: Clock
) -> Page[Pump]:
    """A patient's pumps, newest implant first (an audited read).

    Raises:
        AccessDenied; PatientNotFound.
    """
    subject = Subject.patient(cmd.patient_id)
    authorize(cmd.actor, Action.PUMP_READ, subject)
    with uow:
        if uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        pumps = sorted(
            uow.pumps.for_patient(cmd.patient_id),
            key=lambda p: (p.implanted_at, p.id),
            reverse=True,
        )
        page = _page(pumps, cmd.limit, cmd.offset)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PUMP_READ,
            subject=subject,
            at=clock.now(),
            details={"returned": [p.id for p in page.items]},
        )
        uow.commit()
    return page


def search_pumps(cmd: SearchPumps, *, uow: AbstractUnitOfWork, clock: Clock) -> Page[Pump]:
    """Pumps the filters admit, newest implant first (an audited read of the pumps returned).

    A patient's search only ever finds their own pumps; a search naming a patient is authorized
    on that patient (403 for another's, as ``list_patient_pumps``).

    Raises:
        AccessDenied; PatientNotFound (the named patient does not exist).
    """
    authorize_function(cmd.actor, Action.PUMP_READ)
    if cmd.patient_id is not None:
        authorize(cmd.actor, Action.PUMP_READ, Subject.patient(cmd.patient_id))
    own: frozenset[str] | None = None
    if cmd.actor.role is Role.PATIENT:
        own = frozenset({cmd.actor.patient_id}) if cmd.actor.patient_id else frozenset()
    elif cmd.actor.reach is not None:  # a clinician: their care teams' patients (SR-21)
        own = cmd.actor.reach.all
    query = PumpSearch(
        patient_id=cmd.patient_id,
        serial_prefix=cmd.serial_prefix,
        model_id=cmd.model_id,
        state=cmd.state,
        patient_ids=own,
    )
    with uow:
        if cmd.patient_id is not None and uow.patients.get(cmd.patient_id) is None:
            raise PatientNotFound(ident=cmd.patient_id)
        found, total = uow.pumps.search(query, limit=cmd.limit, offset=cmd.offset)
        for patient_id in sorted({p.patient_id for p in found}):
            uow.audit.record(
                actor=cmd.actor,
                action=Action.PUMP_READ,
                subject=Subject.patient(patient_id),
                at=clock.now(),
                details={
                    "returned": [p.id for p in found if p.patient_id == patient_id],
                    "search": {
                        "serial_prefix": cmd.serial_prefix,
                        "model_id": cmd.model_id,
                        "state": cmd.state.value if cmd.state else None,
                    },
                },
            )
        uow.commit()
    return Page(items=tuple(found), total=total, limit=cmd.limit, offset=cmd.offset)


def get_pump_overview(
    cmd: GetPumpOverview, *, uow: AbstractUnitOfWork, clock: Clock
) -> PumpOverview:
    """One pump with the reservoir by the record and its latest alarms (an audited read).

    Raises:
        AccessDenied; PumpNotFound.
    """
    authorize_function(cmd.actor, Action.PUMP_READ)
    now = clock.now()
    with uow:
        pump = _pump(uow, cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PUMP_READ, subject)
        alarms = [e for e in uow.device_log.events(pump.id) if e.priority is not None]
        reservoir = reservoir_now(uow, pump, now)
        plan = None if pump.emptied else refill_plan(pump)
        empty_at = (
            None
            if pump.emptied
            else time_reaching(
                anchor=pump.reservoir_anchor,
                spans=pump.program_spans,
                level=Volume(Decimal(0)),
                worst_case=True,
            )
        )
        glance = pump_glance(
            uow,
            pump,
            now=now,
            reservoir=reservoir,
            alarm_at=plan.alarm_at if plan else None,
            empty_at=empty_at,
            sees_programs=is_allowed(cmd.actor, Action.PROGRAM_READ, subject),
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PUMP_READ,
            subject=subject,
            at=now,
            details={"pump_id": pump.id, "version": pump.version},
        )
        uow.commit()
    return PumpOverview(
        pump=pump,
        at=now,
        reservoir=reservoir,
        plan=plan,
        empty_at=empty_at,
        alarms=tuple(reversed(alarms[-RECENT_ALARMS:])),
        glance=glance,
    )


def list_program_changes(
    cmd: ListProgramChanges, *, uow: AbstractUnitOfWork, clock: Clock
) -> Page[ProgramChange]:
    """A pump's program changes, newest first (an audited read of each returned change).

    Raises:
        AccessDenied; PumpNotFound.
    """
    authorize_function(cmd.actor, Action.PROGRAM_READ)
    with uow:
        pump = _pump(uow, cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PROGRAM_READ, subject)
        changes = sorted(
            uow.program_changes.for_pump(pump.id),
            key=lambda c: (c.history[0].at, c.change_id),
            reverse=True,
        )
        page = _page(changes, cmd.limit, cmd.offset)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_READ,
            subject=subject,
            at=clock.now(),
            details={"pump_id": pump.id, "returned": [c.change_id for c in page.items]},
        )
        uow.commit()
    return page


def list_refills(cmd: ListRefills, *, uow: AbstractUnitOfWork, clock: Clock) -> Page[RefillRecord]:
    """A pump's refills with their findings, newest first (read with the programs, as on the
    patient timeline: a patient sees neither).

    Raises:
        AccessDenied; PumpNotFound.
    """
    authorize_function(cmd.actor, Action.PROGRAM_READ)
    with uow:
        pump = _pump(uow, cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PROGRAM_READ, subject)
        refills = sorted(
            uow.refills.for_pump(pump.id),
            key=lambda r: (r.history[0].at, r.refill_id),
            reverse=True,
        )
        page = _page(refills, cmd.limit, cmd.offset)
        records = tuple(
            RefillRecord(refill=r, findings=uow.refills.findings_of(r.refill_id))
            for r in page.items
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_READ,
            subject=subject,
            at=clock.now(),
            details={"pump_id": pump.id, "refills": [r.refill_id for r in page.items]},
        )
        uow.commit()
    return Page(items=records, total=page.total, limit=page.limit, offset=page.offset)
