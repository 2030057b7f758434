"""The pump implant: devices, the first fill and program, and the recorded implant."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    Field,
)

from thecal.entrypoints.api.schemas.fields import (
    DecimalText,
    In,
    Out,
    QuantityText,
    Whole,
    text_rule,
)

__all__ = [
    "AdmixtureComponentIn",
    "ImplantCreate",
    "ImplantPublic",
    "PatientBolusIn",
]


class AdmixtureComponentIn(In):
    drug_id: Annotated[str, text_rule(64, 1)] = Field(examples=["morphine"])
    concentration: QuantityText = Field(examples=["25 mg/mL"])


class PatientBolusIn(In):
    dose: QuantityText = Field(examples=["0.1 mg"])
    duration: QuantityText = Field(examples=["10 min"])
    lockout: QuantityText = Field(examples=["4 h"])
    max_per_day: Whole = Field(ge=1, le=100)


class ImplantCreate(In):
    pump_model_id: Annotated[str, text_rule(64, 1)] = Field(examples=["synchromed-ii-20"])
    pump_serial: Annotated[str, text_rule(64, 1)]
    catheter_model_id: Annotated[str, text_rule(64, 1)] = Field(examples=["indura-1p-8709sc"])
    catheter_length_cm: DecimalText = Field(examples=["60"])
    catheter_tip_level: Annotated[str, text_rule(8, 1)] = Field(examples=["T10"])
    admixture: list[AdmixtureComponentIn] = Field(
        min_length=1, max_length=4, description="The fill; the first component is the primary drug."
    )
    fill_volume: QuantityText = Field(examples=["20 mL"])
    daily_dose: QuantityText = Field(
        description="The primary drug's initial continuous daily dose.", examples=["5 mg/day"]
    )
    patient_bolus: PatientBolusIn | None = None


class ImplantPublic(Out):
    pump_id: str
    implant_id: str
    patient_id: str
    pump_model_id: str
    serial: str
    implanted_at: dt.datetime
    catheter_model_id: str
    catheter_length_cm: str
    catheter_tip_level: str
    admixture: str
    fill_volume_ml: str
    daily_dose_mcg_per_day: str
    priming_volume_ml: str = Field(description="Volume of the priming bolus the pump gave.")
    program_ack: str = Field(description="acknowledged, or uncertain (interrogate the pump).")
    pump_version: int
