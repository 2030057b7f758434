"""Audit key rotation, checkpoints, and what a walk names against them (SR-17)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from thecal.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditEntryUnreadable,
    AuditKey,
    AuditKeyInvalid,
    AuditKeyRing,
    BreakReason,
    ChainHead,
    CheckpointInvalid,
    CheckpointKind,
    append_entry,
    checkpoint_from_line,
    read_history,
    sign_checkpoint,
    verify_chain,
)

K1 = AuditKey("k1", b"first-audit-key-0123456789abcdef")
K2 = AuditKey("k2", b"second-audit-key-0123456789abcde")
RING = AuditKeyRing([K1, K2])
T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def chain(length: int, *, rotate_at: int | None = None) -> list[AuditEntry]:
    """``length`` entries signed with k1, then with k2 from entry ``rotate_at`` on."""
    entries: list[AuditEntry] = []
    head: ChainHead | None = None
    for index in range(1, length + 1):
        key = K2 if rotate_at is not None and index >= rotate_at else K1
        entry = append_entry(
            head,
            key=key.secret,
            key_id=key.key_id,
            occurred_at=T0 + dt.timedelta(minutes=index),
            actor="u-1",
            action="patient.read",
            subject=f"patient:{index}",
            details={"n": index},
        )
        entries.append(entry)
        head = entry.head
    return entries


def checkpoint_of(entries: list[AuditEntry], at: int, kind: CheckpointKind = CheckpointKind.VERIFY):
    head = entries[at - 1].head if at else None
    return sign_checkpoint(
        head,
        chain_start=entries[0].entry_hash if entries else GENESIS_HASH,
        made_at=T0 + dt.timedelta(hours=at),
        kind=kind,
        key=RING.signing,
    )


# ------------------------------------------------------------------------------------ keys


def test_entries_signed_before_and_after_a_rotation_verify_under_their_own_keys() -> None:
    entries = chain(10, rotate_at=6)
    assert [e.key_id for e in entries] == ["k1"] * 5 + ["k2"] * 5
    report = verify_chain(entries, RING, anchor=entries[-1].head)
    assert report.ok
    assert report.entries_checked == 10


def test_an_entry_naming_a_key_the_ring_does_not_hold_is_named() -> None:
    entries = chain(6, rotate_at=4)
    report = verify_chain(entries, AuditKeyRing([K1]))
    assert report.first_break is not None
    assert report.first_break.reason is BreakReason.KEY_UNKNOWN
    assert report.first_break.sequence == 4
    assert "'k2'" in report.first_break.detail


def test_an_old_key_used_after_a_newer_one_is_named_even_with_a_valid_hmac() -> None:
    entries = chain(4, rotate_at=3)
    # someone holding the retired k1 appends a perfectly signed entry after k2 entries
    late = append_entry(
        entries[-1].head,
        key=K1.secret,
        key_id="k1",
        occurred_at=T0 + dt.timedelta(days=1),
        actor="intruder",
        action="patient.read",
        subject="patient:9",
        details={},
    )
    report = verify_chain([*entries, late], RING)
    assert report.first_break is not None
    assert (report.first_break.reason, report.first_break.sequence) == (BreakReason.KEY_ORDER, 5)


def test_relabelling_an_entry_with_another_key_fails_its_hmac() -> None:
    entries = chain(3)
    relabelled = dataclasses.replace(entries[1], key_id="k2")
    report = verify_chain([entries[0], relabelled, entries[2]], RING)
    assert report.first_break is not None
    assert (report.first_break.reason, report.first_break.sequence) == (BreakReason.HASH, 2)


def test_a_ring_refuses_duplicate_ids_bad_ids_and_short_secrets_and_hides_secrets() -> None:
    with pytest.raises(AuditKeyInvalid, match="twice"):
        AuditKeyRing([K1, AuditKey("k1", b"x" * 32)])
    with pytest.raises(AuditKeyInvalid, match="id is"):
        AuditKey("Key One", b"x" * 32)
    with pytest.raises(AuditKeyInvalid, match="at least 16 bytes"):
        AuditKey("k3", b"short")
    assert "first-audit-key" not in repr(K1)
    assert repr(RING) == "AuditKeyRing(k1, k2)"


def test_the_next_key_id_follows_the_highest_numbered_one() -> None:
    assert AuditKeyRing([K1]).next_key_id() == "k2"
    assert RING.with_key(AuditKey("k7", b"y" * 32)).next_key_id() == "k8"
    assert AuditKeyRing([AuditKey("prod-2024", b"z" * 32)]).next_key_id() == "k2"


def test_the_checkpoint_key_is_derived_and_never_the_entry_key() -> None:
    assert K1.checkpoint_secret != K1.secret
    assert K1.checkpoint_secret != K2.checkpoint_secret


# ------------------------------------------------------------------- walks and checkpoints


def test_a_cut_tail_is_named_against_the_checkpoint_though_the_head_row_was_moved() -> None:
    entries = chain(10)
    checkpoint = checkpoint_of(entries, 10)
    cut = entries[:7]  # the last 3 rows deleted, the head row pointed at entry 7
    report = verify_chain(cut, RING, anchor=cut[-1].head, checkpoint=checkpoint.head)
    assert report.first_break is not None
    assert report.first_break.reason is BreakReason.TRUNCATED
    assert report.first_break.sequence == 8
    assert "3 entries missing" in report.first_break.detail


def test_a_wiped_log_with_a_reset_head_is_named_as_wiped() -> None:
    entries = chain(5)
    report = verify_chain([], RING, anchor=None, checkpoint=checkpoint_of(entries, 5).head)
    assert report.first_break is not None
    assert report.first_break.reason is BreakReason.WIPED


def test_a_chain_rebuilt_with_the_key_differs_from_the_checkpoint_at_its_sequence() -> None:
    original = chain(6)
    checkpoint = checkpoint_of(original, 4)
    rebuilt: list[AuditEntry] = []
    head: ChainHead | None = None
    for entry in original:  # re-signed with the key, one detail changed at entry 2
        details = {"n": 99} if entry.sequence == 2 else entry.details
        fresh = append_entry(
            head,
            key=K1.secret,
            occurred_at=entry.occurred_at,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            details=details,
        )
        rebuilt.append(fresh)
        head = fresh.head
    report = verify_chain(rebuilt, RING, anchor=rebuilt[-1].head, checkpoint=checkpoint.head)
    assert report.first_break is not None
    assert (report.first_break.reason, report.first_break.sequence) == (BreakReason.CHECKPOINT, 4)


def test_an_entry_past_the_recorded_head_is_named_before_its_hmac_is_checked() -> None:
    entries = chain(5)
    forged = dataclasses.replace(
        entries[-1], sequence=6, previous_hash=entries[-1].entry_hash, entry_hash="f" * 64
    )
    report = verify_chain([*entries, forged], RING, anchor=entries[-1].head)
    assert report.first_break is not None
    assert (report.first_break.reason, report.first_break.sequence) == (BreakReason.PAST_HEAD, 6)
    assert report.entries_checked == 5


def test_an_empty_head_with_entries_names_the_first_as_past_the_head() -> None:
    entries = chain(2)
    report = verify_chain(entries, RING, anchor=ChainHead(sequence=0, entry_hash=GENESIS_HASH))
    assert report.first_break is not None
    assert (report.first_break.reason, report.first_break.sequence) == (BreakReason.PAST_HEAD, 1)


def test_a_walk_may_resume_after_a_verified_head() -> None:
    entries = chain(9, rotate_at=7)
    report = verify_chain(entries[5:], RING, anchor=entries[-1].head, after=entries[4].head)
    assert report.ok
    assert report.entries_checked == 4
    assert report.head == entries[-1].head
    broken = verify_chain(entries[6:], RING, after=entries[4].head)  # entry 6 skipped
    assert broken.first_break is not None
    assert broken.first_break.reason is BreakReason.SEQUENCE


def test_an_unreadable_row_is_named_not_raised() -> None:
    entries = chain(3)

    def stream():  # the adapter raises when a row cannot be an entry
        yield entries[0]
        raise AuditEntryUnreadable(sequence=2, detail="occurred_at 'yesterday' is not an instant")

    report = verify_chain(stream(), RING)
    assert report.first_break is not None
    assert report.first_break.reason is BreakReason.UNREADABLE
    assert report.first_break.sequence == 2
    assert "yesterday" in report.first_break.detail


# ---------------------------------------------------------------------------- the file


def test_a_checkpoint_line_round_trips_and_verifies_its_signature() -> None:
    entries = chain(4)
    checkpoint = checkpoint_of(entries, 4)
    line = checkpoint.to_line()
    assert "\n" not in line
    assert checkpoint_from_line(line, RING) == checkpoint
    assert checkpoint.head == entries[-1].head
    assert checkpoint.chain_start == entries[0].entry_hash


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda raw: raw | {"sequence": raw["sequence"] + 1}, "signature"),
        (lambda raw: raw | {"entry_hash": "a" * 64}, "signature"),
        (lambda raw: raw | {"signed_with": "k9"}, "signed_with"),
        (lambda raw: raw | {"sequence": -1}, "sequence"),
        (lambda raw: {k: v for k, v in raw.items() if k != "note"}, "fields must be"),
        (lambda raw: raw | {"format": "other/2"}, "not supported"),
    ],
)
def test_an_edited_or_malformed_line_is_refused_with_what_is_wrong(change, where: str) -> None:
    line = checkpoint_of(chain(3), 3).to_line()
    edited = json.dumps(change(json.loads(line)))
    with pytest.raises(CheckpointInvalid, match=where):
        checkpoint_from_line(edited, RING)


def test_a_line_signed_with_another_ring_does_not_verify() -> None:
    line = checkpoint_of(chain(2), 2).to_line()
    other = AuditKeyRing([AuditKey("k1", b"x" * 32), AuditKey("k2", b"y" * 32)])
    with pytest.raises(CheckpointInvalid, match="signature"):
        checkpoint_from_line(line, other)


def test_the_history_names_bad_lines_by_number_and_keeps_the_good_ones() -> None:
    entries = chain(8)
    lines = [
        checkpoint_of(entries, 0, CheckpointKind.START).to_line(),
        checkpoint_of(entries, 3).to_line(),
        "not json",
        checkpoint_of(entries, 6).to_line(),
        "",
        checkpoint_of(entries, 4).to_line(),  # behind line 4 without a restore
    ]
    history = read_history(lines, RING)
    assert [c.sequence for c in history.checkpoints] == [0, 3, 6]
    assert history.latest is not None
    assert history.latest.sequence == 6
    assert len(history.problems) == 2
    assert history.problems[0].startswith("line 3: ")
    assert history.problems[1].startswith("line 6: sequence 4 is behind")


def test_a_restore_record_rewinds_the_checkpoints_that_apply() -> None:
    entries = chain(9)
    lines = [
        checkpoint_of(entries, 5).to_line(),
        checkpoint_of(entries, 9).to_line(),
        checkpoint_of(entries, 6, CheckpointKind.RESTORE).to_line(),
        checkpoint_of(entries, 7).to_line(),
    ]
    history = read_history(lines, RING)
    assert history.problems == ()
    assert [c.sequence for c in history.checkpoints] == [5, 6, 7]
    assert history.latest_at_or_below(6) is not None
    assert history.latest_at_or_below(6).sequence == 6  # type: ignore[union-attr]


def test_a_checkpoint_of_another_chain_in_the_same_file_is_named() -> None:
    ours, theirs = chain(4), chain(4, rotate_at=1)
    lines = [checkpoint_of(ours, 2).to_line(), checkpoint_of(theirs, 3).to_line()]
    history = read_history(lines, RING)
    assert [c.sequence for c in history.checkpoints] == [2]
    assert history.problems == ("line 2: a checkpoint of another chain (entry 1 differs)",)
