"""What the pharmacy dispensed, and the three-way match that guards it (SR-08, clinical.md §11 rule 9).

The pharmacist checks the :class:`PharmacyLabel` (drug, concentration, volume, lot, beyond-use
date) against the order; at the bedside the lot must be the verified one; the program the pump runs
after the refill must carry the verified admixture. A lot past its beyond-use date is never filled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.actors import require_aware, require_text
from thecal.domain.admixture import Admixture
from thecal.domain.quantity_display import in_drug_unit
from thecal.domain.refill.errors import AdmixtureMismatch, BeyondUseDatePassed, LabelNotTheOrder
from thecal.domain.units import Volume

__all__ = [
    "PharmacyLabel",
    "check_against_order",
    "check_bedside_lot",
    "check_beyond_use",
    "check_program_admixture",
    "label_difference",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PharmacyLabel:
    """What the pharmacy dispensed: admixture, volume, lot and beyond-use date."""

    admixture: Admixture
    volume: Volume
    lot: str
    beyond_use: dt.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "lot", require_text(self.lot, name="lot"))
        require_aware(self.beyond_use, name="beyond-use date")


def check_against_order(label: PharmacyLabel, *, admixture: Admixture, volume: Volume) -> None:
    """The dispensed drug, concentration and volume must equal the order.

    Raises:
        AdmixtureMismatch: drug/concentration or volume differ from the order.
    """
    if label.admixture != admixture:
        raise AdmixtureMismatch(
            what="dispensed drug/concentration",
            expected=admixture.describe(),
            got=label.admixture.describe(),
        )
    if label.volume != volume:
        raise AdmixtureMismatch(what="dispensed volume", expected=volume, got=label.volume)


def check_bedside_lot(label: PharmacyLabel, lot: str) -> None:
    """The lot at the bedside must be the verified one.

    Raises:
        AdmixtureMismatch: another lot.
    """
    if lot.strip() != label.lot:
        raise AdmixtureMismatch(what="lot at the bedside", expected=label.lot, got=lot.strip())


def check_program_admixture(label: PharmacyLabel, admixture: Admixture) -> None:
    """The program the pump runs after the refill must carry the verified admixture.

    Raises:
        AdmixtureMismatch: another admixture.
    """
    if admixture != label.admixture:
        raise AdmixtureMismatch(
            what="program admixture",
            expected=label.admixture.describe(),
            got=admixture.describe(),
        )


def check_beyond_use(label: PharmacyLabel, at: dt.datetime) -> None:
    """Refuse a lot past its beyond-use date at ``at``.

    Raises:
        BeyondUseDatePassed: ``at`` is after the label's beyond-use date.
    """
    if at > label.beyond_use:
        raise BeyondUseDatePassed(
            lot=label.lot, beyond_use=label.beyond_use.isoformat(), at=at.isoformat()
        )


def label_difference(label: Admixture, order: Admixture) -> LabelNotTheOrder | None:
    """The first field in which a typed label's admixture differs from the order, named for the
    pharmacist ("morphine concentration: the label says morphine 20 mg/mL, the order is morphine
    25 mg/mL"); None when they are the same admixture."""
    if label == order:
        return None
    if label.primary.drug_id != order.primary.drug_id:
        return LabelNotTheOrder(
            field="drug", label=label.primary.drug_id, order=order.primary.drug_id
        )
    for wanted in order.components:
        typed = label.concentration_of(wanted.drug_id)
        if typed is None:
            return LabelNotTheOrder(
                field=f"{wanted.drug_id}",
                label=f"no {wanted.drug_id}",
                order=f"{wanted.drug_id} {in_drug_unit(wanted.concentration, wanted.drug_id)}",
            )
        if typed != wanted.concentration:
            return LabelNotTheOrder(
                field=f"{wanted.drug_id} concentration",
                label=f"{wanted.drug_id} {typed}",
                order=f"{wanted.drug_id} {in_drug_unit(wanted.concentration, wanted.drug_id)}",
            )
    extra = next(c for c in label.components if order.concentration_of(c.drug_id) is None)
    return LabelNotTheOrder(
        field=f"{extra.drug_id}",
        label=f"{extra.drug_id} {in_drug_unit(extra.concentration, extra.drug_id)}",
        order=f"no {extra.drug_id} ({order.describe()})",
    )
