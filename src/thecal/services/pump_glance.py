"""The pump at a glance (issue 13 §1): the decision set a clinician programmer shows on one
screen, read from the record in the pump overview's transaction.

Nothing here is re-derived: the doses and flows are the program's own (``basal_daily_dose``,
``worst_case_daily_dose`` — every patient bolus taken, S66 — ``basal_flow``, ``worst_case_flow``;
an adjuvant's dose is flow × its concentration, ``Admixture.doses_at``); the elective replacement
and end-of-service dates are the worklist's projection (``projection_of``: implant + the model's
service life, less its ERI-to-stop delay, S50); the catheter dead space is the catheter model's
(length × volume per cm, S64); the reconciliation is the last completed refill's.

* **Active alarms**: the pump reports each alarm raised and cleared (``alarm-raised:<code>``,
  ``alarm-cleared:<code>``); an alarm raised and not cleared in the log is active, as of the last
  interrogation. High first (IEC 60601-1-8 categories, S20b), then newest.
* **Battery**: what the last interrogation reported (an active end-of-service or
  elective-replacement alarm), else "ok" when the pump was interrogated, else not known; and
  when an interrogation first read the elective replacement indicator (end of service) — the
  earliest logged ``alarm-raised:elective-replacement`` — which the glance shows instead of the
  projection alone.
* **History**: the reservoir volume at every point the record knows one (each refill's measured
  residual and its fill, the last fill or count, the estimate now, the projected alarm and empty
  dates) and the basal daily dose of every confirmed program, each drug of its admixture in
  its own right (an adjuvant's is the basal flow × its concentration) — the charts' points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from thecal.domain.device_events import AlarmPriority, BatteryState
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ProgramChangeState
from thecal.domain.refill import Refill, RefillState
from thecal.domain.refill.reconciliation import Reconciliation
from thecal.domain.reservoir import ReservoirEstimate
from thecal.domain.units import Concentration, DoseRate, FlowRate, MassUnit, Volume
from thecal.services.program_changes import pending_program_changes
from thecal.services.pump_projection import projection_of
from thecal.services.pump_record import Pump
from thecal.services.repositories.device_log import LoggedDeviceEvent
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "ActiveAlarm",
    "BatteryReport",
    "DoseAtGlance",
    "DosePoint",
    "LastRefill",
    "PumpGlance",
    "ReservoirPoint",
    "ReservoirPointKind",
    "active_alarms",
    "basal_doses",
    "battery_state",
    "first_reported",
    "pump_glance",
]

RAISED, CLEARED = "alarm-raised:", "alarm-cleared:"
_PRIORITY_ORDER = {AlarmPriority.HIGH: 0, AlarmPriority.MEDIUM: 1, AlarmPriority.LOW: 2}
_ZERO = Volume(Decimal(0))


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseAtGlance:
    """One drug of the admixture: its concentration and daily doses in its display unit."""

    drug_id: str
    name: str
    unit: MassUnit  # the drug library's one display unit (ISMP: mcg or mg)
    concentration: Concentration
    daily_dose: DoseRate  # basal, no patient bolus
    worst_case_daily_dose: DoseRate  # every allowed patient bolus taken (S66)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActiveAlarm:
    code: str  # "low-reservoir", "elective-replacement", …
    priority: AlarmPriority
    since: dt.datetime  # when the pump raised it
    reported_at: dt.datetime  # the interrogation that read it


@dataclass(frozen=True, slots=True, kw_only=True)
class BatteryReport:
    """A battery alarm as the record first learnt of it."""

    raised_at: dt.datetime  # when the pump raised it
    reported_at: dt.datetime  # the interrogation that first read it


@dataclass(frozen=True, slots=True, kw_only=True)
class LastRefill:
    refill_id: str
    completed_at: dt.datetime
    filled: Volume  # the volume put in
    reconciliation: Reconciliation | None  # expected vs withdrawn residual


class ReservoirPointKind(StrEnum):
    WITHDRAWN = "withdrawn at a refill"
    FILLED = "filled"
    COUNTED = "counted by the pump"
    NOW = "estimate now"
    ALARM = "projected low-reservoir alarm"
    EMPTY = "projected empty"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservoirPoint:
    at: dt.datetime
    volume: Volume
    kind: ReservoirPointKind


@dataclass(frozen=True, slots=True, kw_only=True)
class DosePoint:
    at: dt.datetime
    daily_dose: DoseRate  # the primary drug's basal daily dose from ``at``
    #: every drug of the admixture running from ``at`` and its basal daily dose, primary first
    by_drug: tuple[tuple[str, DoseRate], ...] = ()


def basal_doses(program: InfusionProgram) -> tuple[tuple[str, DoseRate], ...]:
    """Each drug's basal daily dose under ``program``, primary first: the program's own dose for
    the primary, basal flow × concentration for an adjuvant (``Admixture.doses_at``)."""
    primary = program.admixture.primary.drug_id
    adjuvants = program.admixture.doses_at(program.basal_flow)
    others = tuple((d, dose) for d, dose in adjuvants.items() if d != primary)
    return ((primary, program.basal_daily_dose), *others)


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpGlance:
    """What a physician reads first on the pump (see the module)."""

    patient_name: str
    mrn: str
    birth_date: dt.date
    doses: tuple[DoseAtGlance, ...]  # the primary drug first
    flow: FlowRate
    worst_case_flow: FlowRate
    last_interrogated_at: dt.datetime | None
    active_alarms: tuple[ActiveAlarm, ...]  # high first, then newest
    battery: BatteryState | None  # None: never interrogated (not known)
    eri_at: dt.datetime  # projected elective replacement (the latest possible, S50)
    end_of_service_at: dt.datetime  # projected end of service
    catheter_dead_space: Volume
    catheter_dead_space_confirmed: bool  # the catheter model's volume per cm is sourced [C]
    last_refill: LastRefill | None
    pending_changes: int | None  # None: the reader may not see program changes
    reservoir_points: tuple[ReservoirPoint, ...]  # oldest first
    dose_points: tuple[DosePoint, ...]  # oldest first, the current dose again at ``now``
    #: the pump's elective replacement indicator (its end of service) as first reported by an
    #: interrogation, from the device log; None: never reported (only the projection is known)
    eri_reported: BatteryReport | None = None
    end_of_service_reported: BatteryReport | None = None


def active_alarms(
    events: list[LoggedDeviceEvent] | tuple[LoggedDeviceEvent, ...],
) -> list[ActiveAlarm]:
    """The alarms raised and not cleared in the pump's logged events (high first, newest first)."""
    active: dict[str, ActiveAlarm] = {}
    for event in sorted(events, key=lambda e: (e.at, e.interrogated_at)):
        if event.code.startswith(RAISED) and event.priority is not None:
            code = event.code.removeprefix(RAISED)
            active.setdefault(
                code,
                ActiveAlarm(
                    code=code,
                    priority=event.priority,
                    since=event.at,
                    reported_at=event.interrogated_at,
                ),
            )
        elif event.code.startswith(CLEARED):
            active.pop(event.code.removeprefix(CLEARED), None)
    newest_first = sorted(active.values(), key=lambda a: a.since, reverse=True)
    return sorted(newest_first, key=lambda a: _PRIORITY_ORDER[a.priority])


