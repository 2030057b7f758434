"""The device event record repository: one row per event, inserted once (``tables/
device_event_records.py``); facts as canonical JSON text."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, or_, select

from thecal.adapters.program_codec import canonical_json, program_from_dict, program_to_dict
from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.tables.device_event_records import device_event_records
from thecal.domain.device_event_record import DeviceEventKind, DeviceEventRecord
from thecal.services.repositories.device_event_records import DeviceEventRecordRepository

__all__ = ["SqlAlchemyDeviceEventRecordRepository"]

_T = device_event_records


def _to_row(record: DeviceEventRecord) -> dict[str, Any]:
    return {
        "id": record.event_id,
        "patient_id": record.patient_id,
        "pump_id": record.pump_id,
        "related_pump_id": record.related_pump_id,
        "kind": record.kind.value,
        "occurred_at": record.at,
        "recorded_by": record.recorded_by,
        "summary": record.summary,
        "facts_json": canonical_json(dict(record.facts)),
        "program_json": None
        if record.program is None
        else canonical_json(program_to_dict(record.program)),
    }


def _from_row(row: Mapping[Any, Any]) -> DeviceEventRecord:
    return DeviceEventRecord(
        event_id=row["id"],
        patient_id=row["patient_id"],
        pump_id=row["pump_id"],
        related_pump_id=row["related_pump_id"],
        kind=DeviceEventKind(row["kind"]),
        at=row["occurred_at"],
        recorded_by=row["recorded_by"],
        summary=row["summary"],
        facts={str(k): str(v) for k, v in json.loads(row["facts_json"]).items()},
        program=None
        if row["program_json"] is None
        else program_from_dict(json.loads(row["program_json"])),
    )


class SqlAlchemyDeviceEventRecordRepository(DeviceEventRecordRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add(self, record: DeviceEventRecord) -> None:
        self._s.execute(insert(_T).values(**_to_row(record)))

    def get(self, event_id: str) -> DeviceEventRecord | None:
        row = self._s.execute(select(_T).where(_T.c.id == event_id)).mappings().one_or_none()
        return None if row is None else _from_row(row)

    def for_pump(self, pump_id: str) -> Sequence[DeviceEventRecord]:
        query = (
            select(_T)
            .where(or_(_T.c.pump_id == pump_id, _T.c.related_pump_id == pump_id))
            .order_by(_T.c.occurred_at, _T.c.id)
        )
        return [_from_row(row) for row in self._s.execute(query).mappings()]

    def for_patient(self, patient_id: str) -> Sequence[DeviceEventRecord]:
        query = select(_T).where(_T.c.patient_id == patient_id).order_by(_T.c.occurred_at, _T.c.id)
        return [_from_row(row) for row in self._s.execute(query).mappings()]
