"""The persisted twin on SQLite and PostgreSQL: snapshots are one row per pump tied to its
command, a committed twin is kept for the next transaction, and nothing is kept after a
rollback or used once another process (another engine) wrote to the pump."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, func, select

from thecal.adapters.sql.database import make_engine
from thecal.adapters.sql.tables.twin import pump_twin_snapshots
from thecal.adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from thecal.adapters.twin import state as twin_state
from thecal.adapters.twin import store as twin_store
from thecal.adapters.twin.commands import UnitOfWorkCommandLog
from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume
from thecal.services.pump_devices import ImplantSpec
from thecal.services.repositories.device_log import DeviceSnapshot

SERIAL = "NGP-777001"
START = dt.datetime(2025, 5, 5, 9, 0, tzinfo=dt.UTC)
MORPHINE = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
PROGRAM = InfusionProgram.continuous(
    MORPHINE,
    DoseRate.from_mg_per_day(Decimal(1)),
    patient_bolus=PatientBolusSettings(
        dose=Mass.from_mg(Decimal("0.05")),
        duration=Duration.minutes(10),
        lockout=Duration.hours(4),
        max_per_day=3,
    ),
)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def now(self) -> dt.datetime:
        return self.at


class _WithoutSnapshots(UnitOfWorkCommandLog):
    def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
        del serial
        return None


def _replayed_state(uow: SqlAlchemyUnitOfWork, clock: Clock) -> object:
    with uow:
        return twin_state.snapshot(
            TwinStoreDriver(_WithoutSnapshots(uow), clock=clock).twin(SERIAL)
        )


def test_kept_twins_and_snapshots_on_the_database(migrated: Engine, settings: Settings) -> None:
    app = bootstrap(settings, engine=migrated)
    clock = Clock()
    with app.uow() as uow:
        driver = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
        driver.implant(
            ImplantSpec(
                serial=SERIAL,
                model_id="synchromed-ii-20",
                catheter_model_id="indura-1p-8709sc",
                catheter_length_cm=Decimal(55),
                at=START,
                seed=42,
            )
        )
        driver.inject(SERIAL, volume=Volume.from_ml(20), admixture=MORPHINE)
        driver.program(SERIAL, PROGRAM)
        uow.commit()
    for hour in range(1, 31):  # 30 presses, each its own transaction: snapshots are saved
        clock.at = START + dt.timedelta(hours=3 * hour)
        with app.uow() as uow:
            driver = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
            driver.request_patient_bolus(SERIAL)
            uow.commit()
        assert driver.kept_twins_used == 1  # the twin the last commit kept
        assert driver.replayed_commands == 0
    with migrated.connect() as connection:
        rows = connection.execute(select(pump_twin_snapshots)).mappings().all()
    assert len(rows) == 1  # one row per pump, replaced at every save
    assert rows[0]["seq"] == twin_store.SNAPSHOT_EVERY  # 33 commands: saved once, at 24

    clock.at += dt.timedelta(hours=1)
    with app.uow() as uow:  # a press that rolls back: its twin is not kept
        TwinStoreDriver.for_unit_of_work(uow, clock=clock).request_patient_bolus(SERIAL)
    with app.uow() as uow:
        driver = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
        state = twin_state.snapshot(driver.twin(SERIAL))
        assert driver.kept_twins_used == 0
        assert 0 < driver.replayed_commands < 33  # from the snapshot
        assert uow.device_commands.last_seq(SERIAL) == 33
    assert state == _replayed_state(app.uow(), clock)

    with app.uow() as uow:  # kept again after a read that commits
        TwinStoreDriver.for_unit_of_work(uow, clock=clock).twin(SERIAL)
        uow.commit()
    other = bootstrap(settings, engine=make_engine(settings.database_url))  # another process
    try:
        clock.at += dt.timedelta(hours=5)
        with other.uow() as uow:
            TwinStoreDriver.for_unit_of_work(uow, clock=clock).interrogate(SERIAL)
            uow.commit()
    finally:
        other.close()
    with app.uow() as uow:
        driver = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
        state = twin_state.snapshot(driver.twin(SERIAL))
        assert driver.kept_twins_used == 0  # the log moved on elsewhere: rebuilt
    assert state == _replayed_state(app.uow(), clock)
    with migrated.connect() as connection:
        snapshots = connection.execute(select(func.count()).select_from(pump_twin_snapshots))
        assert snapshots.scalar_one() == 1
