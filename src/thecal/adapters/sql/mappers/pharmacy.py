"""Rows ↔ pharmacy verifications (``tables/pharmacy.py``), and a pharmacy label as a JSON dict
(the label a refill stores).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from thecal.adapters.program_codec import (
    admixture_from_dict,
    admixture_to_dict,
    decode_admixture,
    encode_admixture,
)
from thecal.adapters.sql.mappers.instants import instant, iso_text
from thecal.domain.refill import PharmacyLabel
from thecal.domain.units import Volume, plain
from thecal.services.repositories.pharmacy import PharmacyVerification

__all__ = [
    "label_from_dict",
    "label_to_dict",
    "verification_from_row",
    "verification_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def label_to_dict(label: PharmacyLabel) -> dict[str, Any]:
    return {
        "admixture": admixture_to_dict(label.admixture),
        "volume_ml": plain(label.volume.value),
        "lot": label.lot,
        "beyond_use": iso_text(label.beyond_use),
    }


def label_from_dict(d: Mapping[str, Any]) -> PharmacyLabel:
    return PharmacyLabel(
        admixture=admixture_from_dict(d["admixture"]),
        volume=Volume(Decimal(d["volume_ml"])),
        lot=d["lot"],
        beyond_use=instant(d["beyond_use"]),
    )


def verification_to_row(v: PharmacyVerification) -> dict[str, Any]:
    primary = v.label.admixture.primary
    return {
        "id": v.id,
        "pump_id": v.pump_id,
        "patient_id": v.patient_id,
        "admixture_json": encode_admixture(v.label.admixture),
        "primary_drug_id": primary.drug_id,
        "primary_concentration_mcg_per_ml": primary.concentration.value,
        "volume_ml": v.label.volume.value,
        "lot": v.label.lot,
        "beyond_use_at": v.label.beyond_use,
        "verified_by": v.verified_by,
        "verified_at": v.verified_at,
        "used_by_refill_id": v.used_by_refill_id,
        "voided_reason": v.voided_reason,
        "voided_at": v.voided_at,
        "voided_by": v.voided_by,
        "version": v.version,
    }


def verification_from_row(row: Row) -> PharmacyVerification:
    return PharmacyVerification(
        id=row["id"],
        pump_id=row["pump_id"],
        patient_id=row["patient_id"],
        label=PharmacyLabel(
            admixture=decode_admixture(row["admixture_json"]),
            volume=Volume(Decimal(row["volume_ml"])),
            lot=row["lot"],
            beyond_use=row["beyond_use_at"],
        ),
        verified_by=row["verified_by"],
        verified_at=row["verified_at"],
        used_by_refill_id=row["used_by_refill_id"],
        voided_reason=row["voided_reason"],
        voided_at=row["voided_at"],
        voided_by=row["voided_by"],
        version=int(row["version"]),
    )
