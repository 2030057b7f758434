"""Pump and catheter models: the device facts the maths and the twin rely on.

Loaded from ``thecal/data/pumps.toml`` and ``thecal/data/catheters.toml`` by
:mod:`thecal.domain.library`. Numbers marked ``[A]`` are twin model assumptions (no retrieved
source gives them); ``[U]`` ones are unconfirmed. Both are overridable per patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from thecal.domain.sourced import Sourced
from thecal.domain.units import Duration, FlowRate, Volume

__all__ = [
    "CatheterModel",
    "DeliveryMechanism",
    "MriBehaviour",
    "PumpModel",
    "catheter_dead_space",
]


class DeliveryMechanism(Enum):
    PERISTALTIC = "peristaltic"  # continuous, battery-driven roller (SynchroMed II)
    VALVE_GATED = "valve-gated"  # pressurised reservoir, fixed-stroke pulses (Prometra)


class MriBehaviour(Enum):
    MOTOR_STALL = "motor-stall"  # stops during the scan, resumes after a delay (S55)
    EMPTY_BEFORE_MRI = "empty-before-mri"  # valves may open and dump the reservoir (S58, S59)


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpModel:
    """One programmable implanted pump model (identity: ``id``)."""

    id: str
    name: str
    manufacturer: str
    model_number: str
    mechanism: DeliveryMechanism
    reservoir: Sourced[Volume]
    min_flow: Sourced[FlowRate]
    max_flow: Sourced[FlowRate]
    internal_volume: Sourced[Volume]
    stroke_volume: Sourced[Volume] | None
    accuracy_band_pct: Sourced[Decimal]
    bias_cumulative_pct: Sourced[Decimal]
    bias_per_refill_pct: Sourced[Decimal] | None
    low_reservoir_alarm: Sourced[Volume]
    service_life: Sourced[Duration]
    eri_to_stop: Sourced[Duration] | None
    mri: MriBehaviour
    mri_recovery_max: Sourced[Duration] | None
    flow_activated_valve: bool
    fav_leak: Sourced[Volume] | None
    approved_drugs: Sourced[tuple[str, ...]]
    discrepancy_threshold: Sourced[Volume]
    #: The reservoir volume at which the model's own refill planning puts the next refill, where
    #: it differs from an alarm setting (Prometra PTC: 3.0 mL with every bolus taken, S66).
    refill_planning_volume: Sourced[Volume] | None = None
    #: The most flex steps one daily cycle may have (None: the model runs no flex schedule).
    max_flex_steps: Sourced[int] | None = None
    #: Whether a flex schedule may run over a week (Monday 00:00 on the pump clock) as well as a
    #: day (None: the library does not say; the clinic then refuses it).
    weekly_flex: Sourced[bool] | None = None
    #: Whether the model runs a periodic clinician bolus (a dose over a duration, every interval).
    periodic_bolus: Sourced[bool] | None = None
    #: Whether, between periodic boluses, the model keeps delivering at its minimum flow
    #: (``min_flow``) rather than nothing; a periodic-bolus program then carries that rate.
    periodic_min_rate_between: Sourced[bool] | None = None
    #: Whether the model runs a single clinician bolus, then stops (rescue or bridge).
    single_bolus: Sourced[bool] | None = None

    @property
    def planning_volume(self) -> Volume:
        """The reservoir volume refill dates are planned at: the larger of the default alarm and
        the model's refill-planning volume."""
        alarm = self.low_reservoir_alarm.value
        planning = self.refill_planning_volume
        return max(alarm, planning.value) if planning is not None else alarm

    def approves(self, drug_id: str) -> bool:
        return drug_id in self.approved_drugs.value

    @property
    def is_valve_gated(self) -> bool:
        return self.mechanism is DeliveryMechanism.VALVE_GATED

    @property
    def must_be_emptied_for_mri(self) -> bool:
        return self.mri is MriBehaviour.EMPTY_BEFORE_MRI


@dataclass(frozen=True, slots=True, kw_only=True)
class CatheterModel:
    """An intrathecal catheter model (identity: ``id``)."""

    id: str
    name: str
    manufacturer: str
    volume_per_cm: Sourced[Volume]
    supplied_length_cm: Sourced[Decimal] | None

    @property
    def ml_per_cm(self) -> Decimal:
        return self.volume_per_cm.value.ml

    def dead_space(self, implanted_length_cm: Decimal) -> Volume:
        return catheter_dead_space(self.ml_per_cm, implanted_length_cm)

    @property
    def confirmed(self) -> bool:
        return self.volume_per_cm.confirmed


def catheter_dead_space(ml_per_cm: Decimal, implanted_length_cm: Decimal) -> Volume:
    """Dead-space volume of an implanted catheter: length × volume per cm.

    Source: Prometra II manual, implanted volume = length × 0.0026 mL/cm (S64 [C]).
    """
    return Volume(ml_per_cm * implanted_length_cm)