def first_reported(
    events: list[LoggedDeviceEvent] | tuple[LoggedDeviceEvent, ...], code: str
) -> BatteryReport | None:
    """The pump's first raising of ``code`` in its log, and the interrogation that read it."""
    raised = [e for e in events if e.code == RAISED + code]
    if not raised:
        return None
    first = min(raised, key=lambda e: (e.at, e.interrogated_at))
    return BatteryReport(raised_at=first.at, reported_at=first.interrogated_at)


def battery_state(alarms: list[ActiveAlarm], *, interrogated: bool) -> BatteryState | None:
    """The battery as the last interrogation reported it (None: never interrogated)."""
    codes = {a.code for a in alarms}
    if BatteryState.END_OF_SERVICE.value in codes:
        return BatteryState.END_OF_SERVICE
    if BatteryState.ELECTIVE_REPLACEMENT.value in codes:
        return BatteryState.ELECTIVE_REPLACEMENT
    return BatteryState.OK if interrogated else None


def _doses(pump: Pump) -> tuple[DoseAtGlance, ...]:
    library = reference_library()
    program = pump.program
    basal, worst = (
        program.admixture.doses_at(program.basal_flow),
        program.admixture.doses_at(program.worst_case_flow),
    )
    primary = program.admixture.primary.drug_id
    doses = []
    for component in program.admixture.components:
        drug = library.drug(component.drug_id)
        is_primary = component.drug_id == primary
        doses.append(
            DoseAtGlance(
                drug_id=drug.id,
                name=drug.name,
                unit=drug.dose_unit,
                concentration=component.concentration,
                daily_dose=program.basal_daily_dose if is_primary else basal[drug.id],
                worst_case_daily_dose=program.worst_case_daily_dose
                if is_primary
                else worst[drug.id],
            )
        )
    return tuple(doses)


