"""Administration pages: the audit log (read a page, verify the chain) and user accounts."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from thecal.adapters.documents.audit_csv import audit_csv_text
from thecal.domain.authorization import Action
from thecal.domain.credentials import WeakPassword
from thecal.domain.errors import InvalidInput, NotFound, RequestInvalid
from thecal.domain.quantity_display import catheter_model_name, pump_model_name
from thecal.domain.users import Role
from thecal.entrypoints.web.form_fields import FormRefusal
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.accounts import CreateUser, DuplicateUsername, ListUsers
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.audit_log import (
    AuditFilter,
    ExportAuditLog,
    ReadAuditLog,
    export_audit_log,
    read_audit_log,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _details(text: str, names: Mapping[str, str]) -> Markup:
    """Details as "key: value" pairs in words, ids replaced by names where a name exists; other
    ids marked as identifiers (the exact JSON stays in the record and the CSV)."""
    try:
        data = json.loads(text)
    except ValueError:
        return escape(text)
    if not isinstance(data, dict):
        return escape(text)
    return Markup("; ").join(
        Markup("{}: {}").format(key.removesuffix("_id").replace("_", " "), _value(value, names))
        for key, value in data.items()
        if key != "role"
    )


def _subject(subject: str, names: Mapping[str, str]) -> Markup:
    """The entry's record by name; an unnamed record as its kind and marked id."""
    if subject in names:
        return escape(names[subject])
    kind, _, ident = subject.partition(":")
    if _UUID.match(ident):
        return Markup('{} <code class="ident" title="record id">{}</code>').format(
            kind.replace("_", " "), ident
        )
    return escape(subject)


_IN_TEXT = re.compile(r"(?:patient:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _text(text: str, names: Mapping[str, str]) -> Markup:
    """Free text (a refusal's message) with each id named where a name exists, else marked."""
    pieces, last = [], 0
    for found in _IN_TEXT.finditer(text):
        pieces.append(escape(text[last : found.start()]))
        ident = found.group(0)
        name = names.get(ident) or names.get(ident.removeprefix("patient:"))
        if name is not None:
            pieces.append(escape(name))
        else:
            pieces.append(Markup('<code class="ident" title="record id">{}</code>').format(ident))
        last = found.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _readable(text: str) -> str:
    """An instant to the minute in UTC, a pump or catheter model by name; other text as it is."""
    if _INSTANT.match(text):
        try:
            return dt.datetime.fromisoformat(text).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        except ValueError:
            return text
    named = pump_model_name(text)
    return named if named != text else catheter_model_name(text)


def _value(value: object, names: Mapping[str, str]) -> Markup:
    if isinstance(value, list):
        return Markup(", ").join(_value(v, names) for v in value) or escape("none")
    if isinstance(value, dict):
        return Markup(", ").join(
            Markup("{} {}").format(k.replace("_", " "), _value(v, names)) for k, v in value.items()
        )
    if isinstance(value, str):
        return escape(names[value]) if value in names else _text(_readable(value), names)
    words = {None: "none", True: "yes", False: "no"}
    return escape(words.get(value, str(value)) if isinstance(value, bool | None) else str(value))


def _filter(user: str, patient: str, action: str, first_day: str, last_day: str) -> AuditFilter:
    """The page's filters: the patient by record number (MRN), days as YYYY-MM-DD."""
    return AuditFilter.from_text(
        user_id=user, patient_mrn=patient, action=action, first_day=first_day, last_day=last_day
    )


Filter = Annotated[str, Query(max_length=100, pattern=r"^[A-Za-z0-9_.:\- ]*$")]


def _audit_page(
    request: Request, audit_filter: AuditFilter, before: int | None, **extra: Any
) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    page = thecal.run(
        read_audit_log,
        ReadAuditLog(actor=auth.actor, before_sequence=before, limit=50, filter=audit_filter),
    )
    users = thecal.run(thecal.accounts.list_users, ListUsers(actor=auth.actor, limit=200))
    rows = [
        (
            e,
            page.names.get(e.actor, e.actor),
            _subject(e.subject, page.names),
            _details(e.details_json, page.names),
        )
        for e in page.entries
    ]
    return render(
        request,
        "audit.html",
        rows=rows,
        next_before=page.next_before_sequence,
        users=users,
        actions=sorted(a.value for a in Action),
        query=request.query_params,
        **{"report": None, **extra},
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    *,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    user: Filter = "",
    patient: Filter = "",
    action: Filter = "",
    first_day: Filter = "",
    last_day: Filter = "",
) -> Response:
    audit_filter = _filter(user, patient, action, first_day, last_day)
    return _audit_page(request, audit_filter, before)


@router.get("/audit.csv")
def audit_csv(
    request: Request,
    *,
    user: Filter = "",
    patient: Filter = "",
    action: Filter = "",
    first_day: Filter = "",
    last_day: Filter = "",
) -> Response:
    auth = page_auth(request)
    audit_filter = _filter(user, patient, action, first_day, last_day)
    page = thecal_of(request).run(
        export_audit_log, ExportAuditLog(actor=auth.actor, filter=audit_filter)
    )
    return Response(
        audit_csv_text(page.entries, page.names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@router.post("/audit/verify", response_class=HTMLResponse)
async def audit_verify(request: Request) -> Response:
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    report = thecal.run(verify_audit, VerifyAudit(actor=auth.actor))
    if not report.ok:  # reading the log would append to a broken chain: show the problems only
        return render(
            request,
            "audit.html",
            rows=[],
            next_before=None,
            report=report,
            users=[],
            actions=[],
            query={},
        )
    return _audit_page(request, AuditFilter(), None, report=report)


def _users_page(
    request: Request, *, typed: dict[str, str] | None = None, refusal: FormRefusal | None = None
) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    found = thecal.run(thecal.accounts.list_users, ListUsers(actor=auth.actor, limit=100))
    return render(
        request,
        "users.html",
        status_code=200 if refusal is None else 422,
        users=found,
        roles=list(Role),
        form=typed or {},
        refusal=refusal,
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    return _users_page(request)


#: The new-account form's fields (never the password, which is not shown again).
_USER_FIELDS = ("username", "display_name", "role", "patient_id", "password")


@router.post("/users", response_class=HTMLResponse)
async def users_create(request: Request) -> Response:
    """Create an account; a refused one (a weak password, a username taken) comes back with
    what was typed, the password blank, and the message next to its field (issue 13 §5)."""
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    thecal = thecal_of(request)
    try:
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
    except (InvalidInput, DuplicateUsername, NotFound) as refused:
        refusal = FormRefusal.of(refused, _USER_FIELDS)
        if isinstance(refused, WeakPassword):
            refusal = FormRefusal(message=refused.message, code=refused.code, field="password")
        elif isinstance(refused, DuplicateUsername):
            refusal = FormRefusal(message=refused.message, code=refused.code, field="username")
        typed = {k: v for k, v in form.items() if k in _USER_FIELDS and k != "password"}
        return _users_page(request, typed=typed, refusal=refusal)
    return RedirectResponse("/users", status_code=303)
