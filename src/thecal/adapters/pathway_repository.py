"""SQLAlchemy repositories for the pathway tables. Parameterised Core statements only.

Versioned writes use ``UPDATE … WHERE id = :id AND version = :loaded`` (optimistic locking);
``PumpRepository.get_for_update`` also takes a row lock (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite transactions already hold the database write lock from ``BEGIN IMMEDIATE``), so two
writers of one pump queue at the pump row and the loser re-reads a newer version.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, event, func, insert, select, update
from sqlalchemy.orm import Session

from thecal.adapters import pathway_mappers as m
from thecal.adapters.database import Executor
from thecal.adapters.orm_pathway import (
    device_events,
    implants,
    patient_bolus_log,
    pharmacy_verifications,
    program_changes,
    pump_device_commands,
    pumps,
    refills,
    tasks,
    used_confirmation_tokens,
)
from thecal.adapters.orm_twin import pump_twin_snapshots
from thecal.adapters.program_codec import (
    canonical_json,
    decode_admixture,
    decode_program,
    encode_admixture,
    encode_program,
)
from thecal.domain.device_events import AlarmPriority
from thecal.domain.dosing import PrimingBolus
from thecal.domain.implant import ImplantRecord
from thecal.domain.library import reference_library
from thecal.domain.program_change import FindingSummary, ProgramChange, ProgramChangeState
from thecal.domain.refill import Refill
from thecal.domain.units import Volume
from thecal.services.pump_record import Pump
from thecal.services.repositories.device_log import (
    DeviceCommand,
    DeviceCommandLog,
    DeviceLogRepository,
    DeviceSnapshot,
    LoggedDeviceEvent,
    LoggedPatientBolus,
)
from thecal.services.repositories.implants import ImplantRepository
from thecal.services.repositories.pharmacy import (
    PharmacyVerification,
    PharmacyVerificationRepository,
)
from thecal.services.repositories.program_changes import (
    ProgramChangeRepository,
    TokenLedger,
    UsedToken,
)
from thecal.services.repositories.pumps import PumpRepository
from thecal.services.repositories.refills import RefillRepository
from thecal.services.repositories.tasks import StoredTask, TaskRepository, TaskState

__all__ = [
    "SqlAlchemyDeviceCommandLog",
    "SqlAlchemyDeviceLogRepository",
    "SqlAlchemyImplantRepository",
    "SqlAlchemyPharmacyVerificationRepository",
    "SqlAlchemyProgramChangeRepository",
    "SqlAlchemyPumpRepository",
    "SqlAlchemyRefillRepository",
    "SqlAlchemyTaskRepository",
    "SqlAlchemyTokenLedger",
]


def _versioned_update(
    session: Executor, table: Table, ident: str, expected: int, values: dict[str, Any]
) -> bool:
    values = {k: v for k, v in values.items() if k != "id"}
    result = session.execute(
        update(table).where(table.c.id == ident, table.c.version == expected).values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _one(session: Executor, table: Table, *where: Any, lock: bool = False) -> Any:
    statement = select(table).where(*where)
    if lock:
        statement = statement.with_for_update()
    return session.execute(statement).mappings().one_or_none()


class SqlAlchemyPumpRepository(PumpRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Pump) -> None:
        self._s.execute(insert(pumps).values(**m.pump_to_row(aggregate)))

    def _get(self, ident: str) -> Pump | None:
        row = _one(self._s, pumps, pumps.c.id == ident)
        return m.pump_from_row(row) if row else None

    def _get_locked(self, ident: str) -> Pump | None:
        row = _one(self._s, pumps, pumps.c.id == ident, lock=True)
        return m.pump_from_row(row) if row else None

    def _get_by_serial(self, serial: str) -> Pump | None:
        row = _one(self._s, pumps, pumps.c.serial == serial)
        return m.pump_from_row(row) if row else None

    def _for_patient(self, patient_id: str) -> Sequence[Pump]:
        rows = self._s.execute(
            select(pumps).where(pumps.c.patient_id == patient_id).order_by(pumps.c.implanted_at)
        ).mappings()
        return [m.pump_from_row(r) for r in rows]

    def _update(self, aggregate: Pump, *, expected_version: int) -> bool:
        return _versioned_update(
            self._s, pumps, aggregate.id, expected_version, m.pump_to_row(aggregate)
        )


class SqlAlchemyProgramChangeRepository(ProgramChangeRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: ProgramChange) -> None:
        pump_id, key = self.pending.pop(aggregate.change_id)
        row = m.change_to_row(aggregate, pump_id=pump_id, idempotency_key=key or "")
        self._s.execute(insert(program_changes).values(**row))

    def _get(self, ident: str) -> ProgramChange | None:
        row = _one(self._s, program_changes, program_changes.c.id == ident)
        return m.change_from_row(row) if row else None

    def _get_by_key(self, idempotency_key: str) -> ProgramChange | None:
        row = _one(self._s, program_changes, program_changes.c.idempotency_key == idempotency_key)
        return m.change_from_row(row) if row else None

    def _in_flight(self, pump_id: str) -> Sequence[ProgramChange]:
        rows = self._s.execute(
            select(program_changes)
            .where(
                program_changes.c.pump_id == pump_id,
                program_changes.c.state == ProgramChangeState.SENT.value,
            )
            .order_by(program_changes.c.proposed_at, program_changes.c.id)
        ).mappings()
        return [m.change_from_row(r) for r in rows]

    def _for_pump(self, pump_id: str) -> Sequence[ProgramChange]:
        rows = self._s.execute(
            select(program_changes)
            .where(program_changes.c.pump_id == pump_id)
            .order_by(program_changes.c.proposed_at, program_changes.c.id)
        ).mappings()
        return [m.change_from_row(r) for r in rows]

    def _pump_of(self, change_id: str) -> str | None:
        found = self._s.execute(
            select(program_changes.c.pump_id).where(program_changes.c.id == change_id)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def _update(self, aggregate: ProgramChange, *, expected_version: int) -> bool:
        row = self._s.execute(
            select(program_changes.c.pump_id, program_changes.c.idempotency_key).where(
                program_changes.c.id == aggregate.change_id
            )
        ).one()
        values = m.change_to_row(aggregate, pump_id=row[0], idempotency_key=row[1])
        return _versioned_update(
            self._s, program_changes, aggregate.change_id, expected_version, values
        )


class SqlAlchemyRefillRepository(RefillRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Refill) -> None:
        pump_id, verification_id, findings = self.pending.pop(aggregate.refill_id)
        row = m.refill_to_row(
            aggregate, pump_id=pump_id, verification_id=verification_id, findings=findings
        )
        self._s.execute(insert(refills).values(**row))

    def _get(self, ident: str) -> Refill | None:
        row = _one(self._s, refills, refills.c.id == ident)
        return m.refill_from_row(row) if row else None

    def _get_by_key(self, pump_id: str, idempotency_key: str) -> Refill | None:
        row = _one(
            self._s,
            refills,
            refills.c.pump_id == pump_id,
            refills.c.idempotency_key == idempotency_key,
        )
        return m.refill_from_row(row) if row else None

    def _findings_of(self, refill_id: str) -> tuple[FindingSummary, ...]:
        text = self._s.execute(
            select(refills.c.findings_json).where(refills.c.id == refill_id)
        ).scalar_one_or_none()
        return () if text is None else m.findings_from_json(text)

    def _for_pump(self, pump_id: str) -> Sequence[Refill]:
        rows = self._s.execute(
            select(refills)
            .where(refills.c.pump_id == pump_id)
            .order_by(refills.c.opened_at, refills.c.id)
        ).mappings()
        return [m.refill_from_row(r) for r in rows]

    def _update(self, aggregate: Refill, *, expected_version: int) -> bool:
        row = self._s.execute(
            select(refills.c.pump_id, refills.c.verification_id, refills.c.findings_json).where(
                refills.c.id == aggregate.refill_id
            )
        ).one()
        values = m.refill_to_row(aggregate, pump_id=row[0], verification_id=row[1])
        values["findings_json"] = row[2]
        return _versioned_update(self._s, refills, aggregate.refill_id, expected_version, values)


class SqlAlchemyPharmacyVerificationRepository(PharmacyVerificationRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: PharmacyVerification) -> None:
        self._s.execute(insert(pharmacy_verifications).values(**m.verification_to_row(aggregate)))

    def _get(self, ident: str) -> PharmacyVerification | None:
        row = _one(self._s, pharmacy_verifications, pharmacy_verifications.c.id == ident)
        return m.verification_from_row(row) if row else None

    def _update(self, aggregate: PharmacyVerification, *, expected_version: int) -> bool:
        values = m.verification_to_row(aggregate)
        return _versioned_update(
            self._s, pharmacy_verifications, aggregate.id, expected_version, values
        )


class SqlAlchemyTaskRepository(TaskRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: StoredTask) -> None:
        self._s.execute(insert(tasks).values(**m.task_to_row(aggregate)))

    def _get(self, ident: str) -> StoredTask | None:
        row = _one(self._s, tasks, tasks.c.id == ident)
        return m.task_from_row(row) if row else None

    def _for_patient(self, patient_id: str, *, open_only: bool) -> Sequence[StoredTask]:
        statement = select(tasks).where(tasks.c.patient_id == patient_id)
        if open_only:
            statement = statement.where(tasks.c.state == TaskState.OPEN.value)
        rows = self._s.execute(statement.order_by(tasks.c.due, tasks.c.id)).mappings()
        return [m.task_from_row(r) for r in rows]

    def _open(self, *, limit: int) -> Sequence[StoredTask]:
        statement = (
            select(tasks)
            .where(tasks.c.state == TaskState.OPEN.value)  # ix_tasks_state_due
            .order_by(tasks.c.due, tasks.c.id)
            .limit(limit)
        )
        return [m.task_from_row(r) for r in self._s.execute(statement).mappings()]

    def _update(self, aggregate: StoredTask, *, expected_version: int) -> bool:
        return _versioned_update(
            self._s, tasks, aggregate.id, expected_version, m.task_to_row(aggregate)
        )


class SqlAlchemyImplantRepository(ImplantRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add(self, record: ImplantRecord, *, pump_id: str) -> None:
        self._s.execute(
            insert(implants).values(
                id=record.implant_id,
                patient_id=record.patient_id,
                pump_id=pump_id,
                performed_at=record.performed_at,
                surgeon_id=record.surgeon_id,
                pump_model_id=record.pump.id,
                pump_serial=record.pump_serial,
                catheter_model_id=record.catheter.id,
                catheter_length_cm=record.catheter_length_cm,
                catheter_tip_level=record.catheter_tip_level,
                initial_fill_json=encode_admixture(record.initial_fill),
                fill_volume_ml=record.fill_volume.value,
                catheter_dead_space_ml=record.priming.catheter_volume.value,
                pump_internal_volume_ml=record.priming.pump_internal_volume.value,
                priming_volume_ml=record.priming.volume.value,
                initial_program_json=encode_program(record.initial_program),
                monitoring_task_json=canonical_json(m.task_to_dict(record.monitoring_task)),
            )
        )

    def get(self, implant_id: str) -> ImplantRecord | None:
        row = _one(self._s, implants, implants.c.id == implant_id)
        if row is None:
            return None
        library = reference_library()
        return ImplantRecord(
            implant_id=row["id"],
            patient_id=row["patient_id"],
            performed_at=row["performed_at"],
            surgeon_id=row["surgeon_id"],
            pump=library.pump(row["pump_model_id"]),
            pump_serial=row["pump_serial"],
            catheter=library.catheter(row["catheter_model_id"]),
            catheter_length_cm=Decimal(row["catheter_length_cm"]),
            catheter_tip_level=row["catheter_tip_level"],
            initial_fill=decode_admixture(row["initial_fill_json"]),
            fill_volume=Volume(Decimal(row["fill_volume_ml"])),
            priming=PrimingBolus(
                catheter_volume=Volume(Decimal(row["catheter_dead_space_ml"])),
                pump_internal_volume=Volume(Decimal(row["pump_internal_volume_ml"])),
            ),
            initial_program=decode_program(row["initial_program_json"]),
            monitoring_task=m.task_from_dict(json.loads(row["monitoring_task_json"])),
        )


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


class SqlAlchemyTokenLedger(TokenLedger):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def is_used(self, token_id: str) -> bool:
        found = self._s.execute(
            select(used_confirmation_tokens.c.token_id).where(
                used_confirmation_tokens.c.token_id == token_id
            )
        ).first()
        return found is not None

    def spend(self, token: UsedToken) -> None:
        self._s.execute(
            insert(used_confirmation_tokens).values(
                token_id=token.token_id,
                change_id=token.change_id,
                user_id=token.user_id,
                used_at=token.used_at,
            )
        )
