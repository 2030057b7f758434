"""An audit-only transaction (the read group commit) that finds the chain's head locked by
another transaction's append waits for it and appends after it — on PostgreSQL it runs READ
COMMITTED, so it does not fail with a serialization error as a SERIALIZABLE one would (with
several server processes those retries ran out under load). The chain stays whole."""

from __future__ import annotations

import threading

from records_db import NOW, seed_user

from thecal.adapters.sql.unit_of_work import AuditOnlyTransaction
from thecal.bootstrap import Thecal
from thecal.domain.audit import verify_chain
from thecal.domain.authorization import Action, Subject
from thecal.domain.users import Role


def test_a_batch_behind_a_locked_head_waits_and_appends_after_it(app: Thecal) -> None:
    actor = seed_user(app, username="nora", role=Role.NURSE).as_actor()
    key = app.settings.audit_key_bytes
    subject = Subject.collection("worklist")
    holder = app.uow()
    holder.__enter__()  # a clinical transaction appends: the head row is locked until it ends
    holder.audit.record(actor=actor, action=Action.WORKLIST_READ, subject=subject, at=NOW)
    appended: list[int] = []
    failed: list[BaseException] = []
    started = threading.Event()

    def batch() -> None:  # the group commit's transaction, no retry around it
        started.set()  # SQLite waits at BEGIN already, PostgreSQL at the head row's lock
        try:
            with AuditOnlyTransaction(app.engine, audit_key=key) as writer:
                entry = writer.audit.record(
                    actor=actor, action=Action.WORKLIST_READ, subject=subject, at=NOW
                )
                writer.commit()
            appended.append(entry.sequence)
        except BaseException as error:  # noqa: BLE001 - reported below
            failed.append(error)

    thread = threading.Thread(target=batch)
    thread.start()
    started.wait(30)
    thread.join(1.0)  # a second to get as far as the lock lets it
    assert thread.is_alive() or failed, "the batch did not wait for the locked head"
    holder.commit()
    holder.__exit__(None, None, None)
    thread.join(60)
    assert not failed, failed
    with app.uow() as uow:
        head = uow.audit_log.recorded_head()
        report = verify_chain(uow.audit_log.entries(), key, anchor=head)
    assert report.ok, report.first_break
    assert head is not None
    assert appended == [head.sequence]  # after the holder's entry, linked to it
