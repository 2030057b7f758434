"""Administration pages: the audit log (read a page, verify the chain) and user accounts."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from thecal.domain.errors import RequestInvalid
from thecal.domain.users import Role
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.accounts import CreateUser, ListUsers
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.audit_log import ReadAuditLog, read_audit_log

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _details(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return ", ".join(f"{k}: {v}" for k, v in data.items() if k != "role")


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request, before: Annotated[int | None, Query(ge=1, le=2**62)] = None
) -> Response:
    auth = page_auth(request)
    page = thecal_of(request).run(
        read_audit_log, ReadAuditLog(actor=auth.actor, before_sequence=before, limit=50)
    )
    rows = [(e, _details(e.details_json)) for e in page.entries]
    return render(
        request, "audit.html", rows=rows, next_before=page.next_before_sequence, report=None
    )


@router.post("/audit/verify", response_class=HTMLResponse)
async def audit_verify(request: Request) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    report = thecal.run(verify_audit, VerifyAudit(actor=auth.actor))
    if not report.ok:  # reading the log would append to a broken chain: show the problems only
        return render(request, "audit.html", rows=[], next_before=None, report=report)
    page = thecal.run(read_audit_log, ReadAuditLog(actor=auth.actor, limit=50))
    rows = [(e, _details(e.details_json)) for e in page.entries]
    return render(
        request, "audit.html", rows=rows, next_before=page.next_before_sequence, report=report
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    found = thecal.run(thecal.accounts.list_users, ListUsers(actor=auth.actor, limit=100))
    return render(request, "users.html", users=found, roles=list(Role))


@router.post("/users", response_class=HTMLResponse)
async def users_create(request: Request) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        raise RequestInvalid(where="role", detail="choose one of the roles") from None
    thecal.run(
        thecal.accounts.create_user,
        CreateUser(
            actor=auth.actor,
            username=form.get("username", "").strip(),
            role=role,
            display_name=form.get("display_name", "").strip(),
            password=form.get("password", ""),
            patient_id=form.get("patient_id", "").strip() or None,
        ),
    )
    return RedirectResponse("/users", status_code=303)
