"""Walking an audit chain: the first bad entry, and why (SR-17).

What :func:`verify_chain` detects, and how:

* an edited field — the recomputed HMAC differs (nobody without the key can recompute it);
* a deleted entry — the next entry's sequence and ``previous_hash`` no longer follow;
* an inserted or replayed entry — its sequence or ``previous_hash`` does not follow, or its HMAC
  is wrong;
* reordered entries — the sequence does not follow;
* a row that cannot be an entry — named as unreadable (the adapter raises
  :class:`~thecal.domain.audit.chain.AuditEntryUnreadable`), never a crash;
* a key that is not in the ring, or one older than its predecessor's — named;
* entries past the recorded head (a row appended without advancing the head, or forged) —
  with the ``anchor`` (the head row kept in the database);
* a truncated tail or a wiped log — against the ``checkpoint`` written *outside* the database
  (:mod:`thecal.domain.audit.checkpoints`): the chain must reach the checkpoint's sequence with
  the checkpoint's hash there. The head row alone cannot catch a cut: whoever deletes the last
  rows can move it too.

Anyone holding the key can rebuild a chain; the checkpoints (signed with a key derived from it and
shipped off the machine through the logs) bound what such a rewrite can hide.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.audit.chain import GENESIS_HASH, AuditEntry, AuditEntryUnreadable, ChainHead
from thecal.domain.audit.keys import AuditKeyRing

__all__ = ["BreakReason", "ChainBreak", "ChainReport", "verify_chain"]


class BreakReason(StrEnum):
    SEQUENCE = "sequence does not follow its predecessor (entry missing, inserted or reordered)"
    LINK = "previous_hash does not match the preceding entry's hash (entry missing or inserted)"
    HASH = "entry hash does not match its contents (entry edited or forged)"
    UNREADABLE = "a stored row cannot be read as an entry (a column was altered)"
    KEY_UNKNOWN = "entry names a key the key ring does not hold (forged, or a key not configured)"
    KEY_ORDER = "entry is signed with a key retired before its predecessor's (an old key in use)"
    PAST_HEAD = "entry lies past the recorded head (appended without advancing the head, or forged)"
    ANCHOR = "chain ends before its recorded head (entries removed from the end)"
    CHECKPOINT = "entry differs from the checkpoint kept outside the database (chain rewritten)"
    TRUNCATED = "chain ends before the checkpoint kept outside the database (tail cut off)"
    WIPED = "the log holds no entries, but a checkpoint outside the database recorded some"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainBreak:
    """The first place a chain fails: its position in the walk, its sequence and why."""

    position: int
    sequence: int | None
    reason: BreakReason
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainReport:
    entries_checked: int
    head: ChainHead | None
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _check_link(position: int, entry: AuditEntry, previous: ChainHead | None) -> ChainBreak:
    expected_sequence = previous.sequence + 1 if previous else 1
    expected_link = previous.entry_hash if previous else GENESIS_HASH
    if entry.sequence != expected_sequence:
        return ChainBreak(
            position=position,
            sequence=entry.sequence,
            reason=BreakReason.SEQUENCE,
            detail=f"expected sequence {expected_sequence}, found {entry.sequence}",
        )
    return ChainBreak(
        position=position,
        sequence=entry.sequence,
        reason=BreakReason.LINK,
        detail=f"previous_hash {entry.previous_hash[:12]}… ≠ {expected_link[:12]}…",
    )


def _key_problem(
    position: int, entry: AuditEntry, ring: AuditKeyRing, previous_rank: int
) -> ChainBreak | None:
    rank = ring.rank(entry.key_id)
    if rank is None:
        return ChainBreak(
            position=position,
            sequence=entry.sequence,
            reason=BreakReason.KEY_UNKNOWN,
            detail=f"key {entry.key_id!r}; the ring holds {', '.join(ring.ids)}",
        )
    if rank < previous_rank:
        return ChainBreak(
            position=position,
            sequence=entry.sequence,
            reason=BreakReason.KEY_ORDER,
            detail=f"key {entry.key_id!r} after key {ring.ids[previous_rank]!r}",
        )
    return None


def _end_problem(
    checked: int,
    last: ChainHead | None,
    *,
    anchor: ChainHead | None,
    checkpoint: ChainHead | None,
) -> ChainBreak | None:
    """What the end of an intact walk says against the checkpoint and the recorded head."""
    end = last.sequence if last else 0
    if checkpoint is not None and end < checkpoint.sequence:
        return ChainBreak(
            position=checked,
            sequence=end + 1,
            reason=BreakReason.WIPED if last is None else BreakReason.TRUNCATED,
            detail=(
                f"the checkpoint recorded sequence {checkpoint.sequence}; the chain ends at {end}"
                f" ({checkpoint.sequence - end} entries missing)"
            ),
        )
    if anchor is not None and end < anchor.sequence:
        return ChainBreak(
            position=checked,
            sequence=end + 1,
            reason=BreakReason.ANCHOR,
            detail=f"recorded head is sequence {anchor.sequence}, chain ends at {end}",
        )
    if anchor is not None and last is not None and not last.same_link(anchor):
        return ChainBreak(
            position=checked - 1,
            sequence=end,
            reason=BreakReason.ANCHOR,
            detail=f"recorded head hash {anchor.entry_hash[:12]}… ≠ {last.entry_hash[:12]}…",
        )
    return None


def verify_chain(
    entries: Iterable[AuditEntry],
    key: bytes | AuditKeyRing,
    *,
    anchor: ChainHead | None = None,
    checkpoint: ChainHead | None = None,
    after: ChainHead | None = None,
) -> ChainReport:
    """Walk the chain in the given order and report the first bad entry and why.

    Args:
        entries: the log in stored order (by sequence); streamed, never held in memory.
        key: the key ring (or the one key, id ``k1``) the entries were signed with.
        anchor: the head recorded in the database (``audit_chain_head``): the chain must end
            exactly there; an entry past it is named.
        checkpoint: the latest head recorded outside the database: the chain must pass through it
            (same hash at its sequence) and may go on past it.
        after: verify only the entries after this head, already verified (``entries`` starts at
            ``after.sequence + 1``); ``entries_checked`` counts the new ones.
    """
    ring = key if isinstance(key, AuditKeyRing) else AuditKeyRing.single(key)
    # Streaming, one entry at a time; the per-entry path keeps only the expected sequence, link
    # and key in locals, and builds a ChainBreak only for the first failure. Every entry's
    # sequence, link, key and HMAC are checked, in order.
    last_entry: AuditEntry | None = None  # the head is built once, at the end (no object per entry)
    expected_sequence = after.sequence + 1 if after else 1
    expected_link = after.entry_hash if after else GENESIS_HASH
    key_id = after.key_id if after else ring.ids[0]
    key_rank = ring.rank(key_id)
    key_rank = 0 if key_rank is None else key_rank
    current_key = ring.get(key_id)
    secret = current_key.secret if current_key else b""
    limit = anchor.sequence if anchor is not None else None
    marked = checkpoint.sequence if checkpoint is not None else -1
    compare = hmac.compare_digest
    position = -1
    problem: ChainBreak | None = None
    try:
        for position, entry in enumerate(entries):
            if entry.sequence != expected_sequence or not compare(
                entry.previous_hash, expected_link
            ):
                problem = _check_link(position, entry, last_entry.head if last_entry else after)
                break
            if limit is not None and expected_sequence > limit:
                problem = ChainBreak(
                    position=position,
                    sequence=entry.sequence,
                    reason=BreakReason.PAST_HEAD,
                    detail=f"the recorded head is sequence {limit}",
                )
                break
            if entry.key_id != key_id:
                problem = _key_problem(position, entry, ring, key_rank)
                if problem is not None:
                    break
                key_id = entry.key_id
                switched = ring.get(key_id)
                assert switched is not None  # noqa: S101 - _key_problem found it in the ring
                secret, key_rank = switched.secret, ring.rank(key_id) or 0
            if not compare(entry.entry_hash, entry.expected_hash(secret)):
                problem = ChainBreak(
                    position=position,
                    sequence=entry.sequence,
                    reason=BreakReason.HASH,
                    detail="recomputed HMAC differs",
                )
                break
            if (
                expected_sequence == marked
                and checkpoint is not None
                and not compare(entry.entry_hash, checkpoint.entry_hash)
            ):
                problem = ChainBreak(
                    position=position,
                    sequence=entry.sequence,
                    reason=BreakReason.CHECKPOINT,
                    detail=(
                        f"hash {entry.entry_hash[:12]}… ≠ checkpoint's {checkpoint.entry_hash[:12]}…"
                    ),
                )
                break
            last_entry = entry
            expected_sequence, expected_link = entry.sequence + 1, entry.entry_hash
    except AuditEntryUnreadable as unreadable:
        position += 1
        problem = ChainBreak(
            position=position,
            sequence=unreadable.fields.get("sequence"),
            reason=BreakReason.UNREADABLE,
            detail=str(unreadable.fields.get("detail", unreadable.message)),
        )
    last = last_entry.head if last_entry is not None else after
    if problem is not None:
        return ChainReport(entries_checked=problem.position, head=last, first_break=problem)
    checked = position + 1
    return ChainReport(
        entries_checked=checked,
        head=last,
        first_break=_end_problem(checked, last, anchor=anchor, checkpoint=checkpoint),
    )
