"""The audit log's hash chain: keyed, append-only, verifiable (SR-17, safety.md §6.2).

Each entry commits to the one before it::

    entry_hash = HMAC-SHA256(key, canonical([previous_hash, sequence, occurred_at,
                                             actor, action, subject, details_json]))

``canonical`` is compact JSON of that list (sorted keys, no spaces, UTF-8), so field boundaries are
unambiguous; ``occurred_at`` is ISO 8601 in UTC with microseconds; ``details_json`` is the canonical
JSON of the details mapping and is stored byte-for-byte. The first entry has sequence 1 and
``previous_hash`` :data:`GENESIS_HASH`.

What :func:`verify_chain` detects, and how:

* an edited field — the recomputed HMAC differs (nobody without the key can recompute it);
* a deleted entry — the next entry's sequence and ``previous_hash`` no longer follow;
* an inserted or replayed entry — its sequence or ``previous_hash`` does not follow, or its HMAC
  is wrong;
* reordered entries — the sequence does not follow;
* a truncated tail — only with an ``anchor`` (the last sequence and hash recorded elsewhere);
  a bare chain cannot know it once had more entries.

Anyone holding the key can rebuild a chain; keep the key outside the database and anchor the head
externally (for example, print it daily) for stronger guarantees.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from thecal.domain.errors import RequestInvalid

__all__ = [
    "GENESIS_HASH",
    "AuditDetailsInvalid",
    "AuditEntry",
    "BreakReason",
    "ChainBreak",
    "ChainHead",
    "ChainReport",
    "append_entry",
    "canonical_json",
    "canonical_time",
    "entry_digest",
    "verify_chain",
]

GENESIS_HASH = "0" * 64

# One encoder for every digest: ``json.dumps`` with non-default options builds a new encoder per
# call, which dominated verification of long chains. Same output as
# ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``.
_MESSAGE_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class AuditDetailsInvalid(RequestInvalid):
    code = "THC-AUDIT-001"
    template = "audit details {where}: {detail}"


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditDetailsInvalid(where=where, detail=f"key {key!r} is not text")
            _check_json(item, f"{where}.{key}")
        return
    raise AuditDetailsInvalid(
        where=where,
        detail=f"{type(value).__name__} is not allowed; write numbers with units as text",
    )


def canonical_json(details: Mapping[str, Any]) -> str:
    """Compact, key-sorted JSON. Floats and other non-JSON types are refused, never coerced."""
    _check_json(details, "details")
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_time(at: dt.datetime) -> str:
    """The instant as ISO 8601 in UTC with microseconds; naive datetimes are refused."""
    if at.utcoffset() is None:
        raise AuditDetailsInvalid(where="occurred_at", detail="must be timezone-aware")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_digest(
    *,
    key: bytes,
    previous_hash: str,
    sequence: int,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    subject: str,
    details_json: str,
) -> str:
    """HMAC-SHA256 (hex) over the entry's fields and its predecessor's hash."""
    message = _MESSAGE_ENCODER.encode(
        [
            previous_hash,
            sequence,
            canonical_time(occurred_at),
            actor,
            action,
            subject,
            details_json,
        ]
    ).encode("utf-8")
    return hmac.digest(key, message, hashlib.sha256).hex()  # one-shot: same bytes as hmac.new


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainHead:
    """The last link of a chain: enough to append the next entry or to anchor a verification."""

    sequence: int
    entry_hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One append-only audit record. ``details_json`` is kept exactly as hashed."""

    sequence: int
    occurred_at: dt.datetime
    actor: str
    action: str
    subject: str
    details_json: str
    previous_hash: str
    entry_hash: str

    @property
    def details(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.details_json)
        return loaded

    @property
    def head(self) -> ChainHead:
        return ChainHead(sequence=self.sequence, entry_hash=self.entry_hash)

    def expected_hash(self, key: bytes) -> str:
        return entry_digest(
            key=key,
            previous_hash=self.previous_hash,
            sequence=self.sequence,
            occurred_at=self.occurred_at,
            actor=self.actor,
            action=self.action,
            subject=self.subject,
            details_json=self.details_json,
        )


