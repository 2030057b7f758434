"""Program changes: the proposal, signature, co-signature and sending, and the change as answered."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.entrypoints.api.schemas.auth import OneTimeCode
from thecal.entrypoints.api.schemas.fields import (
    Digest,
    IdempotencyKey,
    In,
    Out,
    Password,
    QuantityText,
    Version,
    text_rule,
)
from thecal.entrypoints.api.schemas.findings import FindingCode, FindingPublic, OverrideIn

__all__ = [
    "CoSignatureCreate",
    "DiffEntryPublic",
    "ProgramChangeCreate",
    "ProgramChangeProposalPublic",
    "ProgramChangePublic",
    "ProgramChangesPublic",
    "SendingCreate",
    "SignatureCreate",
    "SignaturePublic",
    "TransitionPublic",
]


class ProgramChangeCreate(In):
    """A new continuous daily dose; the admixture, patient bolus and alarm stay as on the pump."""

    daily_dose: QuantityText = Field(description='The new daily dose, e.g. "5.5 mg/day".')
    rationale: Annotated[str, text_rule(2000)] = ""
    idempotency_key: IdempotencyKey | None = Field(
        default=None,
        json_schema_extra={"deprecated": True},  # documented only: the field still works
        description="Deprecated: send the Idempotency-Key header (the same value if both).",
    )


class SignatureCreate(In):
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


class CoSignatureCreate(In):
    password: Password
    one_time_code: OneTimeCode | None = Field(
        default=None,
        description="Your authenticator's current code: required once you have enrolled one.",
    )
    diff_digest: Digest


class SendingCreate(In):
    expected_pump_version: Version


class DiffEntryPublic(Out):
    parameter: str
    old: str
    new: str
    changed: bool


class SignaturePublic(Out):
    user_id: str
    role: str
    at: dt.datetime


class TransitionPublic(Out):
    """One step of the record's history: who did what, when, from which state to which."""

    action: str
    from_state: str = Field(description="Empty for the first step (the record was created).")
    to_state: str
    user_id: str
    at: dt.datetime
    version: int


class ProgramChangePublic(Out):
    id: str
    patient_id: str
    state: str
    version: int
    proposed_by: str
    proposed_at: dt.datetime
    signed_at: dt.datetime | None
    co_signed_at: dt.datetime | None
    sent_at: dt.datetime | None = Field(description="The last write to the pump (any outcome).")
    acknowledged_at: dt.datetime | None = Field(
        description="The last write the pump acknowledged (null: none was)."
    )
    confirmed_at: dt.datetime | None = Field(
        description="The interrogation that showed the pump runs the new program."
    )
    effective_from: dt.datetime | None = Field(
        description=(
            "When the pump started running the new program: the send an interrogation "
            "confirmed (null until confirmed)."
        )
    )
    history: list[TransitionPublic] = Field(description="Every step, oldest first.")
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


class ProgramChangesPublic(Out):
    items: list[ProgramChangePublic]
    total: int
    limit: int
    offset: int