def _completed_at(refill: Refill) -> dt.datetime | None:
    return next((t.at for t in refill.history if t.to_state == RefillState.COMPLETED.value), None)


def _withdrawn_at(refill: Refill) -> dt.datetime | None:
    return next((t.at for t in refill.history if t.to_state == RefillState.WITHDRAWN.value), None)


def _refill_points(refills: list[Refill]) -> list[ReservoirPoint]:
    points: list[ReservoirPoint] = []
    for refill in refills:
        completed = _completed_at(refill)
        if completed is None or refill.reservoir_volume is None:
            continue
        withdrawn = _withdrawn_at(refill)
        if refill.reconciliation is not None and withdrawn is not None:
            points.append(
                ReservoirPoint(
                    at=withdrawn,
                    volume=refill.reconciliation.measured_residual,
                    kind=ReservoirPointKind.WITHDRAWN,
                )
            )
        points.append(
            ReservoirPoint(
                at=completed, volume=refill.reservoir_volume, kind=ReservoirPointKind.FILLED
            )
        )
    return points


def _reservoir_points(
    pump: Pump,
    refills: list[Refill],
    reservoir: ReservoirEstimate,
    alarm_at: dt.datetime | None,
    empty_at: dt.datetime | None,
) -> tuple[ReservoirPoint, ...]:
    points = _refill_points(refills)
    if not pump.emptied and not any(p.at == pump.last_filled_at for p in points):
        points.append(  # the implant's fill (a refill's is among the refills)
            ReservoirPoint(
                at=pump.last_filled_at,
                volume=pump.reservoir_volume,
                kind=ReservoirPointKind.FILLED,
            )
        )
    anchor = reservoir.anchor
    if not any(p.at == anchor.at for p in points):
        kind = (
            ReservoirPointKind.FILLED
            if anchor.source.value == "fill"
            else ReservoirPointKind.COUNTED
        )
        points.append(ReservoirPoint(at=anchor.at, volume=anchor.volume, kind=kind))
    if reservoir.at > anchor.at:
        points.append(
            ReservoirPoint(at=reservoir.at, volume=reservoir.volume, kind=ReservoirPointKind.NOW)
        )
    alarm = (
        pump.program.low_reservoir_alarm
        or reference_library().pump(pump.model_id).low_reservoir_alarm.value
    )
    if alarm_at is not None and alarm_at > reservoir.at and not pump.emptied:
        points.append(ReservoirPoint(at=alarm_at, volume=alarm, kind=ReservoirPointKind.ALARM))
    if empty_at is not None and empty_at > reservoir.at and not pump.emptied:
        points.append(ReservoirPoint(at=empty_at, volume=_ZERO, kind=ReservoirPointKind.EMPTY))
    return tuple(sorted(points, key=lambda p: p.at))


