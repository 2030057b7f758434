"""Pydantic DTOs of the device side: pumps, interrogations, program changes, pharmacy, refills.

Quantities in requests are text with their unit (``"5.5 mg/day"``, ``"25 mg/mL"``, ``"20 mL"``),
read by the strict parser (``domain/quantity_text.py``): a bare number, a naked decimal or the
wrong kind of quantity is refused with its own code. In answers the unit is in the field name
(``reservoir_estimate_ml``) and the value an exact decimal string; nothing here is a float.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from thecal.entrypoints.api.schemas import (
    FindingCode,
    FindingPublic,
    Flag,
    Ident,
    IsoInstant,
    OneTimeCode,
    OverrideIn,
    Whole,
    text_rule,
)

__all__ = [
    "CoSignatureCreate",
    "ComponentIn",
    "ComponentPublic",
    "DeviceEventPublic",
    "DiffEntryPublic",
    "FindingPublic",
    "IdempotencyKey",
    "InterrogationPublic",
    "OverrideIn",
    "PatientBolusPublic",
    "PharmacyVerificationCreate",
    "PharmacyVerificationPublic",
    "PocketFillChecklistIn",
    "ProgramChangeCreate",
    "ProgramChangeProposalPublic",
    "ProgramChangePublic",
    "ProgramChangesPublic",
    "ProgramPublic",
    "PumpPublic",
    "PumpSummaryPublic",
    "PumpsPublic",
    "QuantityText",
    "RefillCreate",
    "RefillPublic",
    "RefillsPublic",
    "ResolvedChangePublic",
    "SendingCreate",
    "SignatureCreate",
    "SignaturePublic",
]

#: A quantity with its unit, parsed strictly at the edge ("20 mL", never "20" or ".5 mL").
QuantityText = Annotated[str, text_rule(40, 1)]
#: A client-chosen key that makes a retried request return the first result.
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{8,100}$")]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Version = Annotated[Whole, Field(ge=1, le=1_000_000_000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- answers: pumps


class ComponentPublic(_Out):
    drug: str
    concentration: str = Field(description='With its unit, e.g. "25 mg/mL".')


class PatientBolusPublic(_Out):
    dose: str
    duration: str
    lockout: str
    max_per_day: int


class ProgramPublic(_Out):
    mode: str
    admixture: list[ComponentPublic]
    daily_dose: str = Field(description='The primary drug\'s basal daily dose, e.g. "5 mg/day".')
    flow: str
    patient_bolus: PatientBolusPublic | None
    low_reservoir_alarm_ml: str | None
    parameters: list[list[str]] = Field(
        description="Every parameter as [name, display text], in the order of the diff."
    )


class DeviceEventPublic(_Out):
    at: dt.datetime
    code: str
    detail: str
    priority: str | None


class PumpSummaryPublic(_Out):
    id: str
    patient_id: str
    model_id: str
    serial: str
    implanted_at: dt.datetime
    state: str
    version: int


class PumpsPublic(_Out):
    items: list[PumpSummaryPublic]
    total: int
    limit: int
    offset: int


class PumpPublic(_Out):
    id: str
    patient_id: str
    model_id: str
    serial: str
    implanted_at: dt.datetime
    catheter_model_id: str
    catheter_length_cm: str
    catheter_tip_level: str
    admixture: list[ComponentPublic]
    program: ProgramPublic
    program_since: dt.datetime
    last_fill_volume_ml: str
    last_filled_at: dt.datetime
    reservoir_estimate_ml: str = Field(
        description=(
            "By the record: the last fill less the recorded basal flow since (no boluses, no "
            "device error). Interrogate for the pump's own count."
        )
    )
    reservoir_estimate_at: dt.datetime
    next_refill_due: dt.datetime | None
    alarms: list[DeviceEventPublic] = Field(description="The latest logged alarms, newest first.")
    state: str
    version: int = Field(description="Send as expected_pump_version when you change the pump.")


class ResolvedChangePublic(_Out):
    id: str
    state: str


class InterrogationPublic(_Out):
    pump_id: str
    serial: str
    at: dt.datetime
    program: ProgramPublic | None = Field(description="What the pump runs (null: none readable).")
    reservoir_estimate_ml: str
    delivered_since_refill_ml: str
    low_reservoir_alarm_ml: str
    delivering: bool
    alarms: list[list[str]] = Field(description="Active alarms as [code, priority].")
    battery: str
    eri_at: dt.datetime | None
    end_of_service_at: dt.datetime | None
    events: list[DeviceEventPublic] = Field(description="Events since the last interrogation.")
    patient_boluses: list[DeviceEventPublic]
    resolved_changes: list[ResolvedChangePublic] = Field(
        description="Sent program changes this interrogation settled (confirmed, not delivered…)."
    )
    pump_version: int


# ----------------------------------------------------------------------------- program changes


class ProgramChangeCreate(_In):
    """A new continuous daily dose; the admixture, patient bolus and alarm stay as on the pump."""

    daily_dose: QuantityText = Field(description='The new daily dose, e.g. "5.5 mg/day".')
    rationale: Annotated[str, text_rule(2000)] = ""
    idempotency_key: IdempotencyKey | None = Field(
        default=None, description="Or the Idempotency-Key header (the same value if both)."
    )


class SignatureCreate(_In):
    password: Password = Field(
        description="Your password again: the signature's re-authentication."
    )
    one_time_code: OneTimeCode | None = Field(
        default=None,
        description="Your authenticator's current code: required once you have enrolled one.",
    )
    diff_digest: Digest = Field(description="The diff_digest of the change you were shown.")
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=50)
    acknowledged_warnings: list[FindingCode] = Field(default_factory=list, max_length=50)


class CoSignatureCreate(_In):
    password: Password
    one_time_code: OneTimeCode | None = Field(
        default=None,
        description="Your authenticator's current code: required once you have enrolled one.",
    )
    diff_digest: Digest


class SendingCreate(_In):
    expected_pump_version: Version


class DiffEntryPublic(_Out):
    parameter: str
    old: str
    new: str
    changed: bool


class SignaturePublic(_Out):
    user_id: str
    role: str
    at: dt.datetime


class ProgramChangePublic(_Out):
    id: str
    patient_id: str
    state: str
    version: int
    proposed_by: str
    proposed_at: dt.datetime
    rationale: str
    diff: list[DiffEntryPublic] = Field(description="Every parameter, old and new (SR-16).")
    diff_digest: str = Field(description="Send it back when you sign or co-sign this diff.")
    findings: list[FindingPublic] = Field(description="Safety findings, block → info.")
    signature: SignaturePublic | None
    co_signature: SignaturePublic | None
    overrides: list[OverrideIn]
    send_outcomes: list[str]


class ProgramChangeProposalPublic(ProgramChangePublic):
    """The answer to a proposal: the change, and whether this key had already proposed it."""

    replayed: bool = Field(description="True: this key was used before; this is that change.")


class ProgramChangesPublic(_Out):
    items: list[ProgramChangePublic]
    total: int
    limit: int
    offset: int


# ----------------------------------------------------------------------------- pharmacy


class ComponentIn(_In):
    drug: Annotated[str, text_rule(100, 1)]
    concentration: QuantityText = Field(description='e.g. "25 mg/mL".')


class PharmacyVerificationCreate(_In):
    """The dispensed syringe's label, checked against the admixture of the pump's program."""

    drugs: list[ComponentIn] = Field(min_length=1, max_length=6)
    volume: QuantityText = Field(description='e.g. "20 mL".')
    lot: Annotated[str, text_rule(60, 1)]
    beyond_use: IsoInstant


class PharmacyVerificationPublic(_Out):
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


# ----------------------------------------------------------------------------- refills


class PocketFillChecklistIn(_In):
    needle_placement_confirmed: Flag
    aspiration_positive: Flag
    no_pocket_swelling_or_pain: Flag
    observed_for_overdose_symptoms: Flag


class RefillCreate(_In):
    idempotency_key: IdempotencyKey | None = Field(
        default=None, description="Or the Idempotency-Key header (the same value if both)."
    )
    expected_pump_version: Version
    verification_id: Ident
    ordered_volume: QuantityText = Field(description='e.g. "20 mL".')
    lot_at_bedside: Annotated[str, text_rule(60, 1)]
    test_volume: QuantityText = Field(description='Injected and aspirated back first, e.g. "5 mL".')
    aspiration_returned: Flag
    checklist: PocketFillChecklistIn


class RefillPublic(_Out):
    id: str
    pump_id: str
    patient_id: str
    state: str
    replayed: bool = Field(description="True: this key was used before; this is that refill.")
    ordered_volume_ml: str
    expected_residual_ml: str | None
    withdrawn_residual_ml: str | None
    discrepancy_ml: str | None
    discrepancy_threshold_ml: str | None
    verdict: str | None
    possible_causes: list[str]
    findings: list[FindingPublic] = Field(description="Recorded findings, block → info.")
    reservoir_volume_ml: str | None
    next_refill_due: dt.datetime | None = Field(
        description="Null for a halted refill, and on a replay (the pump shows the date)."
    )
    halt_reason: str | None
    version: int


class RefillsPublic(_Out):
    items: list[RefillPublic]
    total: int
    limit: int
    offset: int