def append_entry(
    head: ChainHead | None,
    *,
    key: bytes,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any],
) -> AuditEntry:
    """Build the entry that follows ``head`` (``None``: the first entry of a chain)."""
    previous_hash = head.entry_hash if head else GENESIS_HASH
    sequence = head.sequence + 1 if head else 1
    details_json = canonical_json(details)
    at = occurred_at.astimezone(dt.UTC)
    return AuditEntry(
        sequence=sequence,
        occurred_at=at,
        actor=actor,
        action=action,
        subject=subject,
        details_json=details_json,
        previous_hash=previous_hash,
        entry_hash=entry_digest(
            key=key,
            previous_hash=previous_hash,
            sequence=sequence,
            occurred_at=at,
            actor=actor,
            action=action,
            subject=subject,
            details_json=details_json,
        ),
    )


class BreakReason(StrEnum):
    SEQUENCE = "sequence does not follow its predecessor (entry missing, inserted or reordered)"
    LINK = "previous_hash does not match the preceding entry's hash (entry missing or inserted)"
    HASH = "entry hash does not match its contents (entry edited or forged)"
    ANCHOR = "chain ends before its recorded head (entries removed from the end)"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainBreak:
    """The first place a chain fails: its position in the list, its sequence and why."""

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


def _check_link(position: int, entry: AuditEntry, previous: ChainHead | None) -> ChainBreak | None:
    expected_sequence = previous.sequence + 1 if previous else 1
    expected_link = previous.entry_hash if previous else GENESIS_HASH
    if entry.sequence != expected_sequence:
        return ChainBreak(
            position=position,
            sequence=entry.sequence,
            reason=BreakReason.SEQUENCE,
            detail=f"expected sequence {expected_sequence}, found {entry.sequence}",
        )
    if not hmac.compare_digest(entry.previous_hash, expected_link):
        return ChainBreak(
            position=position,
            sequence=entry.sequence,
            reason=BreakReason.LINK,
            detail=f"previous_hash {entry.previous_hash[:12]}… ≠ {expected_link[:12]}…",
        )
    return None


def verify_chain(
    entries: Iterable[AuditEntry], key: bytes, *, anchor: ChainHead | None = None
) -> ChainReport:
    """Walk the chain in the given order and report the first bad entry and why.

    Args:
        entries: the log in stored order (by sequence); streamed, never held in memory.
        key: the HMAC key the entries were written with.
        anchor: the head recorded outside the chain, if any; catches a truncated tail.
    """
    # Streaming, one entry at a time; the per-entry path keeps only the expected sequence and
    # link in locals (no objects per entry beyond the digest), and builds a ChainBreak only for
    # the first failure. Every entry's sequence, link and HMAC are checked, in order.
    last: AuditEntry | None = None
    expected_sequence, expected_link = 1, GENESIS_HASH
    compare = hmac.compare_digest
    position = -1
    for position, entry in enumerate(entries):
        if entry.sequence != expected_sequence or not compare(entry.previous_hash, expected_link):
            problem = _check_link(position, entry, last.head if last else None)
        elif not compare(entry.entry_hash, entry.expected_hash(key)):
            problem = ChainBreak(
                position=position,
                sequence=entry.sequence,
                reason=BreakReason.HASH,
                detail="recomputed HMAC differs",
            )
        else:
            last = entry
            expected_sequence, expected_link = entry.sequence + 1, entry.entry_hash
            continue
        return ChainReport(
            entries_checked=position, head=last.head if last else None, first_break=problem
        )
    previous = last.head if last else None
    checked = position + 1
    if anchor is not None and previous != anchor:
        return ChainReport(
            entries_checked=checked,
            head=previous,
            first_break=ChainBreak(
                position=checked,
                sequence=anchor.sequence,
                reason=BreakReason.ANCHOR,
                detail=(
                    f"recorded head is sequence {anchor.sequence}, "
                    f"chain ends at {previous.sequence if previous else 0}"
                ),
            ),
        )
    return ChainReport(entries_checked=checked, head=previous, first_break=None)
