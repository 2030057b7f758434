"""Repository ports for the clinical pathway: pumps, implants, program changes, refills, pharmacy
verifications, tasks, device logs, the pump command log and the spent-token ledger.

Versioned aggregates use :class:`~thecal.services.repositories.VersionedRepository` (optimistic
locking, SR-24). ``ProgramChange`` and ``Refill`` are identified by ``change_id``/``refill_id``
rather than ``id``, so :class:`_KeyedRepository` keys the version memory by a key function. The
logs (device events, patient boluses, commands, tokens) are append-only ports.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from thecal.domain.implant import ImplantRecord
from thecal.domain.program_change import FindingSummary, ProgramChange
from thecal.domain.refill import Refill, RefillState
from thecal.services.pathway_records import (
    DeviceCommand,
    LoggedDeviceEvent,
    LoggedPatientBolus,
    PharmacyVerification,
    StoredTask,
    UsedToken,
)
from thecal.services.pump_record import Pump
from thecal.services.repositories import StaleAggregate, VersionedRepository

__all__ = [
    "DeviceCommandLog",
    "DeviceLogRepository",
    "DeviceSnapshot",
    "ImplantRepository",
    "PharmacyVerificationRepository",
    "ProgramChangeRepository",
    "PumpRepository",
    "RefillRepository",
    "TaskRepository",
    "TokenLedger",
]


class _KeyedRepository(VersionedRepository[Any]):
    """A versioned repository for aggregates whose identity attribute is not ``id``.

    ``pending`` carries the columns the domain aggregate does not hold (its pump, its key) from
    ``add_for_pump`` to ``_add``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[str, tuple[Any, ...]] = {}

    @staticmethod
    @abc.abstractmethod
    def key(aggregate: Any) -> str: ...

    def add(self, aggregate: Any) -> None:
        self._add(aggregate)
        self._loaded[self.key(aggregate)] = aggregate.version
        self.written = True

    def update(self, aggregate: Any) -> None:
        ident = self.key(aggregate)
        loaded = self._loaded.get(ident)
        if loaded is None:
            msg = f"{self.kind} {ident} was not loaded through this repository"
            raise RuntimeError(msg)
        if not self._update(aggregate, expected_version=loaded):
            raise StaleAggregate(kind=self.kind, ident=ident, expected=loaded)
        self._loaded[ident] = aggregate.version
        self.written = True

    def _remember(self, aggregate: Any) -> Any:
        if aggregate is not None:
            self._loaded[self.key(aggregate)] = aggregate.version
        return aggregate


class PumpRepository(VersionedRepository[Pump]):
    kind = "pump"

    def get_for_update(self, ident: str) -> Pump | None:
        """Load and lock the pump row for this transaction (serialises writers of one pump)."""
        return self._remember(self._get_locked(ident))

    def get_by_serial(self, serial: str) -> Pump | None:
        return self._remember(self._get_by_serial(serial))

    def for_patient(self, patient_id: str) -> Sequence[Pump]:
        return [p for p in self._for_patient(patient_id) if self._remember(p)]

    @abc.abstractmethod
    def _get_locked(self, ident: str) -> Pump | None: ...

    @abc.abstractmethod
    def _get_by_serial(self, serial: str) -> Pump | None: ...

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Pump]: ...


class ProgramChangeRepository(_KeyedRepository):
    kind = "program change"

    @staticmethod
    def key(aggregate: Any) -> str:
        return str(aggregate.change_id)

    def get_change(self, change_id: str) -> ProgramChange | None:
        found: ProgramChange | None = self.get(change_id)
        return found

    def get_by_key(self, idempotency_key: str) -> ProgramChange | None:
        found: ProgramChange | None = self._remember(self._get_by_key(idempotency_key))
        return found

    def in_flight(self, pump_id: str) -> Sequence[ProgramChange]:
        """Changes of this pump that were sent but not yet resolved by an interrogation."""
        return [c for c in self._in_flight(pump_id) if self._remember(c)]

    def pump_of(self, change_id: str) -> str | None:
        return self._pump_of(change_id)

    def for_pump(self, pump_id: str) -> Sequence[ProgramChange]:
        """Every change of this pump in any state, oldest proposal first (exports, histories)."""
        return [c for c in self._for_pump(pump_id) if self._remember(c)]

    @abc.abstractmethod
    def _for_pump(self, pump_id: str) -> Sequence[ProgramChange]: ...

    @abc.abstractmethod
    def _get_by_key(self, idempotency_key: str) -> ProgramChange | None: ...

    @abc.abstractmethod
    def _in_flight(self, pump_id: str) -> Sequence[ProgramChange]: ...

    @abc.abstractmethod
    def _pump_of(self, change_id: str) -> str | None: ...

    def add_for_pump(self, change: ProgramChange, *, pump_id: str, idempotency_key: str) -> None:
        """Add a new change for ``pump_id`` under ``idempotency_key`` (unique)."""
        self.pending[change.change_id] = (pump_id, idempotency_key)
        self.add(change)


