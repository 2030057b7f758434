"""``/audit``: read the audit log a page at a time, and verify the chain (administrators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.audit import audit_entry_public
from thecal.entrypoints.api.schemas.audit import AuditEntriesPublic
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.audit_log import MAX_AUDIT_PAGE, AuditFilter, ReadAuditLog, read_audit_log

__all__ = ["AuditProblemPublic", "AuditVerificationPublic", "router"]

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditProblemPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str  # chain, table-missing, head-missing, guard-missing, checkpoints, other-chain
    sequence: int | None  # the entry concerned, when there is one
    reason: str | None  # for kind "chain": SEQUENCE, LINK, HASH, TRUNCATED, WIPED, …
    message: str


class AuditVerificationPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    entries_checked: int
    first_break_sequence: int | None
    reason: str | None
    checkpoint_sequence: int | None  # the latest checkpoint the chain was compared with
    problems: list[AuditProblemPublic]


Text = Annotated[str | None, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
Day = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="a day, YYYY-MM-DD (UTC)")
]


@router.get(
    "",
    response_model=AuditEntriesPublic,
    summary="Audit entries, newest first, filtered by person, patient, action and days",
)
def read(
    actor: CurrentActor,
    thecal: ThecalDep,
    *,
    before_sequence: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 50,
    user_id: Text = None,
    patient_mrn: Text = None,
    action: Text = None,
    first_day: Day = None,
    last_day: Day = None,
) -> AuditEntriesPublic:
    audit_filter = AuditFilter.from_text(
        user_id=user_id,
        patient_mrn=patient_mrn,
        action=action,
        first_day=first_day,
        last_day=last_day,
    )
    page = thecal.run(
        read_audit_log,
        ReadAuditLog(
            actor=actor, before_sequence=before_sequence, limit=limit, filter=audit_filter
        ),
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
        checkpoint_sequence=report.checkpoint.sequence if report.checkpoint else None,
        problems=[
            AuditProblemPublic(
                kind=p.kind.value,
                sequence=p.sequence,
                reason=p.reason.name if p.reason else None,
                message=p.describe(),
            )
            for p in report.problems
        ],
    )
