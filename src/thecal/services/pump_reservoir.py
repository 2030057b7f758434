"""The record's reservoir, alarm, empty and next refill dates from the pump's real history
(issue 18 §1, ``domain/reservoir.py``).

* :func:`reservoir_now` — the estimate at a time: the anchor (last fill, or the pump's count at the
  last interrogation after it), the programs since (piecewise), the patient boluses logged since.
* :func:`read_reservoir` — what an interrogation's count is compared with: the record's estimate
  just before it (both are kept on the pump, ``Pump.reservoir_reading``).
* :func:`refill_plan` — the next refill date from the same history (``plan_refill_from_history``):
  the alarm candidate is when the reservoir reaches the alarm volume with every allowed bolus taken
  (S66) through every program since the anchor, minus the clinic's margin.
* :func:`refill_plan_if_sent` — the same plan if a proposed program were sent at a time: what the
  review page shows beside the current plan (issue 12 §1: the new refill date and the limit that
  binds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from thecal.domain.forecast import RefillPlan, plan_refill_from_history
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram
from thecal.domain.reservoir import (
    LoggedBolusFact,
    ProgramSpan,
    ReservoirEstimate,
    ReservoirReading,
    SpanBasis,
    estimate_reservoir,
    reservoir_gap_exceeds,
)
from thecal.domain.tasks import Task, TaskKind, TaskPriority
from thecal.domain.units import Volume, plain
from thecal.services.pump_record import Pump
from thecal.services.repositories.device_log import LoggedPatientBolus
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "bolus_facts",
    "read_reservoir",
    "refill_plan",
    "refill_plan_if_sent",
    "refresh_refill_due",
    "reservoir_gap_tasks",
    "reservoir_now",
]


def bolus_facts(logged: Iterable[LoggedPatientBolus]) -> list[LoggedBolusFact]:
    """The granted patient boluses, once each (a bolus thecal requested and the pump's own log
    later reports is one bolus: same time)."""
    seen: dict[dt.datetime, LoggedBolusFact] = {}
    for entry in logged:
        if entry.granted:
            known = seen.get(entry.at)
            seen[entry.at] = LoggedBolusFact(
                at=entry.at, uncertain=entry.uncertain and (known is None or known.uncertain)
            )
    return sorted(seen.values(), key=lambda b: b.at)


def reservoir_now(uow: AbstractUnitOfWork, pump: Pump, at: dt.datetime) -> ReservoirEstimate:
    """The record's estimate of ``pump``'s reservoir at ``at`` (inside the caller's transaction)."""
    return estimate_reservoir(
        anchor=pump.reservoir_anchor,
        spans=pump.program_spans,
        boluses=bolus_facts(uow.device_log.boluses(pump.id)),
        at=at,
    )


def read_reservoir(
    uow: AbstractUnitOfWork, pump: Pump, *, pump_count: Volume, at: dt.datetime
) -> ReservoirReading:
    """The interrogation's count beside the record's estimate at the same time (programs since
    the anchor, and every logged bolus — the interrogation's own log included)."""
    estimate = reservoir_now(uow, pump, at)
    return ReservoirReading(
        at=at, pump_count=pump_count, by_record=estimate.volume, delivered=estimate.delivered
    )


def refill_plan(pump: Pump, policy: ClinicPolicy | None = None) -> RefillPlan:
    """The next refill date of ``pump`` from its history since the anchor (see the module)."""
    library = reference_library()
    program = pump.program
    alarm = program.low_reservoir_alarm or library.pump(pump.model_id).low_reservoir_alarm.value
    return plan_refill_from_history(
        filled_at=pump.last_filled_at,
        anchor=pump.reservoir_anchor,
        spans=pump.program_spans,
        alarm=alarm,
        admixture=pump.admixture,
        drugs=dict(library.drugs),
        policy=policy or ClinicPolicy(),
        naive_pump_first_fill=pump.last_filled_at == pump.implanted_at,
    )


def refill_plan_if_sent(
    pump: Pump, program: InfusionProgram, at: dt.datetime, policy: ClinicPolicy | None = None
) -> RefillPlan:
    """The next refill of ``pump`` if ``program`` (same admixture) were sent at ``at``: the
    record's programs until then, ``program`` from then on (its own low-reservoir alarm, or the
    model's)."""
    library = reference_library()
    alarm = program.low_reservoir_alarm or library.pump(pump.model_id).low_reservoir_alarm.value
    earlier = tuple(span for span in pump.program_spans if span.since < at)
    sent = ProgramSpan(since=at, program=program, basis=SpanBasis.SENT_ACKNOWLEDGED)
    return plan_refill_from_history(
        filled_at=pump.last_filled_at,
        anchor=pump.reservoir_anchor,
        spans=(*earlier, sent),
        alarm=alarm,
        admixture=pump.admixture,
        drugs=dict(library.drugs),
        policy=policy or ClinicPolicy(),
        naive_pump_first_fill=pump.last_filled_at == pump.implanted_at,
    )


def refresh_refill_due(pump: Pump, policy: ClinicPolicy | None = None) -> None:
    """Move the pump's next refill date with its history (a send, an interrogation); an emptied
    reservoir stays due at once."""
    if pump.reservoir_volume.value <= 0 and pump.reservoir_anchor.volume.value <= 0:
        return
    pump.next_refill_due = refill_plan(pump, policy).due


def _ml(volume: Volume) -> str:
    """A volume for clinicians: mL to two decimals (0.01 mL)."""
    return f"{plain(volume.ml.quantize(Decimal('0.01')))} mL"


def reservoir_gap_tasks(pump: Pump, reading: ReservoirReading) -> list[Task]:
    """A worklist finding when the pump's count and the record's estimate differ by more than the
    model's accuracy band of the volume delivered since the anchor (``PumpModel.accuracy_band_pct``:
    SynchroMed II ±14.5 % [U], Prometra 85–115 % S62)."""
    model = reference_library().pump(pump.model_id)
    band = model.accuracy_band_pct
    stroke = model.stroke_volume.value if model.stroke_volume is not None else None
    if pump.emptied or not reservoir_gap_exceeds(reading, band.value, resolution=stroke):
        return []
    direction = (
        "more than its programs and logged boluses account for (a leak, an unlogged bolus?)"
        if reading.gap.value > 0
        else "less than its programs account for (a stop or a stall?)"
    )
    abs_gap = Volume(abs(reading.gap.value))
    return [
        Task(
            kind=TaskKind.RESERVOIR_DISCREPANCY,
            subject=pump.patient_id,
            origin=pump.id,
            due=reading.at,
            reason=(
                f"the pump counts {_ml(reading.pump_count)} in the reservoir, the record "
                f"expected {_ml(reading.by_record)}: the pump delivered {_ml(abs_gap)} "
                f"{direction}, beyond its ±{plain(band.value)} % accuracy of the "
                f"{_ml(reading.delivered)} delivered since the last fill or interrogation; "
                "check the pump and its history before the next refill"
            ),
            source=band.source,
            priority=TaskPriority.ROUTINE,
        )
    ]
