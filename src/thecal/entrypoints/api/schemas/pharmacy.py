"""A pharmacist's verification of a dispensed admixture (SR-08)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.entrypoints.api.schemas.fields import (
    In,
    IsoInstant,
    Out,
    QuantityText,
    text_rule,
)
from thecal.entrypoints.api.schemas.pumps import ComponentPublic

__all__ = [
    "ComponentIn",
    "PharmacyVerificationCreate",
    "PharmacyVerificationPublic",
]


class ComponentIn(In):
    drug: Annotated[str, text_rule(100, 1)]
    concentration: QuantityText = Field(description='e.g. "25 mg/mL".')


class PharmacyVerificationCreate(In):
    """The dispensed syringe's label, checked against the admixture of the pump's program."""

    drugs: list[ComponentIn] = Field(min_length=1, max_length=6)
    volume: QuantityText = Field(description='e.g. "20 mL".')
    lot: Annotated[str, text_rule(60, 1)]
    beyond_use: IsoInstant


class PharmacyVerificationPublic(Out):
    id: str
    pump_id: str
    patient_id: str
    drugs: list[ComponentPublic]
    volume_ml: str
    lot: str
    beyond_use: dt.datetime
    verified_by: str
    verified_at: dt.datetime
    used_by_refill_id: str | None
