"""The persisted pump twin: a :class:`ClinicPumpDriver` whose pumps survive across processes.

The CLI and the web server are separate processes, so the twin cannot live in memory. Every
command that reaches a twin is appended to ``pump_device_commands`` (serial, seq, time, kind,
JSON payload) through the unit of work's :class:`DeviceCommandLog`, and a twin is rebuilt by
deterministic replay of its log from the ``implant`` command (the twin is event-driven and
seeded: the same commands at the same instants give the same pump, bit for bit; a 7-year life
replays in ~0.2 s).

Time: before every command the twin is advanced to ``clock.now()`` (never backwards; a clock
that went back — a demo offset reduced — leaves the twin where it is), so a use case's clock is
the pump's clock. The command log is written in the **same transaction** as the clinical records:
a rolled-back use case (a conflict, a crash, a serialization retry) leaves no command behind, so
the twin never holds a command the records do not explain, and a retried use case replays from
the committed log and never injects twice. See docs/persistence.md, "The pump twin behind the
driver".

Snapshots: every :data:`SNAPSHOT_EVERY` commands the driver saves the twin's whole state
(``adapters/twin/state.py``, with the pending pocket-fill share) as the pump's latest snapshot,
in the same transaction as the commands, tied to the command it follows. A twin is then rebuilt
from the snapshot plus the commands after it — a long-lived pump costs a bounded replay, not its
whole history. The log stays the truth: a snapshot that cannot be read (corrupt JSON, an unknown
format or :data:`SNAPSHOT_VERSION`, a malformed state) or that does not fit the log (its command
missing or at another instant, another serial) is logged as a warning and ignored — the twin is
replayed from ``implant`` and a fresh snapshot replaces it. ``SNAPSHOT_VERSION`` is raised
whenever the twin's behaviour changes, so a state saved by older simulation code is never
resumed. Snapshot + tail and full replay give the same twin (tests/unit/adapters/).

Kept twins: when a transaction that used a pump commits, the driver hands its twin — now exactly
the committed log — to a process-local cache (``kept.py``: per database, at most
:data:`~thecal.adapters.twin.kept.KEPT_TWINS` pumps). The next transaction takes it out (so no two
transactions ever share a twin) and uses it only if the log's last command is still the one the
twin applied last (same seq, instant, kind and payload); otherwise — another process wrote, the
twin is unknown — it rebuilds from the snapshot as above. A rolled-back transaction keeps nothing
(the after-commit call never comes), nor does one in which the twin raised mid-command (its state
may be ahead of the log).

Twin-only knobs (a scenario or the pump console, not the port): :meth:`set_pocket_fill`,
:meth:`inject_fault`, :meth:`start_mri`, :meth:`end_mri`; they are logged like any command.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from thecal.adapters.program_codec import (
    admixture_from_dict,
    admixture_to_dict,
    canonical_json,
    program_from_dict,
    program_to_dict,
)
from thecal.adapters.twin import state as twin_state
from thecal.adapters.twin.commands import (
    UnitOfWorkCommandLog,
    duration_from_text,
    duration_text,
    fault_from_dict,
    fault_to_dict,
)
from thecal.adapters.twin.kept import KeptTwin, KeptTwins
from thecal.domain.admixture import Admixture
from thecal.domain.dosing import PrimingMode
from thecal.domain.errors import NotFound
from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Duration, Volume, plain
from thecal.services.clock import Clock
from thecal.services.pump_devices import ClinicPumpDriver, ImplantSpec
from thecal.services.pump_driver import (
    BolusAnswer,
    InjectionReceipt,
    ProgramAck,
    PumpSnapshot,
    WithdrawalReceipt,
)
from thecal.services.repositories.device_log import DeviceCommand, DeviceCommandLog, DeviceSnapshot
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.simulation.errors import TwinStateInvalid
from thecal.simulation.faults import (
    Fault,
)
from thecal.simulation.status import CommandOutcome
from thecal.simulation.twin import PumpTwin

__all__ = [
    "SNAPSHOT_EVERY",
    "SNAPSHOT_FORMAT",
    "SNAPSHOT_VERSION",
    "TwinStoreDriver",
]

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 24  # commands between two saved states of a pump's twin
SNAPSHOT_FORMAT = "thecal-twin-store-snapshot"
SNAPSHOT_VERSION = 1  # raise it when the twin's behaviour changes: older states are ignored
_KEPT = KeptTwins()


class TwinStoreDriver:
    """A :class:`ClinicPumpDriver` over persisted, replayed twins (one instance per transaction)."""

    def __init__(
        self, log: DeviceCommandLog, *, clock: Clock, library: ReferenceLibrary | None = None
    ) -> None:
        self._log = log
        self._clock = clock
        self._library = library or reference_library()
        self._twins: dict[str, PumpTwin] = {}
        self._seq: dict[str, int] = {}
        self._pocket: dict[str, Decimal] = {}
        self._saved: dict[str, int] = {}  # serial → seq of its latest snapshot (0: none)
        self._last: dict[str, DeviceCommand] = {}  # serial → the last command its twin applied
        self._raised: set[str] = set()  # serials whose twin raised mid-command: never kept
        self._watching = False
        self.replayed_commands = 0
        self.snapshots_ignored = 0
        self.kept_twins_used = 0

    @classmethod
    def for_unit_of_work(
        cls, uow: AbstractUnitOfWork, *, clock: Clock, library: ReferenceLibrary | None = None
    ) -> TwinStoreDriver:
        """A driver whose commands go to ``uow``'s transaction (use it inside ``with uow:``)."""
        return cls(UnitOfWorkCommandLog(uow), clock=clock, library=library)

    # ------------------------------------------------------------------ replay

    def twin(self, serial: str) -> PumpTwin:
        """The twin of ``serial`` as of the committed log plus this transaction's commands."""
        found = self._twins.get(serial)
        if found is not None:
            return found
        self._watch()
        if self._take_kept(serial):
            return self._twins[serial]
        resumed = self._resume(serial)
        if resumed is not None:
            twin, tail, saved = resumed
        else:
            tail = self._log.for_serial(serial)
            if not tail or tail[0].kind != "implant":
                raise NotFound(kind="pump", ident=serial)
            twin, saved = self._build(tail[0].payload), 0
        self._twins[serial] = twin
        self._saved[serial] = saved
        for command in tail[1:]:
            if command.at > twin.now:
                twin.advance_to(command.at)
            self._apply(twin, command.kind, command.payload)
        self._seq[serial] = tail[-1].seq
        self._last[serial] = tail[-1]
        self.replayed_commands += len(tail)
        return twin

    # ------------------------------------------------------------------ kept twins

    def _watch(self) -> None:
        """Once per driver: keep its twins when the transaction commits."""
        if not self._watching:
            self._watching = self._log.after_commit(self._keep_all)

    def _take_kept(self, serial: str) -> bool:
        """Use the twin a committed transaction kept, if the log still ends where it did."""
        database = self._log.database() if self._watching else None
        kept = None if database is None else _KEPT.take(database, serial)
        if kept is None:
            return False
        head = self._log.since(serial, kept.last.seq)
        if len(head) != 1 or not _same(head[0], kept.last):
            return False  # another writer moved on: rebuild
        self._twins[serial] = kept.twin
        self._seq[serial] = kept.last.seq
        self._saved[serial] = kept.saved
        self._last[serial] = head[0]
        if kept.pocket is not None:
            self._pocket[serial] = kept.pocket
        self.kept_twins_used += 1
        return True

    def _keep_all(self) -> None:
        """After the commit: every twin used is the committed log; keep it, forget it here."""
        database = self._log.database()
        if database is not None:
            for serial, twin in self._twins.items():
                if serial not in self._raised:
                    kept = KeptTwin(
                        twin=twin,
                        last=self._last[serial],
                        saved=self._saved.get(serial, 0),
                        pocket=self._pocket.get(serial),
                    )
                    _KEPT.keep(database, serial, kept)
        for state in (self._twins, self._seq, self._saved, self._last, self._pocket):
            state.clear()
        self._raised.clear()
        self._watching = False

    def _resume(self, serial: str) -> tuple[PumpTwin, Sequence[DeviceCommand], int] | None:
        """The twin restored from its latest snapshot, the commands from the snapshot's on."""
        try:
            saved = self._log.latest_snapshot(serial)
            if saved is None:
                return None
            twin, pocket = self._restore(saved)
        except (TwinStateInvalid, ValueError) as error:
            self._ignore(serial, f"unreadable ({error})")
            return None
        tail = self._log.since(serial, saved.seq)
        if not tail or tail[0].seq != saved.seq or tail[0].at != saved.at:
            self._ignore(serial, f"its command {saved.seq} is not in the log as saved")
            return None
        if twin.serial != serial or twin.now != saved.at:
            self._ignore(serial, "it describes another pump or another instant")
            return None
        if pocket is not None:
            self._pocket[serial] = pocket
        return twin, tail, saved.seq

    def _ignore(self, serial: str, why: str) -> None:
        log.warning("pump %s: snapshot ignored, replaying the whole log: %s", serial, why)
        self.snapshots_ignored += 1

    def _restore(self, saved: DeviceSnapshot) -> tuple[PumpTwin, Decimal | None]:
        state = saved.state
        if not isinstance(state, dict) or state.get("format") != SNAPSHOT_FORMAT:
            raise TwinStateInvalid(where="format", detail=f"expected {SNAPSHOT_FORMAT!r}")
        if state.get("version") != SNAPSHOT_VERSION:
            raise TwinStateInvalid(
                where="version", detail=f"{state.get('version')!r} is not {SNAPSHOT_VERSION}"
            )
        pocket, saved_twin = state.get("pocket_percent"), state.get("twin")
        if not isinstance(saved_twin, dict):
            raise TwinStateInvalid(where="twin", detail="the twin's state is missing")
        twin = twin_state.restore(saved_twin, library=self._library)
        return twin, None if pocket is None else Decimal(pocket)

    def _save(self, serial: str, twin: PumpTwin) -> None:
        """Keep the twin's state as of its last command (same transaction as that command)."""
        seq = self._seq[serial]
        pocket = self._pocket.get(serial)
        state = {
            "format": SNAPSHOT_FORMAT,
            "version": SNAPSHOT_VERSION,
            "pocket_percent": None if pocket is None else plain(pocket),
            "twin": twin_state.snapshot(twin),
        }
        self._log.save_snapshot(DeviceSnapshot(serial=serial, seq=seq, at=twin.now, state=state))
        self._saved[serial] = seq

    def _build(self, payload: dict[str, Any]) -> PumpTwin:
        return PumpTwin(
            pump=self._library.pump(payload["model_id"]),
            catheter=self._library.catheter(payload["catheter_model_id"]),
            catheter_length_cm=Decimal(payload["catheter_length_cm"]),
            start=dt.datetime.fromisoformat(payload["at"]),
            serial=payload["serial"],
            library=self._library,
            rng=random.Random(int(payload["seed"])),
            record_trace=False,
        )

    def _apply(self, twin: PumpTwin, kind: str, payload: dict[str, Any]) -> Any:
        """Give one logged command to the twin (live and in replay alike)."""
        serial = twin.serial
        handlers: dict[str, Callable[[], Any]] = {
            "program": lambda: twin.program(program_from_dict(payload["program"])),
            "bridge-bolus": lambda: _bridge(twin, program_from_dict(payload["program"])),
            "priming-bolus": twin.priming_bolus,
            "catheter-revision": lambda: twin.revise_catheter(
                self._library.catheter(payload["catheter_model_id"]),
                Decimal(payload["catheter_length_cm"]),
            ),
            "catheter-priming": lambda: twin.priming_bolus(
                mode=PrimingMode.AFTER_CATHETER_REVISION
            ),
            "explant": lambda: twin.explant(payload["reason"]),
            "withdraw": twin.withdraw_residual,
            "inject": lambda: twin.inject(
                Volume(Decimal(payload["volume_ml"])),
                admixture_from_dict(payload["admixture"]),
                pocket_percent=Decimal(payload["pocket_percent"]),
            ),
            "interrogate": twin.interrogate,
            "patient-bolus": twin.request_patient_bolus,
            "pocket-fill": lambda: self._pocket.__setitem__(serial, Decimal(payload["percent"])),
            "fault": lambda: twin.inject_fault(fault_from_dict(payload["fault"])),
            "mri-start": twin.start_mri,
            "mri-end": lambda: twin.end_mri(recovery=duration_from_text(payload.get("recovery_s"))),
        }
        if kind == "inject":
            self._pocket.pop(serial, None)
        return handlers[kind]()

    def _run(self, serial: str, kind: str, payload: dict[str, Any]) -> tuple[PumpTwin, Any]:
        """Advance to now, run the command, and log it only if the pump took it."""
        twin = self.twin(serial)
        now = self._clock.now()
        try:
            if now > twin.now:
                twin.advance_to(now)
            result = self._apply(twin, kind, payload)
        except BaseException:
            self._raised.add(serial)  # the twin may be ahead of the log: never kept
            raise
        seq = self._seq[serial] + 1
        command = DeviceCommand(serial=serial, seq=seq, at=twin.now, kind=kind, payload=payload)
        self._log.append(command)
        self._seq[serial] = seq
        self._last[serial] = command
        if seq - self._saved.get(serial, 0) >= SNAPSHOT_EVERY:
            self._save(serial, twin)
        return twin, result

    # ------------------------------------------------------------------ implant

    def implant(self, spec: ImplantSpec) -> None:
        if self._log.last_seq(spec.serial) or spec.serial in self._twins:
            msg = f"a pump with serial {spec.serial} is already known to the driver"
            raise ValueError(msg)
        payload = {
            "serial": spec.serial,
            "model_id": spec.model_id,
            "catheter_model_id": spec.catheter_model_id,
            "catheter_length_cm": plain(spec.catheter_length_cm),
            "at": spec.at.astimezone(dt.UTC).isoformat(),
            "seed": spec.seed,
        }
        self._watch()
        self._twins[spec.serial] = self._build(payload)
        command = DeviceCommand(
            serial=spec.serial, seq=1, at=spec.at, kind="implant", payload=payload
        )
        self._log.append(command)
        self._seq[spec.serial] = 1
        self._saved[spec.serial] = 0
        self._last[spec.serial] = command

    def priming_bolus(self, serial: str) -> Volume:
        _, plan = self._run(serial, "priming-bolus", {})
        volume: Volume = plan.volume
        return volume

    def revise_catheter(self, serial: str, *, catheter_model_id: str, length_cm: Decimal) -> Volume:
        payload = {"catheter_model_id": catheter_model_id, "catheter_length_cm": plain(length_cm)}
        _, volume = self._run(serial, "catheter-revision", payload)
        revised: Volume = volume
        return revised

    def catheter_priming(self, serial: str) -> Volume:
        _, plan = self._run(serial, "catheter-priming", {})
        volume: Volume = plan.volume
        return volume

    def explant(self, serial: str, *, reason: str) -> None:
        self._run(serial, "explant", {"reason": reason})

    # ------------------------------------------------------------------ the port

    def interrogate(self, serial: str) -> PumpSnapshot:
        _, status = self._run(serial, "interrogate", {})
        return PumpSnapshot(
            serial=status.serial,
            at=status.at,
            model_id=status.model_id,
            program=status.program,
            reservoir_estimate=status.reservoir,
            delivered_since_refill=status.delivered_since_refill,
            low_reservoir_alarm=status.low_reservoir_alarm,
            delivering=status.delivering,
            alarms=status.alarms,
            battery=status.battery,
            eri_at=status.eri_at,
            end_of_service_at=status.end_of_service_at,
            events=status.events,
            patient_boluses=status.patient_boluses,
        )

    def program(self, serial: str, program: InfusionProgram) -> ProgramAck:
        _, outcome = self._run(serial, "program", {"program": program_to_dict(program)})
        if outcome is CommandOutcome.ACKNOWLEDGED:
            return ProgramAck.ACKNOWLEDGED
        return ProgramAck.UNCERTAIN

    def bridge_bolus(self, serial: str, program: InfusionProgram) -> ProgramAck:
        _, outcome = self._run(serial, "bridge-bolus", {"program": program_to_dict(program)})
        if outcome is CommandOutcome.ACKNOWLEDGED:
            return ProgramAck.ACKNOWLEDGED
        return ProgramAck.UNCERTAIN

    def withdraw_residual(self, serial: str) -> WithdrawalReceipt:
        twin, measured = self._run(serial, "withdraw", {})
        return WithdrawalReceipt(serial=serial, at=twin.now, measured=measured)

    def inject(self, serial: str, *, volume: Volume, admixture: Admixture) -> InjectionReceipt:
        self.twin(serial)
        payload = {
            "volume_ml": plain(volume.value),
            "admixture": admixture_to_dict(admixture),
            "pocket_percent": plain(self._pocket.get(serial, Decimal(0))),
        }
        twin, _ = self._run(serial, "inject", payload)
        return InjectionReceipt(
            serial=serial, at=twin.now, injected=volume, reservoir_estimate=twin.belief.reservoir
        )

    def request_patient_bolus(self, serial: str) -> BolusAnswer:
        _, decision = self._run(serial, "patient-bolus", {})
        return BolusAnswer(
            serial=serial,
            at=decision.at,
            granted=decision.granted,
            reason=decision.reason,
            uncertain=decision.uncertain,
        )

    # ------------------------------------------------------------------ twin-only knobs

    def set_pocket_fill(self, serial: str, percent: Decimal) -> None:
        """The next injection into this pump puts ``percent`` % into the pocket (logged)."""
        self._run(serial, "pocket-fill", {"percent": plain(percent)})

    def inject_fault(self, serial: str, fault: Fault) -> None:
        self._run(serial, "fault", {"fault": fault_to_dict(fault)})

    def start_mri(self, serial: str) -> None:
        self._run(serial, "mri-start", {})

    def end_mri(self, serial: str, *, recovery: Duration | None = None) -> None:
        self._run(serial, "mri-end", {"recovery_s": duration_text(recovery)})


def _bridge(twin: PumpTwin, program: InfusionProgram) -> CommandOutcome:
    """Send ``program`` behind a bridge bolus; uncertain when the telemetry link is down."""
    uncertain = twin.telemetry is not None
    twin.bridge_bolus(program)
    return CommandOutcome.UNCERTAIN if uncertain else CommandOutcome.ACKNOWLEDGED


def _same(stored: DeviceCommand, applied: DeviceCommand) -> bool:
    """The stored command is the one applied (its payload compared as the log stores it)."""
    return (
        stored.serial == applied.serial
        and stored.seq == applied.seq
        and stored.at == applied.at
        and stored.kind == applied.kind
        and canonical_json(stored.payload) == canonical_json(applied.payload)
    )


def _conforms(driver: TwinStoreDriver) -> ClinicPumpDriver:
    return driver  # mypy checks that the persisted twin implements the clinic driver
