"""Group commit of read audit entries on SQLite and PostgreSQL (adapters/sql/audit_group_commit.py).

Concurrent reads share one transaction; each caller returns only after the transaction holding
its entry committed (a fresh connection sees it); a failed transaction fails every caller in it
and records none of them; the chain stays whole.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from records_db import NOW, seed_user
from sqlalchemy import func, select

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.adapters.sql.audit_group_commit import AuditGroupCommit, AuditWriter
from thecal.adapters.sql.tables.audit import audit_entries
from thecal.adapters.sql.unit_of_work import AuditOnlyTransaction, SqlAlchemyUnitOfWork
from thecal.bootstrap import Thecal
from thecal.domain.audit import AuditEntry, verify_chain
from thecal.domain.authorization import Action, Subject
from thecal.domain.users import Actor, Role
from thecal.services.worklist import ReadWorklist, WorklistQuery, read_worklist

READERS = 12
SUBJECT = Subject.collection("worklist")


def _count(app: Thecal, action: Action) -> int:
    with app.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(audit_entries.c.action == action.value)
            ).scalar_one()
        )


def _chain_ok(app: Thecal) -> bool:
    with app.uow() as uow:
        anchor = uow.audit_log.recorded_head()
        return verify_chain(uow.audit_log.entries(), uow.audit_key, anchor=anchor).ok


def _nurse(app: Thecal) -> Actor:
    return seed_user(app, username="nora", role=Role.NURSE).as_actor()


Writer = Callable[[Thecal], AuditWriter]
WRITERS: dict[str, Writer] = {
    # what the server uses (bootstrap): a plain connection with the audit repository
    "audit-only transaction": lambda app: AuditOnlyTransaction(
        app.engine, audit_key=app.settings.audit_key_bytes
    ),
    # any unit of work will do as well
    "unit of work": lambda app: SqlAlchemyUnitOfWork(
        app.session_factory, audit_key=app.settings.audit_key_bytes
    ),
}


@pytest.fixture(params=list(WRITERS))
def writer(request: pytest.FixtureRequest) -> Writer:
    return WRITERS[request.param]


def _group(
    app: Thecal, writer: Writer, *, hold_first: threading.Event, broken: int = 0
) -> AuditGroupCommit:
    """A group commit whose first transaction waits for ``hold_first`` before it writes, and
    whose ``broken``-th transaction (1-based; 0: none) fails at commit, after its appends."""
    made = [0]

    def unit_of_work() -> AuditWriter:
        made[0] += 1
        uow = writer(app)
        if made[0] == broken:
            uow.commit = _broken_commit  # type: ignore[method-assign]
        return uow

    def run(write: Callable[[], list[AuditEntry]]) -> list[AuditEntry]:
        if made[0] == 0:
            hold_first.wait(timeout=30)
        return write()

    return AuditGroupCommit(unit_of_work, run=run)


def _broken_commit() -> None:
    msg = "disk gone"
    raise RuntimeError(msg)


def _committed(app: Thecal, sequence: int) -> bool:
    """Seen by a fresh connection: committed."""
    with app.engine.connect() as connection:
        found = connection.execute(
            select(audit_entries.c.sequence).where(audit_entries.c.sequence == sequence)
        ).first()
    return found is not None


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the readers did not queue"
        time.sleep(0.005)


def _reader(group: AuditGroupCommit, app: Thecal, nurse: Actor) -> Callable[[int], AuditEntry]:
    def read(index: int) -> AuditEntry:
        entry = group.record(
            actor=nurse, action=Action.WORKLIST_READ, subject=SUBJECT, at=NOW, details={"i": index}
        )
        assert _committed(app, entry.sequence)  # durable before the caller has it
        return entry

    return read


def test_concurrent_reads_share_a_transaction_and_each_returns_committed(
    app: Thecal, writer: Writer
) -> None:
    nurse = _nurse(app)
    release = threading.Event()
    group = _group(app, writer, hold_first=release)
    read = _reader(group, app, nurse)
    before = _count(app, Action.WORKLIST_READ)

    with ThreadPoolExecutor(READERS) as pool:
        first = pool.submit(read, 0)
        _wait_until(lambda: group.writing)  # the first reader has the writer's turn
        rest = [pool.submit(read, i) for i in range(1, READERS)]
        _wait_until(lambda: group.queued == READERS - 1)
        release.set()
        entries = [first.result(timeout=30), *(f.result(timeout=30) for f in rest)]

    # the first reader wrote alone; the other eleven queued behind it and shared one transaction
    assert group.transactions == 2
    sequences = sorted(entry.sequence for entry in entries)
    assert sequences == list(range(sequences[0], sequences[0] + READERS))
    assert sorted(e.details_json for e in entries) == sorted(
        f'{{"i":{i},"role":"nurse"}}' for i in range(READERS)
    )
    assert _count(app, Action.WORKLIST_READ) == before + READERS
    assert _chain_ok(app)


def test_a_failed_shared_transaction_fails_every_caller_in_it_and_records_none(
    app: Thecal, writer: Writer
) -> None:
    nurse = _nurse(app)
    release = threading.Event()
    group = _group(app, writer, hold_first=release, broken=2)  # the shared transaction fails
    read = _reader(group, app, nurse)
    before = _count(app, Action.WORKLIST_READ)

    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(read, 0)
        _wait_until(lambda: group.writing)
        rest = [pool.submit(read, i) for i in range(1, 5)]
        _wait_until(lambda: group.queued == 4)
        release.set()
        first.result(timeout=30)
        for future in rest:
            with pytest.raises(RuntimeError, match="disk gone"):
                future.result(timeout=30)

    assert _count(app, Action.WORKLIST_READ) == before + 1  # only the first reader's entry
    assert _chain_ok(app)
    read(99)  # the next read goes through, chained on the first
    assert _count(app, Action.WORKLIST_READ) == before + 2
    assert _chain_ok(app)


def test_the_worklist_use_case_audits_each_read_through_the_group(app: Thecal) -> None:
    nurse = _nurse(app)
    assert app.audit_reads is not None
    before = _count(app, Action.WORKLIST_READ)
    batches = app.audit_reads.transactions
    use_case = partial(read_worklist, source=SqlWorklistReadModel(app.engine))

    def read(_: int) -> int:
        app.run(use_case, ReadWorklist(actor=nurse, query=WorklistQuery(limit=5)))
        return _count(app, Action.WORKLIST_READ)

    with ThreadPoolExecutor(6) as pool:
        seen = list(pool.map(read, range(6)))

    assert all(count > before for count in seen)  # each reader's entry committed before return
    assert _count(app, Action.WORKLIST_READ) == before + 6
    assert 1 <= app.audit_reads.transactions - batches <= 6
    assert _chain_ok(app)


def _record_then_fail(app: Thecal, nurse: Actor) -> None:
    with AuditOnlyTransaction(app.engine, audit_key=app.settings.audit_key_bytes) as failed:
        failed.audit.record(actor=nurse, action=Action.WORKLIST_READ, subject=SUBJECT, at=NOW)
        msg = "boom"
        raise RuntimeError(msg)


def test_an_audit_only_transaction_keeps_nothing_without_its_commit(app: Thecal) -> None:
    nurse = _nurse(app)
    before = _count(app, Action.WORKLIST_READ)
    with AuditOnlyTransaction(app.engine, audit_key=app.settings.audit_key_bytes) as dropped:
        dropped.audit.record(actor=nurse, action=Action.WORKLIST_READ, subject=SUBJECT, at=NOW)
    assert _count(app, Action.WORKLIST_READ) == before  # left without commit: rolled back
    with pytest.raises(RuntimeError, match="boom"):
        _record_then_fail(app, nurse)
    assert _count(app, Action.WORKLIST_READ) == before
    with AuditOnlyTransaction(app.engine, audit_key=app.settings.audit_key_bytes) as kept:
        entry = kept.audit.record(actor=nurse, action=Action.WORKLIST_READ, subject=SUBJECT, at=NOW)
        kept.commit()
    assert _committed(app, entry.sequence)
    assert _count(app, Action.WORKLIST_READ) == before + 1
    assert _chain_ok(app)


def test_the_server_wiring_groups_reads_through_audit_only_transactions(app: Thecal) -> None:
    assert app.audit_reads is not None
    made = app.audit_reads._unit_of_work()
    assert isinstance(made, AuditOnlyTransaction)
