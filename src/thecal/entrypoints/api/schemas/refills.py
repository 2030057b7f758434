"""Refills: the request with its pocket-fill checklist, and the refill with its reconciliation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.entrypoints.api.schemas.fields import (
    Flag,
    IdempotencyKey,
    Ident,
    In,
    Out,
    QuantityText,
    Version,
    text_rule,
)
from thecal.entrypoints.api.schemas.findings import FindingPublic
from thecal.entrypoints.api.schemas.program_changes import TransitionPublic

__all__ = [
    "PocketFillChecklistIn",
    "RefillCreate",
    "RefillPublic",
    "RefillsPublic",
]


class PocketFillChecklistIn(In):
    needle_placement_confirmed: Flag
    aspiration_positive: Flag
    no_pocket_swelling_or_pain: Flag
    observed_for_overdose_symptoms: Flag


class RefillCreate(In):
    idempotency_key: IdempotencyKey | None = Field(
        default=None,
        json_schema_extra={"deprecated": True},  # documented only: the field still works
        description="Deprecated: send the Idempotency-Key header (the same value if both).",
    )
    expected_pump_version: Version
    verification_id: Ident
    ordered_volume: QuantityText = Field(description='e.g. "20 mL".')
    lot_at_bedside: Annotated[str, text_rule(60, 1)]
    test_volume: QuantityText = Field(description='Injected and aspirated back first, e.g. "5 mL".')
    aspiration_returned: Flag
    checklist: PocketFillChecklistIn
    withdrawn_as_read: QuantityText | None = Field(
        default=None,
        description=(
            'The residual withdrawn, as the nurse read it off the syringe, e.g. "2.5 mL"; kept '
            "beside the pump's measured residual (a gap beyond the model's threshold: "
            "ITS-REFILL-013)."
        ),
    )
    injected_as_read: QuantityText | None = Field(
        default=None,
        description=(
            'The volume injected, as the nurse read it off the syringe, e.g. "20 mL"; kept beside '
            "the fill recorded on the pump (a gap beyond the model's threshold: ITS-REFILL-013)."
        ),
    )
    program_change_id: Ident | None = Field(
        default=None,
        description=(
            "A co-signed admixture change this refill carries (GET /pumps/{pump_id}/"
            "admixture-changes): the verified syringe holds its new admixture, and its program is "
            "sent behind its bridge bolus once the new admixture is in."
        ),
    )


class RefillPublic(Out):
    id: str
    pump_id: str
    patient_id: str
    state: str
    replayed: bool = Field(description="True: this key was used before; this is that refill.")
    opened_at: dt.datetime
    completed_at: dt.datetime | None = Field(description="Null until completed (or if halted).")
    halted_at: dt.datetime | None
    history: list[TransitionPublic] = Field(description="Every step, oldest first.")
    ordered_volume_ml: str
    withdrawn_as_read_ml: str | None = Field(description="As the nurse read it (null: not given).")
    injected_as_read_ml: str | None = Field(description="As the nurse read it (null: not given).")
    expected_residual_ml: str | None = Field(description="Computed: rounded to 0.0001 mL.")
    withdrawn_residual_ml: str | None = Field(description="Measured: rounded to 0.0001 mL.")
    discrepancy_ml: str | None = Field(description="Computed: rounded to 0.0001 mL.")
    discrepancy_threshold_ml: str | None
    verdict: str | None
    possible_causes: list[str]
    findings: list[FindingPublic] = Field(description="Recorded findings, block → info.")
    reservoir_volume_ml: str | None
    next_refill_due: dt.datetime | None = Field(
        description="Null for a halted refill, and on a replay (the pump shows the date)."
    )
    next_refill_binding: str | None = Field(
        description=(
            "The limit that sets next_refill_due: low-reservoir alarm (minus margin), drug "
            "stability, first fill of a naive pump or clinic maximum interval (null with the date)."
        )
    )
    next_refill_detail: str | None = Field(description="That limit's numbers and source.")
    refill_margin_days: str | None = Field(
        description="The clinic's margin before the projected low-reservoir alarm (7 by default)."
    )
    halt_reason: str | None
    program_change_id: str | None = Field(
        description="The admixture change this refill injected and sent (null for a plain refill)."
    )
    version: int


class RefillsPublic(Out):
    items: list[RefillPublic]
    total: int
    limit: int
    offset: int
