"""The dates the worklist needs from a pump, projected when the pump record is written.

Stored on the pump row (``pumps.low_reservoir_alarm_at`` …, revision ``0005``) by the pump mapper
on every insert and update, so the worklist is an indexed range query with no per-pump arithmetic.
A pump is written whenever it is implanted, refilled or its program is confirmed, so the
projection follows every fill and every program change.

* **Low-reservoir alarm** = last fill + (fill volume − alarm volume) ÷ worst-case flow (every
  allowed patient bolus taken: Prometra's rule, S66; the same flow ``plan_next_refill`` uses). The
  alarm volume is the program's, else the model's default. Limitation: after a program change in
  mid-cycle the projection assumes the new rate since the fill (the pump's own reservoir estimate
  at the next interrogation is authoritative).
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
from thecal.domain.units import Volume

__all__ = ["PumpProjection", "project_pump"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpProjection:
    low_reservoir_alarm_at: dt.datetime | None
    stability_expires_at: dt.datetime | None
    eri_at: dt.datetime
    end_of_service_at: dt.datetime


def _alarm_at(
    program: InfusionProgram, *, reservoir: Volume, alarm: Volume, filled_at: dt.datetime
) -> dt.datetime | None:
    flow = program.worst_case_flow
    if flow.value <= 0:
        return None
    above = max(reservoir - alarm, Volume.from_ml(0))
    return filled_at + (above / flow).to_timedelta()


def project_pump(
    *,
    model_id: str,
    implanted_at: dt.datetime,
    program: InfusionProgram,
    admixture: Admixture,
    reservoir_volume: Volume,
    last_filled_at: dt.datetime,
) -> PumpProjection:
    """Project the worklist dates from the pump's recorded fields (see the module docstring)."""
    library = reference_library()
    model = library.pump(model_id)
    alarm = program.low_reservoir_alarm or model.low_reservoir_alarm.value
    stabilities = [
        days.value
        for component in admixture.components
        if (days := library.drug(component.drug_id).stability_days(component.concentration))
    ]
    end_of_service = implanted_at + model.service_life.value.to_timedelta()
    eri_delay = model.eri_to_stop.value.to_timedelta() if model.eri_to_stop else dt.timedelta(0)
    return PumpProjection(
        low_reservoir_alarm_at=_alarm_at(
            program, reservoir=reservoir_volume, alarm=alarm, filled_at=last_filled_at
        ),
        stability_expires_at=(
            last_filled_at + dt.timedelta(days=min(stabilities))
            if stabilities and reservoir_volume.value > 0  # an emptied reservoir holds no drug
            else None
        ),
        eri_at=end_of_service - eri_delay,
        end_of_service_at=end_of_service,
    )
