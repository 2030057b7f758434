"""Canonical JSON for programs and admixtures: an explicit codec, unit-named fields, no floats.

Programs are stored as JSON text (``program_json`` columns) and appear in the pump command log.
Every quantity is written in its canonical unit with the unit in the field name
(``rate_mcg_per_day``, ``concentration_mcg_per_ml``, ``low_reservoir_alarm_ml``, ``duration_s``)
and its exact decimal as a string (``"0.5"``, never ``0.5``). Decoding rebuilds the same frozen
values, so ``decode_program(encode_program(p)) == p`` for every program. The JSON is compact with
sorted keys, so equal programs give equal text.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from thecal.domain.admixture import Admixture, Component
from thecal.domain.program import (
    FlexStep,
    InfusionProgram,
    PatientBolusSettings,
    PeriodicBolus,
    ProgramMode,
)
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume, plain

__all__ = [
    "admixture_from_dict",
    "admixture_to_dict",
    "canonical_json",
    "decode_admixture",
    "decode_program",
    "encode_admixture",
    "encode_program",
    "program_from_dict",
    "program_to_dict",
]


def canonical_json(data: Any) -> str:
    """Compact JSON with sorted keys; refuses floats anywhere (numbers travel as text)."""

    def refuse(value: Any) -> Any:
        msg = f"not JSON-encodable here: {type(value).__name__}"
        raise TypeError(msg)

    _refuse_floats(data)
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=refuse
    )


def _refuse_floats(data: Any) -> None:
    if isinstance(data, float):
        msg = "floats never enter stored clinical JSON; write the exact decimal as text"
        raise TypeError(msg)
    if isinstance(data, dict):
        for item in data.values():
            _refuse_floats(item)
    elif isinstance(data, list | tuple):
        for item in data:
            _refuse_floats(item)


def _dec(text: Any, field: str) -> Decimal:
    if not isinstance(text, str):
        msg = f"{field} must be a decimal string, not {type(text).__name__}"
        raise TypeError(msg)
    return Decimal(text)


def admixture_to_dict(admixture: Admixture) -> list[dict[str, str]]:
    return [
        {"drug_id": c.drug_id, "concentration_mcg_per_ml": plain(c.concentration.value)}
        for c in admixture.components
    ]


def admixture_from_dict(data: list[dict[str, Any]]) -> Admixture:
    return Admixture(
        components=tuple(
            Component(
                drug_id=str(item["drug_id"]),
                concentration=Concentration(
                    _dec(item["concentration_mcg_per_ml"], "concentration_mcg_per_ml")
                ),
            )
            for item in data
        )
    )


def _bolus_to_dict(bolus: PeriodicBolus | None) -> dict[str, str] | None:
    if bolus is None:
        return None
    return {
        "dose_mcg": plain(bolus.dose.value),
        "duration_s": plain(bolus.duration.value),
        "every_s": plain(bolus.every.value),
        "offset_s": plain(bolus.offset.value),
    }


def _bolus_from_dict(data: dict[str, Any] | None) -> PeriodicBolus | None:
    if data is None:
        return None
    return PeriodicBolus(
        dose=Mass(_dec(data["dose_mcg"], "dose_mcg")),
        duration=Duration(_dec(data["duration_s"], "duration_s")),
        every=Duration(_dec(data["every_s"], "every_s")),
        offset=Duration(_dec(data["offset_s"], "offset_s")),
    )


def program_to_dict(program: InfusionProgram) -> dict[str, Any]:
    """The program as a JSON-ready dict with unit-named fields and decimal strings."""
    pb = program.patient_bolus
    alarm = program.low_reservoir_alarm
    return {
        "mode": program.mode.value,
        "admixture": admixture_to_dict(program.admixture),
        "cycle_s": plain(program.cycle.value),
        "steps": [
            {"start_s": plain(s.start.value), "rate_mcg_per_day": plain(s.rate.value)}
            for s in program.steps
        ],
        "periodic": _bolus_to_dict(program.periodic),
        "single_bolus": _bolus_to_dict(program.single_bolus),
        "patient_bolus": None
        if pb is None
        else {
            "dose_mcg": plain(pb.dose.value),
            "duration_s": plain(pb.duration.value),
            "lockout_s": plain(pb.lockout.value),
            "max_per_day": pb.max_per_day,
        },
        "low_reservoir_alarm_ml": None if alarm is None else plain(alarm.value),
    }


def program_from_dict(data: dict[str, Any]) -> InfusionProgram:
    """Rebuild a program; the program's own invariants are checked again."""
    pb = data.get("patient_bolus")
    alarm = data.get("low_reservoir_alarm_ml")
    return InfusionProgram(
        mode=ProgramMode(data["mode"]),
        admixture=admixture_from_dict(data["admixture"]),
        cycle=Duration(_dec(data["cycle_s"], "cycle_s")),
        steps=tuple(
            FlexStep(
                start=Duration(_dec(s["start_s"], "start_s")),
                rate=DoseRate(_dec(s["rate_mcg_per_day"], "rate_mcg_per_day")),
            )
            for s in data["steps"]
        ),
        periodic=_bolus_from_dict(data.get("periodic")),
        single_bolus=_bolus_from_dict(data.get("single_bolus")),
        patient_bolus=None
        if pb is None
        else PatientBolusSettings(
            dose=Mass(_dec(pb["dose_mcg"], "dose_mcg")),
            duration=Duration(_dec(pb["duration_s"], "duration_s")),
            lockout=Duration(_dec(pb["lockout_s"], "lockout_s")),
            max_per_day=int(pb["max_per_day"]),
        ),
        low_reservoir_alarm=None
        if alarm is None
        else Volume(_dec(alarm, "low_reservoir_alarm_ml")),
    )


def encode_program(program: InfusionProgram) -> str:
    return canonical_json(program_to_dict(program))


def decode_program(text: str) -> InfusionProgram:
    return program_from_dict(json.loads(text))


def encode_admixture(admixture: Admixture) -> str:
    return canonical_json(admixture_to_dict(admixture))


def decode_admixture(text: str) -> Admixture:
    return admixture_from_dict(json.loads(text))
