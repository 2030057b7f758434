"""The audit log's hash chain: keyed, append-only entries (SR-17, safety.md §6.2).

Each entry commits to the one before it::

    entry_hash = HMAC-SHA256(key, canonical([previous_hash, sequence, occurred_at,
                                             actor, action, subject, details_json]))

``canonical`` is compact JSON of that list (sorted keys, no spaces, UTF-8), so field boundaries are
unambiguous; ``occurred_at`` is ISO 8601 in UTC with microseconds; ``details_json`` is the canonical
JSON of the details mapping and is stored byte-for-byte. The first entry has sequence 1 and
``previous_hash`` :data:`GENESIS_HASH`. ``key`` is the key named by the entry's ``key_id``
(:mod:`thecal.domain.audit.keys`); the id is not hashed: naming another key only makes the HMAC
fail, and the ids must follow the key ring's order (:mod:`thecal.domain.audit.verification`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thecal.domain.audit.keys import DEFAULT_KEY_ID
from thecal.domain.errors import RequestInvalid, WorkflowError

__all__ = [
    "GENESIS_HASH",
    "AuditDetailsInvalid",
    "AuditEntry",
    "AuditEntryUnreadable",
    "AuditHeadMissing",
    "ChainHead",
    "append_entry",
    "canonical_json",
    "canonical_time",
    "entry_digest",
]

GENESIS_HASH = "0" * 64

# One encoder for every digest: ``json.dumps`` with non-default options builds a new encoder per
# call, which dominated verification of long chains. Same output as
# ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``.
_MESSAGE_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class AuditDetailsInvalid(RequestInvalid):
    code = "THC-AUDIT-001"
    template = "audit details {where}: {detail}"


class AuditHeadMissing(WorkflowError):
    """The recorded head (the ``audit_chain_head`` row) is gone: nothing is appended after it."""

    code = "THC-AUDIT-007"
    template = (
        "the audit chain's recorded head is missing: no entry can be appended safely; "
        "run `thecal audit verify` and restore the database from a backup"
    )


class AuditEntryUnreadable(RequestInvalid):
    """A stored row that cannot be an entry (a column holds a value no entry can have).

    Raised by the adapter that reads the log; verification names it as the break, never crashes.
    """

    code = "THC-AUDIT-004"
    template = "audit entry at sequence {sequence} cannot be read: {detail}"


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
    """The last link of a chain: enough to append the next entry or to anchor a verification.

    ``key_id`` is the key that signed that entry (the next one is signed with it or a newer one).
    """

    sequence: int
    entry_hash: str
    key_id: str = DEFAULT_KEY_ID

    def same_link(self, other: ChainHead | None) -> bool:
        """Same sequence and hash (the key id is a hint, not part of the link)."""
        return (
            other is not None
            and other.sequence == self.sequence
            and hmac.compare_digest(other.entry_hash, self.entry_hash)
        )


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
    key_id: str = DEFAULT_KEY_ID

    @property
    def details(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.details_json)
        return loaded

    @property
    def head(self) -> ChainHead:
        return ChainHead(sequence=self.sequence, entry_hash=self.entry_hash, key_id=self.key_id)

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
    key_id: str = DEFAULT_KEY_ID,
) -> AuditEntry:
    """Build the entry that follows ``head`` (``None``: the first entry of a chain), signed with
    ``key``, the key whose id is ``key_id``."""
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
        key_id=key_id,
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
