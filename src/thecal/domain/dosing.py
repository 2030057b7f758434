"""Dosing maths: flow ↔ dose, pump flow limits, priming and bridge boluses.

Pure functions on exact quantities. Each states its formula and source.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from thecal.domain.admixture import Admixture
from thecal.domain.devices import PumpModel
from thecal.domain.errors import (
    DosingImpossible,
    FlowAbovePumpMaximum,
    FlowBelowPumpMinimum,
    ValueOutOfRange,
)
from thecal.domain.quantity_display import drug_unit
from thecal.domain.quantity_text import format_quantity
from thecal.domain.units import Concentration, DoseRate, Duration, FlowRate, Mass, Volume

__all__ = [
    "BridgeBolus",
    "PrimingBolus",
    "PrimingMode",
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
    daily_dose: DoseRate,
    concentration: Concentration,
    pump: PumpModel,
    *,
    drug_id: str | None = None,
) -> FlowRate:
    """Return the flow for this dose, or refuse it with the numbers and the way out.

    A non-zero flow below the pump model's minimum (SynchroMed II: 0.048 mL/day, S12) cannot be
    programmed; the way out is a lower concentration (dose ÷ minimum flow). A flow above the
    maximum needs a higher concentration. Zero (a stopped pump) is allowed.

    The refusal writes the doses and concentrations in the display unit of ``drug_id`` (the
    drug library's mg or mcg) when it is given, exactly as computed.

    Raises:
        FlowBelowPumpMinimum, FlowAbovePumpMaximum: with dose, concentration, flow and limits.
    """
    flow = flow_for(daily_dose, concentration)
    unit = None if drug_id is None else drug_unit(drug_id)

    def text(quantity: DoseRate | Concentration) -> str:
        return format_quantity(quantity, mass=unit)

    minimum, maximum = pump.min_flow.value, pump.max_flow.value
    if 0 < flow.value < minimum.value:
        raise FlowBelowPumpMinimum(
            daily_dose=text(daily_dose),
            concentration=text(concentration),
            flow=flow,
            pump=pump.name,
            minimum=f"{minimum} ({pump.min_flow.cite()})",
            lowest_dose=text(minimum * concentration),
            max_concentration=text(daily_dose / minimum),
        )
    if flow > maximum:
        raise FlowAbovePumpMaximum(
            daily_dose=text(daily_dose),
            concentration=text(concentration),
            flow=flow,
            pump=pump.name,
            maximum=f"{maximum} ({pump.max_flow.cite()})",
            min_concentration=text(daily_dose / maximum),
        )
    return flow


class PrimingMode(Enum):
    """What a priming bolus has to fill (S53 [C]).

    * ``after-implant``: the pump's internal path and the new catheter both hold no drug.
    * ``after-catheter-revision``: only the new (or re-connected) catheter is empty; the pump path
      still holds the admixture, so priming it again would push that drug out as a bolus.
    """

    AFTER_IMPLANT = "after-implant"
    AFTER_CATHETER_REVISION = "after-catheter-revision"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrimingBolus:
    """Volume that fills the empty part of the fluid path, and the drug that volume holds.

    ``volume`` is what to prime: catheter + pump path after an implant, the catheter alone after a
    catheter revision. The priming volume carries ``drug_in_volume`` of each component into the
    dead space; it displaces saline or CSF and reaches the tip only as the bolus ends, but mixing
    at priming rates can bring some of it early (S53). Priming more than ``volume`` pushes drug
    past the tip: :meth:`pushed_past_tip` says how much.
    """

    catheter_volume: Volume
    pump_internal_volume: Volume
    mode: PrimingMode = PrimingMode.AFTER_IMPLANT
    admixture: Admixture | None = None

    @property
    def volume(self) -> Volume:
        if self.mode is PrimingMode.AFTER_CATHETER_REVISION:
            return self.catheter_volume
        return self.catheter_volume + self.pump_internal_volume

    @property
    def drug_in_volume(self) -> dict[str, Mass]:
        """Drug of each component in the priming volume (concentration × volume); empty without
        an admixture."""
        return self.admixture.amounts_in(self.volume) if self.admixture else {}

    def pushed_past_tip(self, primed: Volume) -> dict[str, Mass]:
        """Drug delivered as a bolus at the tip when ``primed`` exceeds the volume to fill."""
        if self.admixture is None or primed <= self.volume:
            return {}
        return self.admixture.amounts_in(primed - self.volume)


def priming_bolus(
    *,
    catheter_volume: Volume,
    pump_internal_volume: Volume,
    mode: PrimingMode = PrimingMode.AFTER_IMPLANT,
    admixture: Admixture | None = None,
) -> PrimingBolus:
    """The priming bolus for ``mode`` (S53 [C]).

    After an implant: catheter dead space + pump internal path. After a catheter revision: the
    catheter dead space only — the pump path is still full of drug. Give it under supervision:
    mixing at priming rates can bring drug early and a dilute period after it (S53).

    Args:
        catheter_volume: the implanted catheter's dead space (measured, or length × volume/cm).
        pump_internal_volume: the pump model's internal path volume.
        mode: what is empty (see :class:`PrimingMode`).
        admixture: the reservoir contents, to state the drug the priming volume holds.

    Raises:
        ValueOutOfRange: a negative volume.
    """
    for name, volume in (("catheter", catheter_volume), ("pump path", pump_internal_volume)):
        if volume.value < 0:
            raise ValueOutOfRange(name=f"{name} dead-space volume", expected="≥ 0", value=volume)
    return PrimingBolus(
        catheter_volume=catheter_volume,
        pump_internal_volume=pump_internal_volume,
        mode=mode,
        admixture=admixture,
    )


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
    if old_flow.value == 0:
        raise DosingImpossible(
            detail=(
                f"the old program delivers {old_daily_dose}: there is no dose rate to bridge. A "
                "start or restart fills the dead space with a priming bolus instead (S53): "
                "thecal calc priming"
            )
        )
    if new_flow.value == 0:
        raise DosingImpossible(
            detail=(
                f"the new program delivers {new_daily_dose}: a stopped pump needs no bridge; "
                "the dead space keeps the old admixture until the pump restarts"
            )
        )
    return BridgeBolus(
        volume=dead_space,
        flow=old_flow,
        duration=tip_lag(dead_space, old_flow),
        old_drug_delivered=dead_space * old_concentration,
        lag_without_bridge=tip_lag(dead_space, new_flow),
        dose_during_lag_without_bridge=new_flow * old_concentration,
    )
