"""Verification against checkpoints, the schedule's checkpoint, key rotation and accepting a
restore, over the in-memory unit of work (SR-17)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from records_fakes import AUDIT_KEY, FakeUnitOfWork, FixedClock

from thecal.domain.audit import (
    AuditChainBroken,
    AuditKey,
    AuditKeyRing,
    AuditKeyUnknown,
    BreakReason,
    CheckpointKind,
    ProblemKind,
    verify_chain,
)
from thecal.domain.authorization import AccessDenied, Action, Subject
from thecal.domain.errors import RequestInvalid
from thecal.domain.users import Actor, Role
from thecal.services.audit import (
    CheckChainAtStart,
    CheckpointAudit,
    VerifyAudit,
    check_chain_at_start,
    checkpoint_audit,
    verify_audit,
)
from thecal.services.audit_checkpoints import MemoryCheckpointStore, checkpoint_freshness
from thecal.services.audit_keeping import (
    AcceptRestore,
    CheckRestoredAudit,
    RotateAuditKey,
    accept_restore,
    check_restored_audit,
    rotate_audit_key,
)
from thecal.services.audit_keys import AuditKeyRotationUnavailable, AuditKeys

ADMIN = Actor(user_id="u-admin", role=Role.ADMIN)
K2 = AuditKey("k2", b"rotated-audit-key-0123456789abcdef")


class GrowingKeys(AuditKeys):
    """A ring that gains k2 on :meth:`add_key` (a key file, in memory)."""

    def __init__(self) -> None:
        self._ring = AuditKeyRing.single(AUDIT_KEY)
        self.reloads = 0

    def ring(self) -> AuditKeyRing:
        return self._ring

    def add_key(self) -> AuditKey:
        self._ring = self._ring.with_key(K2)
        return K2


def write(uow: FakeUnitOfWork, count: int, clock: FixedClock) -> None:
    for index in range(count):
        with uow:
            uow.audit.record(
                actor=Actor(user_id="u-nurse", role=Role.NURSE),
                action=Action.PATIENT_READ,
                subject=Subject.patient(f"p-{index}"),
                at=clock.now(),
            )
            uow.commit()


def store(uow: FakeUnitOfWork) -> MemoryCheckpointStore:
    checkpoints = uow.checkpoints
    assert isinstance(checkpoints, MemoryCheckpointStore)
    return checkpoints


def ring(uow: FakeUnitOfWork) -> AuditKeyRing:
    return uow.audit_keys.ring()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def test_a_sound_verification_is_recorded_then_its_head_checkpointed(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 4, clock)
    verdict = verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock)
    assert verdict.ok
    assert verdict.entries_checked == 4
    assert uow.database.audit[-1].action == "audit.verify"
    latest = store(uow).history(ring(uow)).latest
    assert latest is not None
    assert (latest.sequence, latest.kind) == (5, CheckpointKind.VERIFY)
    assert latest.entry_hash == uow.database.audit[-1].entry_hash
    assert latest.chain_start == uow.database.audit[0].entry_hash


def test_a_broken_log_gets_no_entry_and_no_checkpoint(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 3, clock)
    uow.database.audit[1] = dataclasses.replace(uow.database.audit[1], actor="someone-else")
    verdict = verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock)
    assert not verdict.ok
    assert verdict.first_break is not None
    assert (verdict.first_break.sequence, verdict.first_break.reason) == (2, BreakReason.HASH)
    assert len(uow.database.audit) == 3  # nothing appended to the broken chain
    assert store(uow).stored == []


def test_a_tail_cut_after_a_checkpoint_is_named_though_the_head_moved_with_it(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 6, clock)
    verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock)  # checkpoint at 7
    del uow.database.audit[4:]  # the fake's head is its last entry: the head moves too
    verdict = verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock)
    assert verdict.first_break is not None
    assert verdict.first_break.reason is BreakReason.TRUNCATED
    assert verdict.first_break.sequence == 5
    assert "3 entries missing" in verdict.first_break.detail
    assert len(uow.database.audit) == 4


def test_a_wiped_log_is_named_as_wiped(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    write(uow, 2, clock)
    verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock)
    uow.database.audit.clear()
    verdict = check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    assert verdict.first_break is not None
    assert verdict.first_break.reason is BreakReason.WIPED
    assert len(store(uow).stored) == 1  # the verification's only: no START checkpoint


def test_the_start_check_checkpoints_a_sound_log_and_notes_a_first_checkpoint(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 2, clock)
    verdict = check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    assert verdict.ok
    assert verdict.notes == ("no checkpoint yet at memory: the next one is the first",)
    latest = store(uow).history(ring(uow)).latest
    assert latest is not None
    assert (latest.sequence, latest.kind) == (2, CheckpointKind.START)
    assert len(uow.database.audit) == 2  # the server's own check writes nothing to the log


def test_the_scheduled_checkpoint_checks_only_what_came_since_and_names_a_cut(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 3, clock)
    check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    write(uow, 2, clock)
    verdict = checkpoint_audit(CheckpointAudit(), uow=uow, clock=clock)
    assert verdict.ok
    assert verdict.entries_checked == 2  # entries 4 and 5 only
    assert [c.sequence for c in store(uow).history(ring(uow)).checkpoints] == [3, 5]
    del uow.database.audit[3:]
    verdict = checkpoint_audit(CheckpointAudit(), uow=uow, clock=clock)
    assert verdict.first_break is not None
    assert verdict.first_break.reason is BreakReason.TRUNCATED
    assert verdict.first_break.sequence == 5
    assert len(store(uow).stored) == 2  # no checkpoint of a cut chain


def test_a_scheduled_checkpoint_names_an_edit_since_the_last_one(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 2, clock)
    check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    write(uow, 2, clock)
    uow.database.audit[3] = dataclasses.replace(uow.database.audit[3], subject="patient:x")
    verdict = checkpoint_audit(CheckpointAudit(), uow=uow, clock=clock)
    assert verdict.first_break is not None
    assert (verdict.first_break.sequence, verdict.first_break.reason) == (4, BreakReason.HASH)


def test_a_checkpoint_file_line_that_does_not_verify_fails_the_verification(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 2, clock)
    check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    store(uow).stored[0] = store(uow).stored[0].replace('"sequence":2', '"sequence":1')
    verdict = verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock)
    assert not verdict.ok
    assert [p.kind for p in verdict.problems] == [ProblemKind.CHECKPOINTS]
    assert "line 1" in verdict.problems[0].detail
    assert len(uow.database.audit) == 2


def test_rotation_needs_a_key_file(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    write(uow, 1, clock)
    with pytest.raises(AuditKeyRotationUnavailable):
        rotate_audit_key(RotateAuditKey(actor=ADMIN), uow=uow, clock=clock)
    assert len(uow.database.audit) == 1


def test_a_rotation_is_the_first_entry_the_new_key_signs_and_everything_verifies(
    clock: FixedClock,
) -> None:
    keys = GrowingKeys()
    uow = FakeUnitOfWork()
    uow._audit_keys = keys  # the fake's ring is fixed; this one grows like a key file
    write(uow, 3, clock)
    done = rotate_audit_key(RotateAuditKey(actor=ADMIN), uow=uow, clock=clock)
    write(uow, 2, clock)
    assert (done.previous_key_id, done.key_id, done.entry_sequence) == ("k1", "k2", 4)
    assert [e.key_id for e in uow.database.audit] == ["k1"] * 3 + ["k2"] * 3
    assert uow.database.audit[3].action == "audit.key_rotate"
    assert uow.database.audit[3].details["to_key"] == "k2"
    assert done.checkpoint.kind is CheckpointKind.KEY_ROTATION
    assert verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock).ok
    assert not verify_chain(uow.database.audit, AuditKeyRing.single(AUDIT_KEY)).ok


def test_a_rotation_is_refused_on_a_log_that_does_not_verify(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    uow._audit_keys = keys = GrowingKeys()
    write(uow, 2, clock)
    uow.database.audit[0] = dataclasses.replace(uow.database.audit[0], actor="x")
    with pytest.raises(AuditChainBroken, match="sequence 1"):
        rotate_audit_key(RotateAuditKey(actor=ADMIN), uow=uow, clock=clock)
    assert keys.ring().ids == ("k1",)
    assert len(uow.database.audit) == 2


def test_only_admins_rotate_keys_or_accept_restores(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    physician = Actor(user_id="u-physician", role=Role.PHYSICIAN)
    with pytest.raises(AccessDenied):
        rotate_audit_key(RotateAuditKey(actor=physician), uow=uow, clock=clock)
    with pytest.raises(AccessDenied):
        accept_restore(AcceptRestore(actor=physician, reason="disk lost"), uow=uow, clock=clock)


def test_a_process_that_has_not_seen_a_rotation_reloads_its_ring_or_refuses(
    clock: FixedClock,
) -> None:
    uow = FakeUnitOfWork()
    uow._audit_keys = GrowingKeys()
    write(uow, 1, clock)
    rotate_audit_key(RotateAuditKey(actor=ADMIN), uow=uow, clock=clock)

    class Stale(AuditKeys):  # another process: loaded before the rotation, reloads on demand
        def __init__(self, after_reload: AuditKeyRing) -> None:
            self._ring, self._after = AuditKeyRing.single(AUDIT_KEY), after_reload

        def ring(self) -> AuditKeyRing:
            return self._ring

        def reload(self) -> AuditKeyRing:
            self._ring = self._after
            return self._ring

    other = FakeUnitOfWork(uow.database)
    other._audit_keys = Stale(AuditKeyRing.single(AUDIT_KEY).with_key(K2))
    write(other, 1, clock)
    assert other.database.audit[-1].key_id == "k2"  # never back to k1

    blind = FakeUnitOfWork(other.database)
    blind._audit_keys = Stale(AuditKeyRing.single(AUDIT_KEY))
    with pytest.raises(AuditKeyUnknown, match="'k2'"):
        write(blind, 1, clock)


def test_a_restored_backup_is_a_verified_prefix_until_accepted_with_a_reason(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 4, clock)
    check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)  # checkpoint at 4
    backup = [*uow.database.audit]
    write(uow, 3, clock)
    verify_audit(VerifyAudit(actor=ADMIN), uow=uow, clock=clock)  # checkpoint at 8
    uow.database.audit[:] = backup  # the database restored from the backup

    assert not check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock).ok
    check = check_restored_audit(CheckRestoredAudit(), uow=uow, clock=clock)
    assert check.ok
    assert (check.database_sequence, check.missing_entries) == (4, 4)

    with pytest.raises(RequestInvalid):
        AcceptRestore(actor=ADMIN, reason="  ")
    done = accept_restore(AcceptRestore(actor=ADMIN, reason="disk failure"), uow=uow, clock=clock)
    assert done.entry_sequence == 5
    entry = uow.database.audit[-1]
    assert entry.action == "audit.restore_accept"
    assert entry.details["entries_lost"] == 4
    assert entry.details["reason"] == "disk failure"
    assert check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock).ok


def test_a_restored_database_that_is_not_a_prefix_is_not_accepted(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    write(uow, 4, clock)
    check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    uow.database.audit[:] = []
    clock.at += dt.timedelta(days=1)
    write(uow, 5, clock)  # another chain altogether (a different clinic's backup)
    check = check_restored_audit(CheckRestoredAudit(), uow=uow, clock=clock)
    assert not check.ok
    assert [p.kind for p in check.verdict.problems] == [ProblemKind.OTHER_CHAIN]
    with pytest.raises(AuditChainBroken):
        accept_restore(AcceptRestore(actor=ADMIN, reason="wrong tape"), uow=uow, clock=clock)


def test_freshness_is_the_latest_checkpoints_age_on_the_stores_clock(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    checkpoints = store(uow)
    limit = dt.timedelta(minutes=30)
    assert not checkpoint_freshness(checkpoints, ring(uow), max_age=limit).fresh
    write(uow, 1, clock)
    check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    assert checkpoint_freshness(checkpoints, ring(uow), max_age=limit).fresh
    clock.at += dt.timedelta(minutes=31)  # the store shares nothing with this clock
    moved = MemoryCheckpointStore(clock)
    moved.stored = list(checkpoints.stored)
    stale = checkpoint_freshness(moved, ring(uow), max_age=limit)
    assert not stale.fresh
    assert stale.age == dt.timedelta(minutes=31)
