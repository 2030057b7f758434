"""Rows ↔ the ``Pump`` record (``tables/pumps.py``), with the worklist's projected dates written on
every insert and update.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from thecal.adapters.program_codec import (
    canonical_json,
    decode_admixture,
    decode_program,
    encode_admixture,
    encode_program,
    program_from_dict,
    program_to_dict,
)
from thecal.domain.reservoir import ProgramSpan, ReservoirReading, SpanBasis
from thecal.domain.units import Volume
from thecal.services.pump_projection import projection_of
from thecal.services.pump_record import Pump, PumpState

__all__ = [
    "pump_from_row",
    "pump_to_row",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def pump_to_row(pump: Pump) -> dict[str, Any]:
    return {
        "id": pump.id,
        "patient_id": pump.patient_id,
        "model_id": pump.model_id,
        "serial": pump.serial,
        "implant_id": pump.implant_id,
        "implanted_at": pump.implanted_at,
        "catheter_model_id": pump.catheter_model_id,
        "catheter_length_cm": pump.catheter_length_cm,
        "catheter_tip_level": pump.catheter_tip_level,
        "admixture_json": encode_admixture(pump.admixture),
        "reservoir_volume_ml": pump.reservoir_volume.value,
        "last_filled_at": pump.last_filled_at,
        "program_json": encode_program(pump.program),
        "program_since": pump.program_since,
        "next_refill_due": pump.next_refill_due,
        "state": pump.state.value,
        "rng_seed": pump.rng_seed,
        "version": pump.version,
        "program_effective_from": pump.program_effective_from,
        "fill_bolus_ml": pump.fill_bolus.value,
        "sent_programs_json": _spans_text(pump.sent_programs),
        **_reading_row(pump.reservoir_reading),
        **_projection(pump),  # the worklist's projected dates (tables/pumps.py)
    }


def _projection(pump: Pump) -> dict[str, Any]:
    p = projection_of(pump)
    return {
        "low_reservoir_alarm_at": p.low_reservoir_alarm_at,
        "stability_expires_at": p.stability_expires_at,
        "eri_at": p.eri_at,
        "end_of_service_at": p.end_of_service_at,
    }


def _spans_text(spans: tuple[ProgramSpan, ...]) -> str | None:
    if not spans:
        return None
    return canonical_json(
        [
            {
                "since": s.since.isoformat(),
                "basis": s.basis.value,
                "program": program_to_dict(s.program),
            }
            for s in spans
        ]
    )


def _spans_from(text: str | None) -> tuple[ProgramSpan, ...]:
    if not text:
        return ()
    return tuple(
        ProgramSpan(
            since=dt.datetime.fromisoformat(item["since"]),
            basis=SpanBasis(item["basis"]),
            program=program_from_dict(item["program"]),
        )
        for item in json.loads(text)
    )


def _reading_row(reading: ReservoirReading | None) -> dict[str, Any]:
    if reading is None:
        return dict.fromkeys(
            ("reading_at", "reading_pump_ml", "reading_record_ml", "reading_delivered_ml")
        )
    return {
        "reading_at": reading.at,
        "reading_pump_ml": reading.pump_count.value,
        "reading_record_ml": reading.by_record.value,
        "reading_delivered_ml": reading.delivered.value,
    }


def _reading_from(row: Row) -> ReservoirReading | None:
    if row.get("reading_at") is None:  # none yet (or a row read before revision 0019)
        return None
    return ReservoirReading(
        at=row["reading_at"],
        pump_count=Volume(Decimal(row["reading_pump_ml"])),
        by_record=Volume(Decimal(row["reading_record_ml"])),
        delivered=Volume(Decimal(row["reading_delivered_ml"])),
    )


def pump_from_row(row: Row) -> Pump:
    return Pump(
        id=row["id"],
        patient_id=row["patient_id"],
        model_id=row["model_id"],
        serial=row["serial"],
        implant_id=row["implant_id"],
        implanted_at=row["implanted_at"],
        catheter_model_id=row["catheter_model_id"],
        catheter_length_cm=Decimal(row["catheter_length_cm"]),
        catheter_tip_level=row["catheter_tip_level"],
        admixture=decode_admixture(row["admixture_json"]),
        reservoir_volume=Volume(Decimal(row["reservoir_volume_ml"])),
        last_filled_at=row["last_filled_at"],
        program=decode_program(row["program_json"]),
        program_since=row["program_since"],
        next_refill_due=row["next_refill_due"],
        state=PumpState(row["state"]),
        rng_seed=int(row["rng_seed"]),
        version=int(row["version"]),
        program_effective_from=row.get("program_effective_from"),
        fill_bolus=Volume(Decimal(row.get("fill_bolus_ml") or 0)),
        sent_programs=_spans_from(row.get("sent_programs_json")),
        reservoir_reading=_reading_from(row),
    )
