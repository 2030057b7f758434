"""Refills: volume reconciliation and the refill procedure as a state machine.

Reconciliation (clinical.md §5.2, §11 rule 8, safety.md SR-09). The pump's own count at
interrogation gives the *expected* residual; the nurse empties the reservoir and measures the
*withdrawn* residual (S73, S74). Then:

* discrepancy = expected − measured (a signed Volume);
* since the last fill, programmed = last fill − expected and delivered = last fill − measured;
* flagged when |discrepancy| > the pump model's threshold (> 1 mL for 20 mL pumps, > 2 mL for
  40 mL pumps, S75) or delivered/programmed lies outside 100 ± the model's accuracy band %
  (Prometra 85–115 %, S62; SynchroMed II ±14.5 % [U], with +2.5 % mean per-refill bias, S46);
* less withdrawn than expected → over-delivery, a leak, or a pocket fill at the previous refill
  (S77); more withdrawn than expected → under-delivery, a stall or an occlusion (S73, S74, S51);
  an entry error is possible either way (S73).

Procedure::

    OPENED ─interrogate─▶ INTERROGATED ─withdraw─▶ WITHDRAWN ─verify_admixture─▶ ADMIXTURE_VERIFIED
      ─inject_test_volume─▶ INJECTED ─record_aspiration(returned)─▶ ASPIRATION_CONFIRMED
      ─complete_pocket_fill_checklist─▶ POCKET_FILL_CHECKED ─complete─▶ COMPLETED
    any open step ─halt─▶ HALTED;  record_aspiration(not returned) ─▶ HALTED (pocket-fill watch)

The ~5 mL of new drug is injected and aspirated back before the rest is instilled (S74); a negative
aspiration stops the refill. The pocket-fill checklist (S74, S77, S84) must be all "yes" before
completion; anything else is a reason to ``halt``. ``version`` increases on every state change.

One concept per module: :mod:`.reconciliation` (expected vs withdrawn residual),
:mod:`.dispensing` (the pharmacy label and the three-way match), :mod:`.pocket_fill` (the
post-injection checklist), :mod:`.procedure` (the ``Refill`` aggregate and its states) and
:mod:`.errors` (``THC-PATH-020``…``025``). Import the public names from this package.
"""

from __future__ import annotations

from thecal.domain.refill.bedside import BedsideReadings
from thecal.domain.refill.dispensing import PharmacyLabel, label_difference
from thecal.domain.refill.errors import (
    AboveReservoirCapacity,
    AdmixtureMismatch,
    BeyondUseDatePassed,
    LabelNotTheOrder,
    PocketFillChecklistIncomplete,
    RefillStateError,
)
from thecal.domain.refill.pocket_fill import PocketFillChecklist
from thecal.domain.refill.procedure import Refill, RefillState
from thecal.domain.refill.reconciliation import (
    DiscrepancyCause,
    Reconciliation,
    ReconciliationVerdict,
    reconcile,
)

__all__ = [
    "AboveReservoirCapacity",
    "AdmixtureMismatch",
    "BedsideReadings",
    "BeyondUseDatePassed",
    "DiscrepancyCause",
    "LabelNotTheOrder",
    "PharmacyLabel",
    "PocketFillChecklist",
    "PocketFillChecklistIncomplete",
    "Reconciliation",
    "ReconciliationVerdict",
    "Refill",
    "RefillState",
    "RefillStateError",
    "label_difference",
    "reconcile",
]
