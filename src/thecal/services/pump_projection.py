"""The dates the worklist needs from a pump, projected when the pump record is written.

Stored on the pump row (``pumps.low_reservoir_alarm_at`` …, revision ``0005``) by the pump mapper
on every insert and update, so the worklist is an indexed range query with no per-pump arithmetic.
A pump is written whenever it is implanted, refilled or its program is confirmed, so the
projection follows every fill and every program change.

* **Low-reservoir alarm** = when the reservoir, from its anchor (the last fill, or the pump's own
  count at the last interrogation after it) through every program since — piecewise, each from its
  send (``domain/reservoir.py``) — reaches the alarm volume with every allowed patient bolus taken
  (Prometra's rule, S66; the same flow ``plan_refill_from_history`` uses). The alarm volume is the
  program's, else the model's default.
* **Stability expiry** = last fill + the shortest in-pump stability of the reservoir admixture's components
  (drug library, each with its source); ``None`` when no component's stability is known or the
  reservoir was emptied (0 mL on the record).
* **Elective replacement (ERI)** and **end of service** from the implant date and the model's
  service life: end of service at implant + service life, ERI the model's ERI-to-stop delay before
  it (S50: SynchroMed II 90 days). This is the latest possible date — pumping spends battery, so
  the real ERI comes earlier; an interrogation that reports ERI appears on the worklist as a
  device event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.admixture import Admixture
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.reservoir import ProgramSpan, ReservoirAnchor, time_reaching
from thecal.services.pump_record import Pump

__all__ = ["PumpProjection", "project_pump", "projection_of"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpProjection:
    low_reservoir_alarm_at: dt.datetime | None
    stability_expires_at: dt.datetime | None
    eri_at: dt.datetime
    end_of_service_at: dt.datetime


def project_pump(
    *,
    model_id: str,
    implanted_at: dt.datetime,
    program: InfusionProgram,
    admixture: Admixture,
    anchor: ReservoirAnchor,
    spans: tuple[ProgramSpan, ...],
    last_filled_at: dt.datetime,
) -> PumpProjection:
    """Project the worklist dates from the pump's recorded fields (see the module docstring)."""
    library = reference_library()
    model = library.pump(model_id)
    alarm = program.low_reservoir_alarm or model.low_reservoir_alarm.value
    stabilities = [
        days.value
        for component in admixture.components
        if (
            days := library.drug(component.drug_id).stability_days(
                component.concentration, admixed=len(admixture.components) > 1
            )
        )
    ]
    end_of_service = implanted_at + model.service_life.value.to_timedelta()
    eri_delay = model.eri_to_stop.value.to_timedelta() if model.eri_to_stop else dt.timedelta(0)
    return PumpProjection(
        low_reservoir_alarm_at=time_reaching(
            anchor=anchor, spans=spans, level=alarm, worst_case=True
        ),
        stability_expires_at=(
            last_filled_at + dt.timedelta(days=min(stabilities))
            if stabilities and anchor.volume.value > 0  # an emptied reservoir holds no drug
            else None
        ),
        eri_at=end_of_service - eri_delay,
        end_of_service_at=end_of_service,
    )


def projection_of(pump: Pump) -> PumpProjection:
    """:func:`project_pump` over a recorded pump's own fields."""
    return project_pump(
        model_id=pump.model_id,
        implanted_at=pump.implanted_at,
        program=pump.program,
        admixture=pump.admixture,
        anchor=pump.reservoir_anchor,
        spans=pump.program_spans,
        last_filled_at=pump.last_filled_at,
    )