def _dose_points(uow: AbstractUnitOfWork, pump: Pump, now: dt.datetime) -> tuple[DosePoint, ...]:
    confirmed = sorted(
        (c.sent_at or c.history[-1].at, c)
        for c in uow.program_changes.for_pump(pump.id)
        if c.state is ProgramChangeState.CONFIRMED
    )
    first = confirmed[0][1].old_program if confirmed else pump.program

    def point(at: dt.datetime, program: InfusionProgram) -> DosePoint:
        return DosePoint(at=at, daily_dose=program.basal_daily_dose, by_drug=basal_doses(program))

    points = [point(pump.implanted_at, first)]
    points += [point(at, c.new_program) for at, c in confirmed]
    if points[-1].by_drug != basal_doses(pump.program):
        points.append(point(pump.effective_from, pump.program))
    if now > points[-1].at:
        last = points[-1]
        points.append(DosePoint(at=now, daily_dose=last.daily_dose, by_drug=last.by_drug))
    return tuple(points)


def pump_glance(
    uow: AbstractUnitOfWork,
    pump: Pump,
    *,
    now: dt.datetime,
    reservoir: ReservoirEstimate,
    alarm_at: dt.datetime | None,
    empty_at: dt.datetime | None,
    sees_programs: bool,
) -> PumpGlance:
    """The pump at a glance, inside the caller's (already authorized and audited) transaction."""
    patient = uow.patients.get(pump.patient_id)
    if patient is None:  # pragma: no cover - a pump's patient is never deleted
        msg = f"pump {pump.id} has no patient"
        raise RuntimeError(msg)
    events = list(uow.device_log.events(pump.id))
    alarms = active_alarms(events)
    interrogated = pump.reservoir_reading.at if pump.reservoir_reading else None
    projection = projection_of(pump)
    catheter = reference_library().catheter(pump.catheter_model_id)
    refills = sorted(
        (r for r in uow.refills.for_pump(pump.id) if _completed_at(r) is not None),
        key=lambda r: (_completed_at(r), r.refill_id),
    )
    last = refills[-1] if refills else None
    last_completed = _completed_at(last) if last is not None else None
    return PumpGlance(
        patient_name=patient.display_name,
        mrn=patient.mrn,
        birth_date=patient.demographics.birth_date,
        doses=_doses(pump),
        flow=pump.program.basal_flow,
        worst_case_flow=pump.program.worst_case_flow,
        last_interrogated_at=interrogated,
        active_alarms=tuple(alarms),
        battery=battery_state(alarms, interrogated=interrogated is not None),
        eri_at=projection.eri_at,
        end_of_service_at=projection.end_of_service_at,
        catheter_dead_space=catheter.dead_space(pump.catheter_length_cm),
        catheter_dead_space_confirmed=catheter.confirmed,
        last_refill=None
        if last is None or last_completed is None or last.reservoir_volume is None
        else LastRefill(
            refill_id=last.refill_id,
            completed_at=last_completed,
            filled=last.reservoir_volume,
            reconciliation=last.reconciliation,
        ),
        pending_changes=len(pending_program_changes(uow.program_changes.for_pump(pump.id)))
        if sees_programs
        else None,
        reservoir_points=_reservoir_points(pump, refills, reservoir, alarm_at, empty_at),
        dose_points=_dose_points(uow, pump, now) if sees_programs else (),
        eri_reported=first_reported(events, BatteryState.ELECTIVE_REPLACEMENT.value),
        end_of_service_reported=first_reported(events, BatteryState.END_OF_SERVICE.value),
    )
