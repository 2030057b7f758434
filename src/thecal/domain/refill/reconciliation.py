"""Refill reconciliation: the residual the pump expects vs the residual actually withdrawn.

clinical.md §5.2, §11 rule 8, safety.md SR-09. The pump's own count at interrogation gives the
*expected* residual; the nurse empties the reservoir and measures the *withdrawn* residual (S73,
S74). Then:

* discrepancy = expected − measured (a signed Volume);
* since the last fill, programmed = last fill − expected and delivered = last fill − measured;
* flagged when |discrepancy| > the pump model's threshold (> 1 mL for 20 mL pumps, > 2 mL for
  40 mL pumps, S75) or delivered/programmed lies outside 100 ± the model's accuracy band %
  (Prometra 85–115 %, S62; SynchroMed II ±14.5 % [U], with +2.5 % mean per-refill bias, S46);
* less withdrawn than expected → over-delivery, a leak, or a pocket fill at the previous refill
  (S77); more withdrawn than expected → under-delivery, a stall or an occlusion (S73, S74, S51);
  an entry error is possible either way (S73).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from thecal.domain.devices import PumpModel
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.quantity_display import shown
from thecal.domain.units import Volume

__all__ = ["DiscrepancyCause", "Reconciliation", "ReconciliationVerdict", "reconcile"]

_ZERO = Volume(Decimal(0))
_HUNDRED = Decimal(100)


class ReconciliationVerdict(StrEnum):
    WITHIN = "within"
    LESS_WITHDRAWN_THAN_EXPECTED = "less-withdrawn-than-expected"
    MORE_WITHDRAWN_THAN_EXPECTED = "more-withdrawn-than-expected"


class DiscrepancyCause(StrEnum):
    OVER_DELIVERY = "over-delivery"
    LEAK = "leak"
    POCKET_FILL_AT_PREVIOUS_REFILL = "pocket fill at the previous refill"
    UNDER_DELIVERY = "under-delivery"
    STALL = "stall"
    OCCLUSION = "occlusion"
    ENTRY_ERROR = "entry error"


_LESS_CAUSES = (
    DiscrepancyCause.OVER_DELIVERY,
    DiscrepancyCause.LEAK,
    DiscrepancyCause.POCKET_FILL_AT_PREVIOUS_REFILL,
    DiscrepancyCause.ENTRY_ERROR,
)
_MORE_CAUSES = (
    DiscrepancyCause.UNDER_DELIVERY,
    DiscrepancyCause.STALL,
    DiscrepancyCause.OCCLUSION,
    DiscrepancyCause.ENTRY_ERROR,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconciliation:
    """Expected vs withdrawn residual, judged against the pump model's threshold and band."""

    expected_residual: Volume
    measured_residual: Volume
    discrepancy: Volume  # expected − measured; > 0 means less came back than the pump counted
    threshold: Volume
    programmed: Volume  # since the last fill, by the pump's count
    delivered: Volume  # since the last fill, by the measured residual
    delivered_pct: Decimal | None  # delivered ÷ programmed × 100; None when nothing was programmed
    band_pct: Decimal
    exceeds_threshold: bool
    outside_band: bool
    verdict: ReconciliationVerdict
    possible_causes: tuple[DiscrepancyCause, ...]

    @property
    def flagged(self) -> bool:
        return self.verdict is not ReconciliationVerdict.WITHIN

    @property
    def reservoir_was_empty(self) -> bool:
        """A dry reservoir makes needle-placement confirmation unreliable (S84)."""
        return self.measured_residual.value == 0

    def describe(self) -> str:
        pct = "n/a" if self.delivered_pct is None else f"{self.delivered_pct:.1f} %"
        return (
            f"expected {shown(self.expected_residual)}, withdrawn {shown(self.measured_residual)}: "
            f"discrepancy {shown(self.discrepancy)} (threshold {shown(self.threshold)}); "
            f"delivered {pct} of programmed "
            f"(band ±{self.band_pct} %): {self.verdict.value}"
        )


def reconcile(
    *,
    pump: PumpModel,
    last_fill_volume: Volume,
    expected_residual: Volume,
    measured_residual: Volume,
    threshold: Volume | None = None,
    band_pct: Decimal | None = None,
) -> Reconciliation:
    """Compare the pump's expected residual with the residual actually withdrawn.

    Args:
        pump: the pump model; gives the default threshold (S75) and accuracy band (S62, [U]).
        last_fill_volume: reservoir volume right after the previous refill.
        expected_residual: the pump's own count at this interrogation.
        measured_residual: the volume withdrawn from the reservoir now.
        threshold: clinic override of the model's discrepancy threshold (ClinicPolicy
            ``refill_discrepancy_threshold``); None uses the model's value.
        band_pct: clinic override of the model's accuracy band; None uses the model's value.

    A discrepancy equal to the threshold, or a delivered share exactly on the band edge, is within.

    Raises:
        ValueOutOfRange: a negative volume, an expected or measured residual above the last fill,
            or a last fill above the reservoir capacity.
    """
    capacity = pump.reservoir.value
    for name, volume in (
        ("last fill volume", last_fill_volume),
        ("expected residual", expected_residual),
        ("measured residual", measured_residual),
    ):
        if not _ZERO <= volume <= capacity:
            raise ValueOutOfRange(name=name, expected=f"between 0 mL and {capacity}", value=volume)
    if expected_residual > last_fill_volume or measured_residual > last_fill_volume:
        raise ValueOutOfRange(
            name="residual",
            expected=f"at most the last fill {last_fill_volume}",
            value=max(expected_residual, measured_residual),
        )
    limit = threshold if threshold is not None else pump.discrepancy_threshold.value
    band = band_pct if band_pct is not None else pump.accuracy_band_pct.value
    discrepancy = expected_residual - measured_residual
    programmed = last_fill_volume - expected_residual
    delivered = last_fill_volume - measured_residual
    pct = None if programmed.value == 0 else delivered.value / programmed.value * _HUNDRED
    exceeds = abs(discrepancy) > limit
    outside = pct is not None and abs(pct - _HUNDRED) > band
    verdict = ReconciliationVerdict.WITHIN
    causes: tuple[DiscrepancyCause, ...] = ()
    if exceeds or outside:
        if discrepancy.value > 0:
            verdict, causes = ReconciliationVerdict.LESS_WITHDRAWN_THAN_EXPECTED, _LESS_CAUSES
        else:
            verdict, causes = ReconciliationVerdict.MORE_WITHDRAWN_THAN_EXPECTED, _MORE_CAUSES
    return Reconciliation(
        expected_residual=expected_residual,
        measured_residual=measured_residual,
        discrepancy=discrepancy,
        threshold=limit,
        programmed=programmed,
        delivered=delivered,
        delivered_pct=pct,
        band_pct=band,
        exceeds_threshold=exceeds,
        outside_band=outside,
        verdict=verdict,
        possible_causes=causes,
    )
