"""The persisted twin's snapshots and kept twins: snapshot + tail replay, and a twin kept from
the last committed transaction, give exactly the twin a full replay gives; a snapshot that is
unreadable, of another version or that does not fit the log is ignored (full replay, a warning),
and a kept twin is used only if the log still ends with the command it applied last.

Each "transaction" below is a fresh :class:`TwinStoreDriver` over the same in-memory log, as in
the application (one driver per unit of work). Payloads and states go through JSON, as in the
database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from thecal.adapters.program_codec import canonical_json
from thecal.adapters.twin import state as twin_state
from thecal.adapters.twin import store as twin_store
from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume
from thecal.services.pump_devices import ImplantSpec
from thecal.services.repositories.device_log import DeviceCommand, DeviceCommandLog, DeviceSnapshot
from thecal.simulation.faults import DeliveryError, MotorStall

SERIAL = "NGP-000042"
START = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)
MORPHINE = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
PROGRAM = InfusionProgram.continuous(
    MORPHINE,
    DoseRate.from_mg_per_day(Decimal("1.5")),
    patient_bolus=PatientBolusSettings(
        dose=Mass.from_mg(Decimal("0.1")),
        duration=Duration.minutes(10),
        lockout=Duration.hours(4),
        max_per_day=3,
    ),
)

MORPHINE_20 = Admixture.single("morphine", Concentration.from_mg_per_ml(20))
PROGRAM_20 = replace(PROGRAM, admixture=MORPHINE_20)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def now(self) -> dt.datetime:
        return self.at


class MemoryLog(DeviceCommandLog):
    """The command log in memory, JSON round-tripped; keeps snapshots only if asked to."""

    def __init__(self, *, keeps_snapshots: bool) -> None:
        self.commands: list[DeviceCommand] = []
        self.snapshots: dict[str, DeviceSnapshot] = {}
        self.keeps_snapshots = keeps_snapshots
        self.saved = 0

    def for_serial(self, serial: str) -> Sequence[DeviceCommand]:
        return [c for c in self.commands if c.serial == serial]

    def last_seq(self, serial: str) -> int:
        return max((c.seq for c in self.for_serial(serial)), default=0)

    def append(self, command: DeviceCommand) -> None:
        assert command.seq == self.last_seq(command.serial) + 1
        self.commands.append(replace(command, payload=json.loads(canonical_json(command.payload))))

    def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
        return self.snapshots.get(serial)

    def save_snapshot(self, snapshot: DeviceSnapshot) -> None:
        if self.keeps_snapshots:
            self.saved += 1
            state = json.loads(canonical_json(snapshot.state))
            self.snapshots[snapshot.serial] = replace(snapshot, state=state)

    def commit(self) -> None:
        """The end of a transaction (this log has none)."""


class CommittingLog(MemoryLog):
    """A log with transactions: ``commit`` calls the after-commit callbacks, ``rollback`` drops
    what the transaction appended (commands and snapshots) and calls nothing."""

    def __init__(self) -> None:
        super().__init__(keeps_snapshots=True)
        self.callbacks: list[Callable[[], None]] = []
        self.committed: tuple[int, dict[str, DeviceSnapshot]] = (0, {})

    def database(self) -> object | None:
        return self

    def after_commit(self, callback: Callable[[], None]) -> bool:
        self.callbacks.append(callback)
        return True

    def commit(self) -> None:
        self.committed = (len(self.commands), dict(self.snapshots))
        callbacks, self.callbacks = self.callbacks, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        count, snapshots = self.committed
        del self.commands[count:]
        self.snapshots = dict(snapshots)
        self.callbacks = []


def _refill(tx: Callable[[Callable[[TwinStoreDriver], Any]], None], clock: Clock, day: int) -> None:
    """Every 90 days: the pocket fill is set before the second; the third brings a new
    concentration, sent behind a bridge bolus."""
    if day == 180:
        tx(lambda d: d.set_pocket_fill(SERIAL, Decimal(30)))
        clock.at += dt.timedelta(hours=1)
    tx(lambda d: d.withdraw_residual(SERIAL))
    fill = MORPHINE_20 if day >= 270 else MORPHINE
    tx(lambda d: d.inject(SERIAL, volume=Volume.from_ml(20), admixture=fill))
    if day == 270:
        tx(lambda d: d.bridge_bolus(SERIAL, PROGRAM_20))


def _life(log: MemoryLog, clock: Clock, seed: int) -> list[str]:
    """A pump's year: implant, fill, program; then interrogations, button presses (some in the
    lockout), refills (one with a pocket fill set in an earlier transaction, one with a new
    concentration and a bridge bolus), a delivery fault, a motor stall and an MRI — each in its
    own transaction. Returns every outcome as text."""
    rng = random.Random(seed)
    outcomes: list[str] = []

    def tx(act: Callable[[TwinStoreDriver], Any]) -> None:
        outcomes.append(repr(act(TwinStoreDriver(log, clock=clock))))
        log.commit()

    spec = ImplantSpec(
        serial=SERIAL,
        model_id="synchromed-ii-20",
        catheter_model_id="indura-1p-8709sc",
        catheter_length_cm=Decimal(60),
        at=START,
        seed=seed,
    )

    def implant(driver: TwinStoreDriver) -> Any:
        driver.implant(spec)
        driver.inject(SERIAL, volume=Volume.from_ml(20), admixture=MORPHINE)
        driver.program(SERIAL, PROGRAM)
        return driver.priming_bolus(SERIAL)

    tx(implant)
    for day in range(1, 361):
        clock.at = START + dt.timedelta(days=day, minutes=rng.randrange(0, 600))
        if day % 90 == 0:
            _refill(tx, clock, day)
        if day == 40:
            tx(lambda d: d.inject_fault(SERIAL, DeliveryError(percent=Decimal(30))))
        if day == 200:
            tx(lambda d: d.inject_fault(SERIAL, MotorStall(duration=Duration.hours(6))))
        if day == 250:
            tx(lambda d: d.start_mri(SERIAL))
            clock.at += dt.timedelta(hours=1)
            tx(lambda d: d.end_mri(SERIAL))
        if rng.random() < 0.3:
            tx(lambda d: d.request_patient_bolus(SERIAL))
            if rng.random() < 0.5:  # pressed again inside the lockout
                clock.at += dt.timedelta(minutes=rng.randrange(5, 120))
                tx(lambda d: d.request_patient_bolus(SERIAL))
        if day % 30 == 0:
            tx(lambda d: d.interrogate(SERIAL))
    return outcomes


def _state(driver: TwinStoreDriver) -> str:
    return canonical_json(twin_state.snapshot(driver.twin(SERIAL)))


@pytest.fixture(autouse=True)
def often(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twin_store, "SNAPSHOT_EVERY", 5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_snapshot_and_tail_replay_behave_exactly_as_full_replay(seed: int) -> None:
    with_snapshots, without = MemoryLog(keeps_snapshots=True), MemoryLog(keeps_snapshots=False)
    outcomes = _life(with_snapshots, Clock(), seed)
    assert outcomes == _life(without, Clock(), seed)  # every answer, transaction by transaction
    assert with_snapshots.commands == without.commands  # the same log, command for command
    assert with_snapshots.saved >= len(with_snapshots.commands) // 5 - 1
    resumed = TwinStoreDriver(with_snapshots, clock=Clock())
    replayed = TwinStoreDriver(without, clock=Clock())
    assert _state(resumed) == _state(replayed)
    assert resumed.replayed_commands <= 5 < replayed.replayed_commands == len(without.commands)
    assert resumed.snapshots_ignored == 0


def test_a_pocket_fill_pending_in_a_snapshot_reaches_the_next_injection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(twin_store, "SNAPSHOT_EVERY", 1)  # a state after every command
    log, reference = MemoryLog(keeps_snapshots=True), MemoryLog(keeps_snapshots=False)
    _life(log, Clock(), 1)
    _life(reference, Clock(), 1)
    pocket = next(i for i, c in enumerate(log.commands) if c.kind == "pocket-fill")
    assert [c.kind for c in log.commands[pocket : pocket + 3]] == [
        "pocket-fill",
        "withdraw",
        "inject",
    ]  # three transactions: the share set in the first is only in the snapshot by the third
    assert log.commands[pocket + 2].payload["pocket_percent"] == "30"
    assert log.commands == reference.commands


def _corruptions() -> dict[str, Callable[[DeviceSnapshot, MemoryLog], DeviceSnapshot]]:
    def state(snapshot: DeviceSnapshot, **changes: Any) -> DeviceSnapshot:
        return replace(snapshot, state={**snapshot.state, **changes})

    def earlier(snapshot: DeviceSnapshot, log: MemoryLog) -> DeviceSnapshot:
        before = log.commands[snapshot.seq - 3]  # a real command, but not the saved one
        return replace(snapshot, seq=before.seq)

    return {
        "old version": lambda s, _: state(s, version=twin_store.SNAPSHOT_VERSION - 1),
        "another format": lambda s, _: state(s, format="something-else"),
        "twin missing": lambda s, _: state(s, twin=None),
        "twin garbled": lambda s, _: state(s, twin={**s.state["twin"], "mechanics": {}}),
        "twin of another version": lambda s, _: state(s, twin={**s.state["twin"], "version": 99}),
        "another pump": lambda s, _: state(s, twin={**s.state["twin"], "serial": "PRM-000001"}),
        "seq past the log": lambda s, log: replace(s, seq=len(log.commands) + 1),
        "seq of an earlier command": earlier,
        "another instant": lambda s, _: replace(s, at=s.at + dt.timedelta(seconds=1)),
    }


@pytest.mark.parametrize("corruption", sorted(_corruptions()))
def test_a_snapshot_that_does_not_fit_is_ignored_for_a_full_replay(
    corruption: str, caplog: pytest.LogCaptureFixture
) -> None:
    log, reference = MemoryLog(keeps_snapshots=True), MemoryLog(keeps_snapshots=False)
    _life(log, Clock(), 2)
    _life(reference, Clock(), 2)
    log.snapshots[SERIAL] = _corruptions()[corruption](log.snapshots[SERIAL], log)
    with caplog.at_level(logging.WARNING, logger=twin_store.__name__):
        driver = TwinStoreDriver(log, clock=Clock())
        state = _state(driver)
    assert driver.snapshots_ignored == 1
    assert driver.replayed_commands == len(log.commands)
    assert state == _state(TwinStoreDriver(reference, clock=Clock()))
    assert f"pump {SERIAL}: snapshot ignored" in caplog.text


def test_unreadable_snapshot_json_is_ignored_for_a_full_replay() -> None:
    class Unreadable(MemoryLog):
        def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
            json.loads("{not json " + serial)  # the stored text is not JSON: ValueError
            return None

    log, reference = Unreadable(keeps_snapshots=True), MemoryLog(keeps_snapshots=False)
    _life(log, Clock(), 3)
    _life(reference, Clock(), 3)
    driver = TwinStoreDriver(log, clock=Clock())
    assert _state(driver) == _state(TwinStoreDriver(reference, clock=Clock()))
    assert driver.snapshots_ignored == 1


def test_the_next_commands_replace_an_ignored_snapshot_with_a_good_one() -> None:
    log = MemoryLog(keeps_snapshots=True)
    clock = Clock()
    _life(log, clock, 1)
    broken = log.snapshots[SERIAL]
    log.snapshots[SERIAL] = replace(broken, state={**broken.state, "version": 0})
    for hour in range(1, 7):
        clock.at += dt.timedelta(hours=hour)
        TwinStoreDriver(log, clock=clock).interrogate(SERIAL)
    fresh = log.snapshots[SERIAL]
    assert fresh.state["version"] == twin_store.SNAPSHOT_VERSION
    assert fresh.seq > broken.seq
    assert TwinStoreDriver(log, clock=clock).twin(SERIAL) is not None


def test_a_twin_kept_from_the_committed_transaction_behaves_exactly_as_full_replay() -> None:
    kept, replayed = CommittingLog(), MemoryLog(keeps_snapshots=False)
    outcomes = _life(kept, Clock(), 4)
    assert outcomes == _life(replayed, Clock(), 4)
    assert kept.commands == replayed.commands
    driver = TwinStoreDriver(kept, clock=Clock())
    assert _state(driver) == _state(TwinStoreDriver(replayed, clock=Clock()))
    assert driver.kept_twins_used == 1
    assert driver.replayed_commands == 0


def test_a_rolled_back_transaction_keeps_no_twin() -> None:
    log, reference = CommittingLog(), MemoryLog(keeps_snapshots=False)
    clock = Clock()
    _life(log, clock, 5)
    _life(reference, Clock(), 5)
    clock.at += dt.timedelta(hours=1)
    doomed = TwinStoreDriver(log, clock=clock)
    doomed.request_patient_bolus(SERIAL)  # a press that never commits
    doomed.interrogate(SERIAL)
    log.rollback()
    driver = TwinStoreDriver(log, clock=Clock())
    assert driver.kept_twins_used == 0
    assert _state(driver) == _state(TwinStoreDriver(reference, clock=Clock()))


def test_a_kept_twin_is_not_used_once_another_writer_moved_the_log_on() -> None:
    log, reference = CommittingLog(), MemoryLog(keeps_snapshots=False)
    clock = Clock()
    _life(log, clock, 6)
    _life(reference, Clock(), 6)
    clock.at += dt.timedelta(hours=1)
    for other in (log, reference):  # another process: a driver that keeps no twins
        elsewhere = MemoryLog(keeps_snapshots=False)
        elsewhere.commands = other.commands
        TwinStoreDriver(elsewhere, clock=clock).interrogate(SERIAL)
    driver = TwinStoreDriver(log, clock=clock)
    assert driver.kept_twins_used == 0
    assert _state(driver) == _state(TwinStoreDriver(reference, clock=clock))


def test_a_twin_that_raised_mid_command_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    log = CommittingLog()
    clock = Clock()
    _life(log, clock, 7)
    clock.at += dt.timedelta(hours=1)
    failing = TwinStoreDriver(log, clock=clock)
    twin = failing.twin(SERIAL)

    def broken() -> None:
        msg = "the link dropped mid-command"
        raise RuntimeError(msg)

    monkeypatch.setattr(twin, "interrogate", broken)
    with pytest.raises(RuntimeError):
        failing.interrogate(SERIAL)
    log.commit()  # the use case committed anyway (nothing of the command was logged)
    driver = TwinStoreDriver(log, clock=clock)
    driver.twin(SERIAL)
    assert driver.kept_twins_used == 0
