"""Dosing maths: flow ↔ dose, pump flow limits, priming and bridge boluses.

Pure functions on exact quantities. Each states its formula and source.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.devices import PumpModel
from thecal.domain.errors import FlowAbovePumpMaximum, FlowBelowPumpMinimum, ValueOutOfRange
from thecal.domain.units import Concentration, DoseRate, Duration, FlowRate, Mass, Volume

__all__ = [
    "BridgeBolus",
    "PrimingBolus",
    "bridge_bolus",
    "check_pump_flow",
    "daily_dose_for",
    "flow_for",
    "priming_bolus",
    "tip_lag",
]


def _positive_concentration(concentration: Concentration) -> None:
    if concentration.value <= 0:
        raise ValueOutOfRange(name="concentration", expected="> 0", value=concentration)


def flow_for(daily_dose: DoseRate, concentration: Concentration) -> FlowRate:
    """Flow that delivers ``daily_dose`` at ``concentration``: flow = dose ÷ concentration.

    Example: 5 mg/day ÷ 25 mg/mL = 0.2 mL/day.
    """
    _positive_concentration(concentration)
    if daily_dose.value < 0:
        raise ValueOutOfRange(name="daily dose", expected="≥ 0", value=daily_dose)
    return daily_dose / concentration


def daily_dose_for(flow: FlowRate, concentration: Concentration) -> DoseRate:
    """Daily dose delivered by ``flow`` at ``concentration``: dose = flow × concentration."""
    _positive_concentration(concentration)
    if flow.value < 0:
        raise ValueOutOfRange(name="flow", expected="≥ 0", value=flow)
    return flow * concentration


def check_pump_flow(
    daily_dose: DoseRate, concentration: Concentration, pump: PumpModel
) -> FlowRate:
    """Return the flow for this dose, or refuse it with the numbers and the way out.

    A non-zero flow below the pump model's minimum (SynchroMed II: 0.048 mL/day, S12) cannot be
    programmed; the way out is a lower concentration (dose ÷ minimum flow). A flow above the
    maximum needs a higher concentration. Zero (a stopped pump) is allowed.

    Raises:
        FlowBelowPumpMinimum, FlowAbovePumpMaximum: with dose, concentration, flow and limits.
    """
    flow = flow_for(daily_dose, concentration)
    minimum, maximum = pump.min_flow.value, pump.max_flow.value
    if 0 < flow.value < minimum.value:
        raise FlowBelowPumpMinimum(
            daily_dose=daily_dose,
            concentration=concentration,
            flow=flow,
            pump=pump.name,
            minimum=f"{minimum} ({pump.min_flow.cite()})",
            lowest_dose=minimum * concentration,
            max_concentration=daily_dose / minimum,
        )
    if flow > maximum:
        raise FlowAbovePumpMaximum(
            daily_dose=daily_dose,
            concentration=concentration,
            flow=flow,
            pump=pump.name,
            maximum=f"{maximum} ({pump.max_flow.cite()})",
            min_concentration=daily_dose / maximum,
        )
    return flow


@dataclass(frozen=True, slots=True, kw_only=True)
class PrimingBolus:
    """Volume that fills the pump's internal path and the catheter after an implant."""

    catheter_volume: Volume
    pump_internal_volume: Volume

    @property
    def volume(self) -> Volume:
        return self.catheter_volume + self.pump_internal_volume


def priming_bolus(*, catheter_volume: Volume, pump_internal_volume: Volume) -> PrimingBolus:
    """Priming bolus volume = catheter dead space + pump internal path (S53 [C]).

    The implanted catheter holds CSF or saline; until this volume has been pushed, no drug reaches
    the tip. Mixing at priming rates can bring drug early and a dilute period after it (S53), so it
    is done under supervision.
    """
    if catheter_volume.value < 0 or pump_internal_volume.value < 0:
        raise ValueOutOfRange(name="dead-space volume", expected="≥ 0", value=catheter_volume)
    return PrimingBolus(catheter_volume=catheter_volume, pump_internal_volume=pump_internal_volume)


def tip_lag(dead_space: Volume, flow: FlowRate) -> Duration:
    """Time for fluid entering the dead space to reach the catheter tip at ``flow``."""
    if flow.value <= 0:
        raise ValueOutOfRange(
            name="flow", expected="> 0 for the new drug to reach the tip", value=flow
        )
    return dead_space / flow


@dataclass(frozen=True, slots=True, kw_only=True)
class BridgeBolus:
    """Delivers the old drug still in the dead space at the old dose rate, then the new program.

    Without it the pump runs at the new flow at once, so the patient receives the *old*
    concentration at the *new* flow — ``dose_during_lag_without_bridge`` — for ``lag_without_bridge``.
    """

    volume: Volume
    flow: FlowRate
    duration: Duration
    old_drug_delivered: Mass
    lag_without_bridge: Duration
    dose_during_lag_without_bridge: DoseRate


def bridge_bolus(
    *,
    dead_space: Volume,
    old_concentration: Concentration,
    old_daily_dose: DoseRate,
    new_concentration: Concentration,
    new_daily_dose: DoseRate,
) -> BridgeBolus:
    """Plan the bridge that keeps the dose at the tip continuous across a concentration change.

    Flow during the bridge = old dose ÷ old concentration; its volume is the dead space (pump path
    plus catheter), so the old drug leaves the tip at the old dose rate until the new admixture
    arrives. Without a bridge the new flow (new dose ÷ new concentration) pushes old fluid, giving
    new flow × old concentration at the tip for dead space ÷ new flow.
    """
    old_flow = flow_for(old_daily_dose, old_concentration)
    new_flow = flow_for(new_daily_dose, new_concentration)
    return BridgeBolus(
        volume=dead_space,
        flow=old_flow,
        duration=tip_lag(dead_space, old_flow),
        old_drug_delivered=dead_space * old_concentration,
        lag_without_bridge=tip_lag(dead_space, new_flow),
        dose_during_lag_without_bridge=new_flow * old_concentration,
    )
