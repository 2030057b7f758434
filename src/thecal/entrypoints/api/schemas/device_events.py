"""The events of a pump's life (issue 12 §3): what a request carries and what an event says.

Quantities are text read by the strict parser ("20 mL", "0.5 mg/day"); lengths in cm are exact
decimal text. Every request names the pump and the version the client read (a pump changed since
is refused, 409 THC-PUMP-002). ``request_id`` makes a retry safe: the same id returns the event
it recorded first and does nothing again.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints

from thecal.domain.catheter_revision import CapCheck
from thecal.domain.device_event_record import DeviceEventKind
from thecal.domain.interruption import InterruptionReason
from thecal.domain.pump_replacement import ReplacementReason
from thecal.domain.therapy_discontinuation import DiscontinuationKind
from thecal.entrypoints.api.schemas.fields import (
    DecimalText,
    Flag,
    In,
    IsoInstant,
    Out,
    QuantityText,
    Version,
    text_rule,
)
from thecal.services.care_transfers import TransferDirection

__all__ = [
    "CareTransferCreate",
    "CatheterRevisionCreate",
    "DeliveryRestartCreate",
    "DeviceEventPublic",
    "DeviceEventsPublic",
    "InterruptionCreate",
    "PumpReplacementCreate",
    "TherapyDiscontinuationCreate",
    "WithdrawalPlanIn",
]

PumpRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,36}$")]
RequestId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,36}$"),
    Field(description="Your id for this request: a retry with it returns the first event."),
]
DrugId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")]


class _OnPump(In):
    pump_id: PumpRef
    expected_pump_version: Version = Field(description="The pump version you read.")
    request_id: RequestId | None = None


class PumpReplacementCreate(_OnPump):
    reason: ReplacementReason
    new_pump_model_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]
    new_pump_serial: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]
    fill_volume: QuantityText = Field(
        description='The same admixture into the new reservoir, e.g. "20 mL".'
    )


class CatheterRevisionCreate(_OnPump):
    catheter_model_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]
    implanted_length_cm: DecimalText = Field(examples=["40"])
    tip_level: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][0-9]{1,2}$")] = Field(
        examples=["T10"]
    )
    cap_check: CapCheck | None = Field(
        default=None,
        description=(
            "The catheter access port check where the pump has one (S54): CSF aspirated, none"
            " (refused: not primed), or not done."
        ),
    )


class WithdrawalPlanIn(In):
    drugs: list[DrugId] = Field(min_length=1, max_length=6)
    text: Annotated[str, text_rule(2000, 1)]


class TherapyDiscontinuationCreate(_OnPump):
    kind: DiscontinuationKind
    reason: Annotated[str, text_rule(500, 1)]
    withdrawal_plan: WithdrawalPlanIn | None = Field(
        default=None,
        description=(
            "Required for every drug with a withdrawal risk (baclofen, opioids, clonidine):"
            " without it the answer is 409 THC-PATH-061."
        ),
    )


class InterruptionCreate(_OnPump):
    reason: InterruptionReason
    note: Annotated[str, text_rule(500)] = ""


class DeliveryRestartCreate(_OnPump):
    daily_dose: QuantityText | None = Field(
        default=None,
        description=(
            'A lower continuous daily dose, e.g. "0.5 mg/day"; none: the program before the'
            " interruption."
        ),
    )
    justification: Annotated[str, text_rule(2000)] | None = None
    respiratory_monitoring_hours: Annotated[int, Field(ge=1, le=168)] | None = None
    naloxone_available: Flag | None = None


class CareTransferCreate(_OnPump):
    direction: TransferDirection
    clinic: Annotated[str, text_rule(200, 1)]
    note: Annotated[str, text_rule(500)] = ""
    effective_at: IsoInstant | None = None


class DeviceEventPublic(Out):
    id: str
    kind: DeviceEventKind
    title: str
    patient_id: str
    pump_id: str
    related_pump_id: str | None
    at: dt.datetime
    recorded_by: str
    summary: str
    facts: dict[str, str]


class DeviceEventsPublic(Out):
    events: list[DeviceEventPublic]
