"""The append-only device logs: what interrogations reported (device events, patient boluses) and
every command that reached a pump, with the pump twin's latest saved state beside it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, event, func, insert, select, update
from sqlalchemy.orm import Session

from thecal.adapters.program_codec import (
    canonical_json,
)
from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.tables.device_log import (
    device_events,
    patient_bolus_log,
    pump_device_commands,
)
from thecal.adapters.sql.tables.twin import pump_twin_snapshots
from thecal.domain.device_events import AlarmPriority
from thecal.services.repositories.device_log import (
    DeviceCommand,
    DeviceCommandLog,
    DeviceLogRepository,
    DeviceSnapshot,
    LoggedDeviceEvent,
    LoggedPatientBolus,
)

__all__ = [
    "SqlAlchemyDeviceCommandLog",
    "SqlAlchemyDeviceLogRepository",
]


class SqlAlchemyDeviceLogRepository(DeviceLogRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add_events(self, events: Sequence[LoggedDeviceEvent]) -> None:
        if events:
            self._s.execute(
                insert(device_events),
                [
                    {
                        "pump_id": e.pump_id,
                        "at": e.at,
                        "code": e.code,
                        "detail": e.detail,
                        "priority": e.priority.value if e.priority else None,
                        "interrogated_at": e.interrogated_at,
                    }
                    for e in events
                ],
            )

    def add_boluses(self, boluses: Sequence[LoggedPatientBolus]) -> None:
        if boluses:
            self._s.execute(
                insert(patient_bolus_log),
                [
                    {
                        "pump_id": b.pump_id,
                        "at": b.at,
                        "granted": b.granted,
                        "reason": b.reason,
                        "uncertain": b.uncertain,
                        "source": b.source,
                    }
                    for b in boluses
                ],
            )

    def events(self, pump_id: str) -> Sequence[LoggedDeviceEvent]:
        rows = self._s.execute(
            select(device_events)
            .where(device_events.c.pump_id == pump_id)
            .order_by(device_events.c.at, device_events.c.id)
        ).mappings()
        return [
            LoggedDeviceEvent(
                pump_id=r["pump_id"],
                at=r["at"],
                code=r["code"],
                detail=r["detail"],
                priority=AlarmPriority(r["priority"]) if r["priority"] else None,
                interrogated_at=r["interrogated_at"],
            )
            for r in rows
        ]

    def boluses(self, pump_id: str) -> Sequence[LoggedPatientBolus]:
        rows = self._s.execute(
            select(patient_bolus_log)
            .where(patient_bolus_log.c.pump_id == pump_id)
            .order_by(patient_bolus_log.c.at, patient_bolus_log.c.id)
        ).mappings()
        return [
            LoggedPatientBolus(
                pump_id=r["pump_id"],
                at=r["at"],
                granted=bool(r["granted"]),
                reason=r["reason"],
                uncertain=bool(r["uncertain"]),
                source=r["source"],
            )
            for r in rows
        ]


class SqlAlchemyDeviceCommandLog(DeviceCommandLog):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def for_serial(self, serial: str) -> Sequence[DeviceCommand]:
        return self._commands(pump_device_commands.c.serial == serial)

    def since(self, serial: str, seq: int) -> Sequence[DeviceCommand]:
        return self._commands(
            pump_device_commands.c.serial == serial, pump_device_commands.c.seq >= seq
        )

    def _commands(self, *where: ColumnElement[bool]) -> Sequence[DeviceCommand]:
        rows = self._s.execute(
            select(pump_device_commands).where(*where).order_by(pump_device_commands.c.seq)
        ).mappings()
        return [
            DeviceCommand(
                serial=r["serial"],
                seq=int(r["seq"]),
                at=r["at"],
                kind=r["kind"],
                payload=json.loads(r["payload_json"]),
            )
            for r in rows
        ]

    def last_seq(self, serial: str) -> int:
        found = self._s.execute(
            select(func.max(pump_device_commands.c.seq)).where(
                pump_device_commands.c.serial == serial
            )
        ).scalar_one_or_none()
        return int(found or 0)

    def append(self, command: DeviceCommand) -> None:
        self._s.execute(
            insert(pump_device_commands).values(
                serial=command.serial,
                seq=command.seq,
                at=command.at,
                kind=command.kind,
                payload_json=canonical_json(command.payload),
            )
        )

    def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
        """The saved state, or None; unreadable JSON raises ValueError (the caller decides)."""
        row = (
            self._s.execute(
                select(pump_twin_snapshots).where(pump_twin_snapshots.c.serial == serial)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return DeviceSnapshot(
            serial=row["serial"],
            seq=int(row["seq"]),
            at=row["at"],
            state=json.loads(row["state_json"]),
        )

    def save_snapshot(self, snapshot: DeviceSnapshot) -> None:
        values = {
            "seq": snapshot.seq,
            "at": snapshot.at,
            "state_json": canonical_json(snapshot.state),
        }
        done = self._s.execute(
            update(pump_twin_snapshots)
            .where(pump_twin_snapshots.c.serial == snapshot.serial)
            .values(**values)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            self._s.execute(insert(pump_twin_snapshots).values(serial=snapshot.serial, **values))

    def database(self) -> object | None:
        return self._s.get_bind() if isinstance(self._s, Session) else self._s.engine

    def after_commit(self, callback: Callable[[], None]) -> bool:
        if not isinstance(self._s, Session):  # a read-only connection never commits
            return False
        armed = [True]

        def committed(_session: Session) -> None:
            if armed[0]:
                armed[0] = False
                callback()

        def rolled_back(_session: Session) -> None:
            armed[0] = False

        event.listen(self._s, "after_commit", committed)
        event.listen(self._s, "after_rollback", rolled_back)
        return True
