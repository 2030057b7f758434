"""The cached worklist on real databases (SQLite and PostgreSQL): as of the minute, keyed by the
clinical generation; every clinical write (from any engine), every clinic-clock change shows on the
very next read; an audited read alone does not invalidate, and every read, hit or miss, is audited.
"""

from __future__ import annotations

import datetime as dt

from pathway_scenario import NURSE, MovableClock, actor, implant, propose, refill, sign, verify
from sqlalchemy import Engine, func, select

from thecal.adapters.clock import SystemClock
from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.adapters.sql.clinic_clock import ClinicClock, set_clock_offset
from thecal.adapters.sql.clinical_generation import READ_GENERATION
from thecal.adapters.sql.database import make_engine
from thecal.adapters.sql.tables.audit import audit_entries
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import Settings
from thecal.domain.authorization import Action
from thecal.services.clock import Clock
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import propose_program_change, sign_program_change
from thecal.services.pumps import GetPump, get_pump, implant_pump
from thecal.services.refills import perform_refill
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.services.worklist import (
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

FAR = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
ALL = WorklistQuery(due_before=FAR, limit=100)
REFILLS = WorklistQuery(kinds=frozenset({WorklistKind.REFILL_DUE, WorklistKind.REFILL_OVERDUE}))


def read(app: Thecal, source: SqlWorklistReadModel, query: WorklistQuery = ALL) -> WorklistPage:
    def use_case(cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock) -> WorklistPage:
        return read_worklist(cmd, uow=uow, clock=clock, source=source)

    return app.run(use_case, ReadWorklist(actor=actor(NURSE), query=query))


def generation(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(READ_GENERATION).scalar_one())


def audited_reads(engine: Engine) -> int:
    counted = (
        select(func.count())
        .select_from(audit_entries)
        .where(audit_entries.c.action == Action.WORKLIST_READ.value)
    )
    with engine.connect() as connection:
        return int(connection.execute(counted).scalar_one())


def sign_a_change(app: Thecal, clock: MovableClock) -> str:
    change = app.run(propose_program_change, propose("5.5")).change
    app.run(sign_program_change, sign(change, clock.now()))
    return change.change_id


def test_a_repeated_read_is_a_hit_still_audited_and_a_write_shows_on_the_next_read(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    source = SqlWorklistReadModel(clinic.engine)
    before = generation(clinic.engine)

    first = read(clinic, source)
    clock.advance(seconds=30)  # the same minute
    second = read(clinic, source)

    assert (source.cache.misses, source.cache.hits) == (1, 1)
    assert second is first  # the cached page: the audited read in between changed nothing
    assert generation(clinic.engine) == before
    assert audited_reads(clinic.engine) == 2  # the hit was audited too
    assert second.as_of == clock.now().replace(second=0)  # as of the start of the minute
    assert WorklistKind.PROGRAM_COSIGN not in {r.kind for r in second.rows}

    change_id = sign_a_change(clinic, clock)  # still the same minute
    third = read(clinic, source)

    assert generation(clinic.engine) > before
    assert source.cache.misses == 2
    cosign = [r for r in third.rows if r.kind is WorklistKind.PROGRAM_COSIGN]
    assert [r.record_id for r in cosign] == [change_id]
    assert audited_reads(clinic.engine) == 3


def test_a_new_minute_reads_the_database_again(clinic: Thecal, clock: MovableClock) -> None:
    clinic.run_device(implant_pump, implant())
    source = SqlWorklistReadModel(clinic.engine)
    first = read(clinic, source)
    clock.advance(minutes=1)
    later = read(clinic, source)
    assert source.cache.misses == 2
    assert later.as_of - first.as_of == dt.timedelta(minutes=1)


class _StoppedSystemClock(SystemClock):
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def test_a_clinic_clock_change_shows_at_once(
    clinic: Thecal, clock: MovableClock, settings: Settings
) -> None:
    clinic.run_device(implant_pump, implant())
    version = clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version
    clinic.run(verify_admixture, verify(clock.now()))
    clinic.run_device(perform_refill, refill(version))  # the next refill is due
    demo = bootstrap(
        settings,
        clock=ClinicClock(clinic.engine, system=_StoppedSystemClock(clock.now())),
        engine=clinic.engine,
    )
    source = SqlWorklistReadModel(clinic.engine)
    (due,) = read(demo, source, REFILLS).rows
    assert due.kind is WorklistKind.REFILL_DUE
    before = generation(clinic.engine)

    set_clock_offset(clinic.engine, dt.timedelta(seconds=30))  # the same minute: still a miss
    again = read(demo, source, REFILLS)
    assert generation(clinic.engine) == before + 1
    assert source.cache.misses == 2
    assert [r.kind for r in again.rows] == [WorklistKind.REFILL_DUE]

    set_clock_offset(clinic.engine, due.due - clock.now() + dt.timedelta(days=1))
    (overdue,) = read(demo, source, REFILLS).rows
    assert (overdue.kind, overdue.pump_id) == (WorklistKind.REFILL_OVERDUE, due.pump_id)


def test_a_write_through_a_second_engine_invalidates(
    clinic: Thecal, clock: MovableClock, settings: Settings, database_url: str
) -> None:
    clinic.run_device(implant_pump, implant())
    source = SqlWorklistReadModel(clinic.engine)
    read(clinic, source)
    read(clinic, source)
    assert source.cache.hits == 1

    other_engine = make_engine(database_url)  # another process's view of the same database
    try:
        other = bootstrap(settings, clock=clock, engine=other_engine)
        change_id = sign_a_change(other, clock)
    finally:
        other_engine.dispose()

    after = read(clinic, source)
    assert source.cache.misses == 2
    assert change_id in {r.record_id for r in after.rows if r.kind is WorklistKind.PROGRAM_COSIGN}


def test_an_uncached_read_model_reads_the_database_every_time(clinic: Thecal) -> None:
    clinic.run_device(implant_pump, implant())
    source = SqlWorklistReadModel(clinic.engine, cached=False)  # what the benchmarks time
    first, second = read(clinic, source), read(clinic, source)
    assert (source.cache.misses, source.cache.hits) == (2, 0)
    assert second is not first
    assert second == first
