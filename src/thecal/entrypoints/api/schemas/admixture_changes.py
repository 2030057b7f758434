"""An admixture change at a refill: the new admixture, its daily dose and the bridge decision."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from thecal.entrypoints.api.schemas.fields import (
    Flag,
    IdempotencyKey,
    In,
    QuantityText,
    text_rule,
)
from thecal.entrypoints.api.schemas.pharmacy import ComponentIn

__all__ = ["AdmixtureChangeCreate"]


class AdmixtureChangeCreate(In):
    """A concentration change, drug rotation or adjuvant added/removed, sent at the refill that
    injects the new admixture. The first drug is the primary one: its daily dose sets the flow."""

    drugs: list[ComponentIn] = Field(min_length=1, max_length=6)
    daily_dose: QuantityText = Field(
        description='The primary drug\'s daily dose in its unit, e.g. "5 mg/day" or "150 mcg/day".'
    )
    bridge: Flag = Field(
        description=(
            "True: a bridge bolus pushes the old admixture out of the dead space at its old dose. "
            "False: the diff states the under- or overdose at the tip and how long it lasts."
        )
    )
    rationale: Annotated[str, text_rule(2000)] = ""
    idempotency_key: IdempotencyKey | None = Field(
        default=None,
        json_schema_extra={"deprecated": True},  # documented only: the field still works
        description="Deprecated: send the Idempotency-Key header (the same value if both).",
    )
