"""The audit log (SR-17, SR-18): a keyed hash chain, its keys, its verification, and the signed
checkpoints of its head kept outside the database.

``chain`` builds entries; ``keys`` holds the key ring (rotation); ``verification`` walks a chain
and names the first bad entry; ``checkpoints`` signs and reads the heads recorded elsewhere;
``verdict`` gathers everything a verification found. Importers use the package.
"""

from __future__ import annotations

from thecal.domain.audit.chain import (
    GENESIS_HASH,
    AuditDetailsInvalid,
    AuditEntry,
    AuditEntryUnreadable,
    AuditHeadMissing,
    ChainHead,
    append_entry,
    canonical_json,
    canonical_time,
    entry_digest,
)
from thecal.domain.audit.checkpoints import (
    CHECKPOINT_FORMAT,
    Checkpoint,
    CheckpointHistory,
    CheckpointInvalid,
    CheckpointKind,
    checkpoint_from_line,
    read_history,
    sign_checkpoint,
)
from thecal.domain.audit.keys import (
    DEFAULT_KEY_ID,
    MIN_KEY_BYTES,
    AuditKey,
    AuditKeyInvalid,
    AuditKeyRing,
    AuditKeyUnknown,
)
from thecal.domain.audit.verdict import AuditChainBroken, AuditProblem, AuditVerdict, ProblemKind
from thecal.domain.audit.verification import BreakReason, ChainBreak, ChainReport, verify_chain

__all__ = [
    "CHECKPOINT_FORMAT",
    "DEFAULT_KEY_ID",
    "GENESIS_HASH",
    "MIN_KEY_BYTES",
    "AuditChainBroken",
    "AuditDetailsInvalid",
    "AuditEntry",
    "AuditEntryUnreadable",
    "AuditHeadMissing",
    "AuditKey",
    "AuditKeyInvalid",
    "AuditKeyRing",
    "AuditKeyUnknown",
    "AuditProblem",
    "AuditVerdict",
    "BreakReason",
    "ChainBreak",
    "ChainHead",
    "ChainReport",
    "Checkpoint",
    "CheckpointHistory",
    "CheckpointInvalid",
    "CheckpointKind",
    "ProblemKind",
    "append_entry",
    "canonical_json",
    "canonical_time",
    "checkpoint_from_line",
    "entry_digest",
    "read_history",
    "sign_checkpoint",
    "verify_chain",
]