class RefillRepository(_KeyedRepository):
    kind = "refill"

    @staticmethod
    def key(aggregate: Any) -> str:
        return str(aggregate.refill_id)

    def get_refill(self, refill_id: str) -> Refill | None:
        found: Refill | None = self.get(refill_id)
        return found

    def get_by_key(self, pump_id: str, idempotency_key: str) -> Refill | None:
        found: Refill | None = self._remember(self._get_by_key(pump_id, idempotency_key))
        return found

    def for_pump(self, pump_id: str) -> Sequence[Refill]:
        """The pump's refills, oldest first."""
        return [r for r in self._for_pump(pump_id) if self._remember(r)]

    @abc.abstractmethod
    def _get_by_key(self, pump_id: str, idempotency_key: str) -> Refill | None: ...

    @abc.abstractmethod
    def _for_pump(self, pump_id: str) -> Sequence[Refill]: ...

    def add_for_pump(
        self,
        refill: Refill,
        *,
        pump_id: str,
        verification_id: str | None,
        findings: tuple[FindingSummary, ...] = (),
    ) -> None:
        """Add a new refill of ``pump_id`` (its idempotency key is unique per pump)."""
        self.pending[refill.refill_id] = (pump_id, verification_id, findings)
        self.add(refill)

    def findings_of(self, refill_id: str) -> tuple[FindingSummary, ...]:
        """The safety review's findings stored with the refill."""
        return self._findings_of(refill_id)

    @abc.abstractmethod
    def _findings_of(self, refill_id: str) -> tuple[FindingSummary, ...]: ...

    @staticmethod
    def completed(refills: Sequence[Refill]) -> list[Refill]:
        return [r for r in refills if r.state is RefillState.COMPLETED]


class PharmacyVerificationRepository(VersionedRepository[PharmacyVerification]):
    kind = "pharmacy verification"


class TaskRepository(VersionedRepository[StoredTask]):
    kind = "task"

    def for_patient(self, patient_id: str, *, open_only: bool = False) -> Sequence[StoredTask]:
        """A patient's tasks by due date."""
        return [t for t in self._for_patient(patient_id, open_only=open_only) if self._remember(t)]

    def open_tasks(self, *, limit: int) -> Sequence[StoredTask]:
        """Up to ``limit`` open tasks of every patient, by due date (then id)."""
        return [t for t in self._open(limit=limit) if self._remember(t)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str, *, open_only: bool) -> Sequence[StoredTask]: ...

    @abc.abstractmethod
    def _open(self, *, limit: int) -> Sequence[StoredTask]: ...


class ImplantRepository(abc.ABC):
    """Implant records are written once (a correction is a new procedure record)."""

    @abc.abstractmethod
    def add(self, record: ImplantRecord, *, pump_id: str) -> None: ...

    @abc.abstractmethod
    def get(self, implant_id: str) -> ImplantRecord | None: ...


class DeviceLogRepository(abc.ABC):
    """Append-only: device events and patient-bolus entries reported by interrogations."""

    @abc.abstractmethod
    def add_events(self, events: Sequence[LoggedDeviceEvent]) -> None: ...

    @abc.abstractmethod
    def add_boluses(self, boluses: Sequence[LoggedPatientBolus]) -> None: ...

    @abc.abstractmethod
    def events(self, pump_id: str) -> Sequence[LoggedDeviceEvent]: ...

    @abc.abstractmethod
    def boluses(self, pump_id: str) -> Sequence[LoggedPatientBolus]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceSnapshot:
    """A pump twin's saved state as of its command ``seq`` (instant ``at``); JSON-ready."""

    serial: str
    seq: int
    at: dt.datetime
    state: dict[str, Any]


class DeviceCommandLog(abc.ABC):
    """Append-only: every command that reached a pump, numbered per serial from 1.

    A log may also keep each pump's latest twin snapshot (``adapters/twin_store.py``), so a
    twin is rebuilt from it plus the commands after it; one that keeps none (the defaults
    below) always has the twin replayed from its first command.
    """

    @abc.abstractmethod
    def for_serial(self, serial: str) -> Sequence[DeviceCommand]: ...

    def since(self, serial: str, seq: int) -> Sequence[DeviceCommand]:
        """The commands of ``serial`` numbered ``seq`` or later, in order."""
        return [command for command in self.for_serial(serial) if command.seq >= seq]

    def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
        """The twin state last saved for ``serial`` (None: none kept)."""
        del serial
        return None

    def save_snapshot(self, snapshot: DeviceSnapshot) -> None:
        """Keep ``snapshot`` as its pump's latest (replacing the one before); may ignore it."""
        del snapshot

    def database(self) -> object | None:
        """What identifies the database this log is in, for a process-local cache of twins of
        its committed commands (None: no such cache)."""
        return None

    def after_commit(self, callback: Callable[[], None]) -> bool:
        """Call ``callback`` once, when this log's transaction commits (never if it rolls
        back); False, and nothing is ever called, when the log cannot tell."""
        del callback
        return False

    @abc.abstractmethod
    def last_seq(self, serial: str) -> int:
        """The highest ``seq`` stored for ``serial`` (0 when none)."""

    @abc.abstractmethod
    def append(self, command: DeviceCommand) -> None:
        """Store ``command``; its ``(serial, seq)`` is unique, so a second writer fails."""


class TokenLedger(abc.ABC):
    """Spent confirmation tokens across all program changes (SR-16: no replay, anywhere)."""

    @abc.abstractmethod
    def is_used(self, token_id: str) -> bool: ...

    @abc.abstractmethod
    def spend(self, token: UsedToken) -> None: ...
