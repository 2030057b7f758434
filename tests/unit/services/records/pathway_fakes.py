"""In-memory fakes of the pathway ports (pumps, changes, refills, …) for ``FakeUnitOfWork``.

``PathwayData`` lives inside ``FakeDatabase.pathway`` and is deep-copied with it, so a transaction
that does not commit leaves nothing behind — including the pump command log, i.e. the twin.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from thecal.domain.implant import ImplantRecord
from thecal.domain.program_change import FindingSummary, ProgramChange, ProgramChangeState
from thecal.domain.refill import Refill
from thecal.services.pump_record import Pump
from thecal.services.repositories.device_log import (
    DeviceCommand,
    DeviceCommandLog,
    DeviceLogRepository,
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
from thecal.services.repositories.pumps import PumpRepository, PumpSearch
from thecal.services.repositories.refills import RefillRepository
from thecal.services.repositories.tasks import StoredTask, TaskRepository


@dataclass
class PathwayData:
    pumps: dict[str, Pump] = field(default_factory=dict)
    implants: dict[str, ImplantRecord] = field(default_factory=dict)
    changes: dict[str, tuple[ProgramChange, str, str]] = field(default_factory=dict)
    refills: dict[str, tuple[Refill, str, tuple[FindingSummary, ...]]] = field(default_factory=dict)
    verifications: dict[str, PharmacyVerification] = field(default_factory=dict)
    tasks: dict[str, StoredTask] = field(default_factory=dict)
    events: list[LoggedDeviceEvent] = field(default_factory=list)
    boluses: list[LoggedPatientBolus] = field(default_factory=list)
    commands: list[DeviceCommand] = field(default_factory=list)
    tokens: dict[str, UsedToken] = field(default_factory=dict)


def _copy(value: Any) -> Any:
    return copy.deepcopy(value)


class FakePumps(PumpRepository):
    def __init__(self, d: PathwayData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: Pump) -> None:
        self.d.pumps[aggregate.id] = _copy(aggregate)

    def _get(self, ident: str) -> Pump | None:
        return _copy(self.d.pumps.get(ident))

    _get_locked = _get

    def _get_by_serial(self, serial: str) -> Pump | None:
        return _copy(next((p for p in self.d.pumps.values() if p.serial == serial), None))

    def _for_patient(self, patient_id: str) -> Sequence[Pump]:
        return _copy([p for p in self.d.pumps.values() if p.patient_id == patient_id])

    def _search(self, query: PumpSearch, *, limit: int, offset: int) -> tuple[list[Pump], int]:
        found = sorted(
            (p for p in self.d.pumps.values() if query.admits(p)),
            key=lambda p: (-p.implanted_at.timestamp(), p.id),
        )
        return _copy(found[offset : offset + limit]), len(found)

    def _update(self, aggregate: Pump, *, expected_version: int) -> bool:
        if self.d.pumps[aggregate.id].version != expected_version:
            return False
        self.d.pumps[aggregate.id] = _copy(aggregate)
        return True


class FakeChanges(ProgramChangeRepository):
    def __init__(self, d: PathwayData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: ProgramChange) -> None:
        pump_id, key = self.pending.pop(aggregate.change_id)
        if any(k == key for _, _, k in self.d.changes.values()):
            msg = f"duplicate idempotency key {key}"
            raise ValueError(msg)
        self.d.changes[aggregate.change_id] = (_copy(aggregate), pump_id, key)

    def _get(self, ident: str) -> ProgramChange | None:
        found = self.d.changes.get(ident)
        return _copy(found[0]) if found else None

    def _get_by_key(self, idempotency_key: str) -> ProgramChange | None:
        found = [c for c, _, k in self.d.changes.values() if k == idempotency_key]
        return _copy(found[0]) if found else None

    def _in_flight(self, pump_id: str) -> Sequence[ProgramChange]:
        return _copy(
            [
                c
                for c, p, _ in self.d.changes.values()
                if p == pump_id and c.state is ProgramChangeState.SENT
            ]
        )

    def _for_pump(self, pump_id: str) -> Sequence[ProgramChange]:
        found = [c for c, p, _ in self.d.changes.values() if p == pump_id]
        return _copy(sorted(found, key=lambda c: (c.history[0].at, c.change_id)))

    def _pump_of(self, change_id: str) -> str | None:
        found = self.d.changes.get(change_id)
        return found[1] if found else None

    def _update(self, aggregate: ProgramChange, *, expected_version: int) -> bool:
        stored, pump_id, key = self.d.changes[aggregate.change_id]
        if stored.version != expected_version:
            return False
        self.d.changes[aggregate.change_id] = (_copy(aggregate), pump_id, key)
        return True


class FakeRefills(RefillRepository):
    def __init__(self, d: PathwayData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: Refill) -> None:
        pump_id, _, findings = self.pending.pop(aggregate.refill_id)
        self.d.refills[aggregate.refill_id] = (_copy(aggregate), pump_id, findings)

    def _get(self, ident: str) -> Refill | None:
        found = self.d.refills.get(ident)
        return _copy(found[0]) if found else None

    def _get_by_key(self, pump_id: str, idempotency_key: str) -> Refill | None:
        found = [
            r
            for r, p, _ in self.d.refills.values()
            if p == pump_id and r.idempotency_key == idempotency_key
        ]
        return _copy(found[0]) if found else None

    def _findings_of(self, refill_id: str) -> tuple[FindingSummary, ...]:
        return self.d.refills[refill_id][2]

    def _for_pump(self, pump_id: str) -> Sequence[Refill]:
        return _copy([r for r, p, _ in self.d.refills.values() if p == pump_id])

    def _update(self, aggregate: Refill, *, expected_version: int) -> bool:
        stored, pump_id, findings = self.d.refills[aggregate.refill_id]
        if stored.version != expected_version:
            return False
        self.d.refills[aggregate.refill_id] = (_copy(aggregate), pump_id, findings)
        return True


class FakeVerifications(PharmacyVerificationRepository):
    def __init__(self, d: PathwayData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: PharmacyVerification) -> None:
        self.d.verifications[aggregate.id] = _copy(aggregate)

    def _get(self, ident: str) -> PharmacyVerification | None:
        return _copy(self.d.verifications.get(ident))

    def _for_pump(self, pump_id: str) -> Sequence[PharmacyVerification]:
        return _copy([v for v in self.d.verifications.values() if v.pump_id == pump_id])

    def _update(self, aggregate: PharmacyVerification, *, expected_version: int) -> bool:
        if self.d.verifications[aggregate.id].version != expected_version:
            return False
        self.d.verifications[aggregate.id] = _copy(aggregate)
        return True


class FakeTasks(TaskRepository):
    def __init__(self, d: PathwayData) -> None:
        super().__init__()
        self.d = d

    def _add(self, aggregate: StoredTask) -> None:
        self.d.tasks[aggregate.id] = _copy(aggregate)

    def _get(self, ident: str) -> StoredTask | None:
        return _copy(self.d.tasks.get(ident))

    def _for_patient(self, patient_id: str, *, open_only: bool) -> Sequence[StoredTask]:
        found = [
            t
            for t in self.d.tasks.values()
            if t.task.subject == patient_id and (not open_only or t.state.value == "open")
        ]
        return _copy(sorted(found, key=lambda t: (t.task.due, t.id)))

    def _open(self, *, limit: int) -> Sequence[StoredTask]:
        found = [t for t in self.d.tasks.values() if t.state.value == "open"]
        return _copy(sorted(found, key=lambda t: (t.task.due, t.id))[:limit])

    def _update(self, aggregate: StoredTask, *, expected_version: int) -> bool:
        if self.d.tasks[aggregate.id].version != expected_version:
            return False
        self.d.tasks[aggregate.id] = _copy(aggregate)
        return True


class FakeImplants(ImplantRepository):
    def __init__(self, d: PathwayData) -> None:
        self.d = d

    def add(self, record: ImplantRecord, *, pump_id: str) -> None:
        del pump_id
        self.d.implants[record.implant_id] = record

    def get(self, implant_id: str) -> ImplantRecord | None:
        return self.d.implants.get(implant_id)


class FakeDeviceLog(DeviceLogRepository):
    def __init__(self, d: PathwayData) -> None:
        self.d = d

    def add_events(self, events: Sequence[LoggedDeviceEvent]) -> None:
        self.d.events += events

    def add_boluses(self, boluses: Sequence[LoggedPatientBolus]) -> None:
        self.d.boluses += boluses

    def events(self, pump_id: str) -> Sequence[LoggedDeviceEvent]:
        return [e for e in self.d.events if e.pump_id == pump_id]

    def boluses(self, pump_id: str) -> Sequence[LoggedPatientBolus]:
        return [b for b in self.d.boluses if b.pump_id == pump_id]


class FakeCommandLog(DeviceCommandLog):
    def __init__(self, d: PathwayData) -> None:
        self.d = d

    def for_serial(self, serial: str) -> Sequence[DeviceCommand]:
        return [c for c in self.d.commands if c.serial == serial]

    def last_seq(self, serial: str) -> int:
        return max((c.seq for c in self.d.commands if c.serial == serial), default=0)

    def append(self, command: DeviceCommand) -> None:
        if command.seq != self.last_seq(command.serial) + 1:
            msg = f"command {command.serial}#{command.seq} out of order"
            raise ValueError(msg)
        self.d.commands.append(command)


class FakeTokens(TokenLedger):
    def __init__(self, d: PathwayData) -> None:
        self.d = d

    def is_used(self, token_id: str) -> bool:
        return token_id in self.d.tokens

    def spend(self, token: UsedToken) -> None:
        if token.token_id in self.d.tokens:
            msg = f"token {token.token_id} spent twice"
            raise ValueError(msg)
        self.d.tokens[token.token_id] = token


def install(uow: Any, d: PathwayData) -> None:
    """Set the pathway repositories of a ``FakeUnitOfWork`` transaction."""
    uow.pumps = FakePumps(d)
    uow.implants = FakeImplants(d)
    uow.program_changes = FakeChanges(d)
    uow.refills = FakeRefills(d)
    uow.pharmacy = FakeVerifications(d)
    uow.tasks = FakeTasks(d)
    uow.device_log = FakeDeviceLog(d)
    uow.device_commands = FakeCommandLog(d)
    uow.tokens = FakeTokens(d)
