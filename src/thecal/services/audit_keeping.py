"""Keeping the audit log verifiable over years: key rotation and accepting a restored backup.

* :func:`rotate_audit_key` (``thecal audit rotate-key``, admin): verify the whole log, put a new
  random key in service (appended to the key file; the old keys stay, so old entries verify under
  the key that signed them), record the rotation — the first entry signed with the new key — and
  checkpoint it. Refused on a log that does not verify: nothing is written.
* :func:`check_restored_audit` (for operations, after a restore): is the database's chain a
  prefix of the chain the checkpoints saw, and how many entries after it were lost?
* :func:`accept_restore` (``thecal audit accept-restore --reason``, admin): record that the
  restored, shorter chain is the chain from now on — a RESTORE checkpoint at its head (older
  checkpoints past it no longer apply), then an entry saying how many entries were lost and why.
  Until then ``thecal serve`` refuses to start on a restored database (the tail looks cut).
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.audit import AuditVerdict, Checkpoint, CheckpointKind
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.errors import RequestInvalid
from thecal.domain.users import Actor
from thecal.services.audit import checkpoint_head
from thecal.services.audit_integrity import full_verdict
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "MAX_REASON_CHARS",
    "AcceptRestore",
    "CheckRestoredAudit",
    "KeyRotation",
    "RestoreAccepted",
    "RestoreCheck",
    "RotateAuditKey",
    "accept_restore",
    "check_restored_audit",
    "rotate_audit_key",
]

MAX_REASON_CHARS = 500
_AUDIT = Subject.collection("audit")


@dataclass(frozen=True, slots=True, kw_only=True)
class RotateAuditKey:
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyRotation:
    previous_key_id: str
    key_id: str
    entry_sequence: int
    checkpoint: Checkpoint


def rotate_audit_key(cmd: RotateAuditKey, *, uow: AbstractUnitOfWork, clock: Clock) -> KeyRotation:
    """Put a new audit key in service; the rotation entry is the first it signs.

    Raises:
        AccessDenied; AuditChainBroken: the log does not verify (nothing written, no new key);
        AuditKeyRotationUnavailable: no key file is configured.
    """
    authorize(cmd.actor, Action.AUDIT_KEY_ROTATE, _AUDIT)
    history = uow.checkpoints.history(uow.audit_keys.ring())
    with uow.reading():
        verdict = full_verdict(uow, history)
    verdict.refuse()
    previous = uow.audit_keys.ring().signing.key_id
    key = uow.audit_keys.add_key()
    with uow:
        entry = uow.audit.record(
            actor=cmd.actor,
            action=Action.AUDIT_KEY_ROTATE,
            subject=_AUDIT,
            at=clock.now(),
            details={"from_key": previous, "to_key": key.key_id},
        )
        uow.commit()
    checkpoint = checkpoint_head(
        uow, entry.head, CheckpointKind.KEY_ROTATION, note=f"{previous} -> {key.key_id}"
    )
    return KeyRotation(
        previous_key_id=previous,
        key_id=key.key_id,
        entry_sequence=entry.sequence,
        checkpoint=checkpoint,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckRestoredAudit:
    """For operations after a restore: no actor, nothing written."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreCheck:
    """The restored chain against the checkpoints.

    ``verdict`` is ok when the chain verifies and is a prefix of the checkpointed chain (it
    passes through the latest checkpoint at or before its head); ``missing_entries`` is how many
    entries the latest checkpoint recorded past the database's head (lost since the backup).
    """

    verdict: AuditVerdict
    database_sequence: int
    latest: Checkpoint | None

    @property
    def missing_entries(self) -> int:
        if self.latest is None:
            return 0
        return max(0, self.latest.sequence - self.database_sequence)

    @property
    def ok(self) -> bool:
        return self.verdict.ok


def check_restored_audit(
    cmd: CheckRestoredAudit, *, uow: AbstractUnitOfWork, clock: Clock
) -> RestoreCheck:
    """Verify a restored database's chain as a prefix of the checkpointed one."""
    del cmd, clock
    history = uow.checkpoints.history(uow.audit_keys.ring())
    with uow.reading():
        verdict = full_verdict(uow, history, restored=True)
    head = verdict.head
    return RestoreCheck(
        verdict=verdict, database_sequence=head.sequence if head else 0, latest=history.latest
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptRestore:
    actor: Actor
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise RequestInvalid(where="reason", detail="say why the restored log is accepted")
        if len(self.reason) > MAX_REASON_CHARS:
            raise RequestInvalid(where="reason", detail=f"at most {MAX_REASON_CHARS} characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreAccepted:
    check: RestoreCheck
    entry_sequence: int


def accept_restore(cmd: AcceptRestore, *, uow: AbstractUnitOfWork, clock: Clock) -> RestoreAccepted:
    """Make the restored chain the chain from now on; audited with the reason and the loss.

    Raises:
        AccessDenied; AuditChainBroken: the restored chain does not verify as a prefix.
    """
    authorize(cmd.actor, Action.AUDIT_RESTORE_ACCEPT, _AUDIT)
    check = check_restored_audit(CheckRestoredAudit(), uow=uow, clock=clock)
    check.verdict.refuse()
    lost = check.missing_entries
    latest = check.latest.sequence if check.latest else 0
    checkpoint_head(
        uow,
        check.verdict.head,
        CheckpointKind.RESTORE,
        note=(
            f"restore accepted by {cmd.actor.user_id}: chain rewound from {latest} to "
            f"{check.database_sequence} ({lost} entries lost): {cmd.reason.strip()}"
        ),
    )
    with uow:
        entry = uow.audit.record(
            actor=cmd.actor,
            action=Action.AUDIT_RESTORE_ACCEPT,
            subject=_AUDIT,
            at=clock.now(),
            details={
                "from_sequence": latest,
                "to_sequence": check.database_sequence,
                "entries_lost": lost,
                "reason": cmd.reason.strip(),
            },
        )
        uow.commit()
    checkpoint_head(uow, entry.head, CheckpointKind.VERIFY)
    return RestoreAccepted(check=check, entry_sequence=entry.sequence)
