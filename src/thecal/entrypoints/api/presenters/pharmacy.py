"""A verification request → the pharmacy label, and a verification → its API document."""

from __future__ import annotations

from thecal.domain.admixture import Admixture, Component
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_volume,
)
from thecal.domain.refill import PharmacyLabel
from thecal.domain.units import plain
from thecal.entrypoints.api.presenters.pumps import components_public
from thecal.entrypoints.api.presenters.quantities import quantity
from thecal.entrypoints.api.schemas.pharmacy import (
    PharmacyVerificationCreate,
    PharmacyVerificationPublic,
)
from thecal.services.repositories.pharmacy import PharmacyVerification

__all__ = [
    "label_of",
    "verification_public",
]


def label_of(body: PharmacyVerificationCreate) -> PharmacyLabel:
    components = tuple(
        Component(
            drug_id=c.drug.strip(),
            concentration=quantity(
                parse_concentration, c.concentration, where=f"drugs.{i}.concentration"
            ),
        )
        for i, c in enumerate(body.drugs)
    )
    return PharmacyLabel(
        admixture=Admixture(components=components),
        volume=quantity(parse_volume, body.volume, where="volume"),
        lot=body.lot,
        beyond_use=body.beyond_use,
    )


def verification_public(verification: PharmacyVerification) -> PharmacyVerificationPublic:
    label = verification.label
    return PharmacyVerificationPublic(
        id=verification.id,
        pump_id=verification.pump_id,
        patient_id=verification.patient_id,
        drugs=components_public(label.admixture),
        volume_ml=plain(label.volume.ml),
        lot=label.lot,
        beyond_use=label.beyond_use,
        verified_by=verification.verified_by,
        verified_at=verification.verified_at,
        used_by_refill_id=verification.used_by_refill_id,
    )
