"""Read-only transactions (`uow.reading()`) never wait for a writer, and cannot commit.

The session check of every request and the worklist read run this way, so a request's reads do
not queue behind another request's audit write (SQLite: deferred BEGIN, no writer lock).
"""

from __future__ import annotations

import threading

import pytest
from records_db import NOW, seed_user

from thecal.adapters.sql.database import READ_ONLY
from thecal.adapters.sql.tables.users import users
from thecal.bootstrap import Thecal
from thecal.domain.authorization import Action, Subject
from thecal.domain.users import Role
from thecal.services.unit_of_work import ReadOnlyTransaction


def test_a_read_only_transaction_reads_while_a_writer_holds_the_write_lock(app: Thecal) -> None:
    nurse = seed_user(app, username="nora", role=Role.NURSE)
    writing, release, read_done = threading.Event(), threading.Event(), threading.Event()
    found: list[str | None] = []

    def writer() -> None:
        with app.uow() as uow:
            uow.audit.record(
                actor=nurse.as_actor(),
                action=Action.WORKLIST_READ,
                subject=Subject.collection("worklist"),
                at=NOW,
            )  # the write lock (SQLite) / the chain head's row lock (PostgreSQL) is now held
            writing.set()
            release.wait(timeout=30)
            uow.commit()

    def reader() -> None:
        with app.uow().reading() as uow:
            user = uow.users.get(nurse.id)
            found.append(user.username if user else None)
        with app.engine.connect().execution_options(**READ_ONLY) as connection:
            connection.execute(users.select()).all()  # the worklist's kind of read
        read_done.set()

    held = threading.Thread(target=writer)
    held.start()
    assert writing.wait(timeout=30)
    threading.Thread(target=reader).start()
    try:
        assert read_done.wait(timeout=20), "the read waited for the writer"
    finally:
        release.set()
        held.join(timeout=30)
    assert found == ["nora"]


def test_a_read_only_transaction_refuses_to_commit(app: Thecal) -> None:
    nurse = seed_user(app, username="nora", role=Role.NURSE)
    uow = app.uow()
    with uow.reading():
        assert uow.users.get(nurse.id) is not None
        with pytest.raises(ReadOnlyTransaction):
            uow.commit()
    assert not uow.read_only  # the next `with uow:` is a normal transaction again
