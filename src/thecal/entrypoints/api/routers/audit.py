"""``/audit``: read the audit log a page at a time, and verify the chain (administrators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.audit import audit_entry_public
from thecal.entrypoints.api.schemas.audit import AuditEntriesPublic
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.audit_log import MAX_AUDIT_PAGE, ReadAuditLog, read_audit_log

__all__ = ["AuditVerificationPublic", "router"]

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditVerificationPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    entries_checked: int
    first_break_sequence: int | None
    reason: str | None


@router.get("", response_model=AuditEntriesPublic, summary="Audit entries, newest first")
def read(
    actor: CurrentActor,
    thecal: ThecalDep,
    before_sequence: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 50,
) -> AuditEntriesPublic:
    page = thecal.run(
        read_audit_log, ReadAuditLog(actor=actor, before_sequence=before_sequence, limit=limit)
    )
    return AuditEntriesPublic(
        items=[audit_entry_public(e) for e in page.entries],
        limit=limit,
        next_before_sequence=page.next_before_sequence,
    )


@router.post("/verify", response_model=AuditVerificationPublic, summary="Verify the hash chain")
def verify(actor: CurrentActor, thecal: ThecalDep) -> AuditVerificationPublic:
    report = thecal.run(verify_audit, VerifyAudit(actor=actor))
    brk = report.first_break
    return AuditVerificationPublic(
        ok=report.ok,
        entries_checked=report.entries_checked,
        first_break_sequence=brk.sequence if brk else None,
        reason=brk.reason.name if brk else None,
    )
