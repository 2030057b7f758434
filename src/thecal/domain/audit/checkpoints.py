"""Checkpoints: the chain's head, signed and kept outside the database (SR-17).

The head row in the database cannot reveal a cut tail: whoever deletes the last rows can move it
too. A checkpoint records ``(sequence, entry_hash)`` of the head at a moment, plus the hash of
entry 1 (``chain_start``, which chain it belongs to), signed with HMAC-SHA256 under a key derived
from the audit key (:attr:`AuditKey.checkpoint_secret`). It is written to an append-only file and
to the log, away from the database. Verification then requires the chain to pass through the
latest checkpoint: a cut, a wiped table or a rewritten chain is named.

Why HMAC and not a public-key signature: the entries themselves are HMACs, so whoever verifies
the chain holds the audit key already; a public-key signature on the checkpoints would let no one
verify anything more, and would add a second secret to keep. What protects the checkpoints is
where they are (outside the database, shipped off the machine) and that signing them needs a key
the database does not hold.

One line of the file is one checkpoint, compact JSON with sorted keys. A ``restore`` checkpoint
records that a restored backup was accepted (``thecal audit accept-restore``): the chain was
rewound to its head, so earlier checkpoints past that head no longer apply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from thecal.domain.audit.chain import GENESIS_HASH, ChainHead, canonical_time
from thecal.domain.audit.keys import AuditKey, AuditKeyRing
from thecal.domain.errors import RequestInvalid

__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpoint",
    "CheckpointHistory",
    "CheckpointInvalid",
    "CheckpointKind",
    "checkpoint_from_line",
    "read_history",
    "sign_checkpoint",
]

CHECKPOINT_FORMAT = "thecal-audit-checkpoint/1"
_HASH = re.compile(r"[0-9a-f]{64}")
_FIELDS = frozenset(
    {
        "chain_start",
        "entry_hash",
        "entry_key",
        "format",
        "kind",
        "made_at",
        "note",
        "sequence",
        "signature",
        "signed_with",
    }
)


class CheckpointInvalid(RequestInvalid):
    code = "THC-AUDIT-005"
    template = "audit checkpoint {where}: {detail}"


class CheckpointKind(StrEnum):
    START = "start"  # `thecal serve`, after the start-up verification
    SCHEDULE = "schedule"  # the server's periodic checkpoint
    VERIFY = "verify"  # after `thecal audit verify`
    KEY_ROTATION = "key-rotation"  # after `thecal audit rotate-key`
    RESTORE = "restore"  # a restored backup accepted: the chain rewound to this head


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """A signed head: the chain held entry ``sequence`` with ``entry_hash`` at ``made_at``."""

    sequence: int
    entry_hash: str
    entry_key: str  # the key that signed that entry (where an incremental walk resumes)
    chain_start: str  # entry 1's hash: which chain this is (GENESIS_HASH while empty)
    made_at: dt.datetime
    kind: CheckpointKind
    note: str
    signed_with: str
    signature: str

    @property
    def head(self) -> ChainHead | None:
        if self.sequence == 0:
            return None
        return ChainHead(sequence=self.sequence, entry_hash=self.entry_hash, key_id=self.entry_key)

    def payload(self) -> dict[str, Any]:
        """Every field but the signature, as written."""
        return {
            "chain_start": self.chain_start,
            "entry_hash": self.entry_hash,
            "entry_key": self.entry_key,
            "format": CHECKPOINT_FORMAT,
            "kind": self.kind.value,
            "made_at": canonical_time(self.made_at),
            "note": self.note,
            "sequence": self.sequence,
            "signed_with": self.signed_with,
        }

    def to_line(self) -> str:
        """One line of the checkpoint file (no newline)."""
        return _encode({**self.payload(), "signature": self.signature})


def _encode(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _signature(payload: dict[str, Any], key: AuditKey) -> str:
    message = _encode(payload).encode("utf-8")
    return hmac.digest(key.checkpoint_secret, message, hashlib.sha256).hex()


def sign_checkpoint(
    head: ChainHead | None,
    *,
    chain_start: str,
    made_at: dt.datetime,
    kind: CheckpointKind,
    key: AuditKey,
    note: str = "",
) -> Checkpoint:
    """The checkpoint of ``head`` (``None``: an empty chain), signed with ``key``."""
    unsigned = Checkpoint(
        sequence=head.sequence if head else 0,
        entry_hash=head.entry_hash if head else GENESIS_HASH,
        entry_key=head.key_id if head else key.key_id,
        chain_start=chain_start if head else GENESIS_HASH,
        made_at=made_at.astimezone(dt.UTC),
        kind=kind,
        note=note,
        signed_with=key.key_id,
        signature="",
    )
    return dataclasses.replace(unsigned, signature=_signature(unsigned.payload(), key))


def _text(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str):
        raise CheckpointInvalid(where=name, detail="missing or not text")
    return value


def _hash(raw: dict[str, Any], name: str) -> str:
    value = _text(raw, name)
    if not _HASH.fullmatch(value):
        raise CheckpointInvalid(where=name, detail="not a 64-digit lower-case hex hash")
    return value


def checkpoint_from_line(text: str, ring: AuditKeyRing) -> Checkpoint:
    """Read and check one line: its shape, then its signature under the key it names.

    Raises:
        CheckpointInvalid: not a checkpoint, an unknown key, or a signature that does not verify.
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckpointInvalid(where="line", detail=f"not JSON ({error.msg})") from None
    if not isinstance(raw, dict) or set(raw) != _FIELDS:
        raise CheckpointInvalid(where="line", detail=f"fields must be {', '.join(sorted(_FIELDS))}")
    if raw["format"] != CHECKPOINT_FORMAT:
        raise CheckpointInvalid(where="format", detail=f"{raw['format']!r} is not supported")
    sequence = raw["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise CheckpointInvalid(where="sequence", detail="not a whole number ≥ 0")
    try:
        made_at = dt.datetime.fromisoformat(_text(raw, "made_at"))
        kind = CheckpointKind(_text(raw, "kind"))
    except ValueError as error:
        raise CheckpointInvalid(where="made_at or kind", detail=str(error)) from None
    if made_at.utcoffset() is None:
        raise CheckpointInvalid(where="made_at", detail="must carry its UTC offset")
    checkpoint = Checkpoint(
        sequence=sequence,
        entry_hash=_hash(raw, "entry_hash"),
        entry_key=_text(raw, "entry_key"),
        chain_start=_hash(raw, "chain_start"),
        made_at=made_at,
        kind=kind,
        note=_text(raw, "note"),
        signed_with=_text(raw, "signed_with"),
        signature=_hash(raw, "signature"),
    )
    key = ring.get(checkpoint.signed_with)
    if key is None:
        raise CheckpointInvalid(
            where="signed_with",
            detail=f"key {checkpoint.signed_with!r} is not in the key ring ({', '.join(ring.ids)})",
        )
    if not hmac.compare_digest(checkpoint.signature, _signature(checkpoint.payload(), key)):
        raise CheckpointInvalid(where="signature", detail="does not verify (the line was edited)")
    return checkpoint


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointHistory:
    """The checkpoints that apply, oldest first, and what was wrong with the file's lines."""

    checkpoints: tuple[Checkpoint, ...] = ()
    problems: tuple[str, ...] = ()
    lines: int = 0

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None

    def latest_at_or_below(self, sequence: int) -> Checkpoint | None:
        """The newest checkpoint of a head at or before ``sequence`` (a restored backup's)."""
        fitting = [c for c in self.checkpoints if c.sequence <= sequence]
        return max(fitting, key=lambda c: c.sequence) if fitting else None


def read_history(lines: Iterable[str], ring: AuditKeyRing) -> CheckpointHistory:
    """Check every line of a checkpoint file, in order; keep the checkpoints that still apply.

    A line that is not a valid, signed checkpoint, a checkpoint behind its predecessor (without a
    restore between them) or one of another chain is a problem, named by its line number.
    """
    kept: list[Checkpoint] = []
    problems: list[str] = []
    chain_start: str | None = None
    count = 0
    for number, line in enumerate(lines, start=1):
        count = number
        if not line.strip():
            continue
        try:
            checkpoint = checkpoint_from_line(line, ring)
        except CheckpointInvalid as error:
            problems.append(f"line {number}: {error.message}")
            continue
        if checkpoint.sequence > 0:
            if chain_start is not None and checkpoint.chain_start != chain_start:
                problems.append(f"line {number}: a checkpoint of another chain (entry 1 differs)")
                continue
            chain_start = checkpoint.chain_start
        if checkpoint.kind is CheckpointKind.RESTORE:
            kept = [c for c in kept if c.sequence <= checkpoint.sequence]
        elif kept and checkpoint.sequence < kept[-1].sequence:
            problems.append(
                f"line {number}: sequence {checkpoint.sequence} is behind the previous "
                f"checkpoint's {kept[-1].sequence} with no restore recorded between them"
            )
            continue
        kept.append(checkpoint)
    return CheckpointHistory(checkpoints=tuple(kept), problems=tuple(problems), lines=count)
