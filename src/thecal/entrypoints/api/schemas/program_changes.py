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
    "ClinicianBolusIn",
    "CoSignatureCreate",
    "DiffEntryPublic",
    "PatientBolusIn",
    "ProgramChangeCreate",
    "ProgramChangeProposalPublic",
    "ProgramChangePublic",
    "ProgramChangesPublic",
    "SendingCreate",
    "SignatureCreate",
    "SignaturePublic",
    "TransitionPublic",
    "WithdrawalCreate",
]


class PatientBolusIn(In):
    """Patient-activated bolus settings, each with its unit (the dose in the drug's unit)."""

    dose: QuantityText = Field(description='In the drug\'s unit, e.g. "25 mcg" for baclofen.')
    duration: QuantityText = Field(description='e.g. "10 min".')
    lockout: QuantityText = Field(description='e.g. "4 h".')
    max_per_day: int = Field(ge=1, le=99, description="Maximum boluses per 24 h.")


class ClinicianBolusIn(In):
    """A clinician bolus, each quantity with its unit (the dose in the drug's unit)."""

    dose: QuantityText = Field(description='In the drug\'s unit, e.g. "0.5 mg" for morphine.')
    duration: QuantityText = Field(description='Over how long it is delivered, e.g. "10 min".')
    every: QuantityText | None = Field(
        default=None,
        description='Periodic bolus only: the interval, e.g. "6 h" (at least the duration).',
    )
    first_after: QuantityText | None = Field(
        default=None,
        description='Periodic bolus only: the delay before the first one, e.g. "2 h" '
        "(left out: when the program is sent).",
    )


class ProgramChangeCreate(In):
    """A new program for the pump's admixture: one daily dose, flex steps (over a day, or a week
    where the pump model runs one), a periodic or a single clinician bolus; the patient bolus
    and the low-reservoir alarm as given, or as on the pump when left out. Every dose is in the
    primary drug's library unit (mcg/day for baclofen, ziconotide, clonidine, fentanyl,
    sufentanil; mg/day for morphine, hydromorphone, bupivacaine); the other unit is refused
    (THC-PATH-090)."""

    daily_dose: QuantityText | None = Field(
        default=None,
        description='The new continuous daily dose, e.g. "5.5 mg/day" or "50 mcg/day".',
    )
    steps: list[Annotated[str, text_rule(60, 1)]] = Field(
        default_factory=list,
        max_length=48,
        description='Flex steps "HH:MM=<dose>", the first at 00:00, e.g. "07:00=80 mcg/day"; '
        'over a week every step names its day: "Mon 07:00=80 mcg/day" or '
        '"day 2 07:00=80 mcg/day", the first "Mon 00:00".',
    )
    periodic_bolus: ClinicianBolusIn | None = Field(
        default=None,
        description="A clinician bolus repeated every interval instead of a daily dose, where the "
        "pump model runs one (refused otherwise, THC-PATH-096).",
    )
    single_bolus: ClinicianBolusIn | None = Field(
        default=None,
        description="One clinician bolus (rescue or bridge), after which the pump stops, where "
        "the pump model runs one; no every or first_after.",
    )
    patient_bolus: PatientBolusIn | None = Field(
        default=None, description="New patient-bolus settings (left out: as on the pump)."
    )
    patient_bolus_off: bool = Field(default=False, description="Turn the patient bolus off.")
    low_reservoir_alarm: QuantityText | None = Field(
        default=None, description='e.g. "4 mL" (left out: as on the pump).'
    )
    rationale: Annotated[str, text_rule(2000)] = ""
    idempotency_key: IdempotencyKey | None = Field(
        default=None,
        json_schema_extra={"deprecated": True},  # documented only: the field still works
        description="Deprecated: send the Idempotency-Key header (the same value if both).",
    )


class WithdrawalCreate(In):
    reason: Annotated[str, text_rule(2000, 1)] = Field(description="Why it is withdrawn.")


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
    kind: str = Field(
        description=(
            "program-change (the program editor or an admixture change) or restart (a restart"
            " after an interruption long enough to lose opioid tolerance: reviewed as a new start,"
            " signed and co-signed before it is sent)."
        )
    )
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
