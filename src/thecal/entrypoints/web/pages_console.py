"""The pump console (demo mode only): interrogate a twin, advance the clinic's simulated time,
inject a fault, start or end an MRI scan.

Outside demo mode every console address answers 404 (``ConsoleUnavailable``, THC-DEMO-404).
Who may use it is the services' policy (``Action.DEMO_CONSOLE``); every action is audited by
its use case (``services/demo_console.py``). This module only turns forms into commands.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from thecal.adapters.sql.clinic_clock import clock_offset, set_clock_offset
from thecal.domain.errors import RequestInvalid
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.clock import Clock
from thecal.services.demo_console import (
    AdvanceClinicClock,
    ClockAdvanced,
    ConsoleCommand,
    ConsoleCommandKind,
    ConsoleUnavailable,
    OpenConsole,
    advance_clinic_clock,
    open_console,
    run_console_command,
)
from thecal.services.device import InterrogatePump, Interrogation, interrogate_pump
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
_UNIT_HOURS = {"hours": 1, "days": 24}


class _StoredClockOffset:
    """The clinic clock's offset in the database (``adapters/sql/clinic_clock.py``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def offset(self) -> dt.timedelta:
        return clock_offset(self._engine)

    def set_offset(self, offset: dt.timedelta) -> None:
        set_clock_offset(self._engine, offset)


def _require_demo(request: Request, pump_id: str) -> None:
    if not thecal_of(request).settings.demo_mode:
        raise ConsoleUnavailable(ident=pump_id)


def _console(
    request: Request,
    pump_id: str,
    *,
    interrogation: Interrogation | None = None,
    message: str = "",
) -> Response:
    auth = page_auth(request)
    thecal = thecal_of(request)
    pump = thecal.run(open_console, OpenConsole(actor=auth.actor, pump_id=pump_id))
    return render(
        request,
        "console.html",
        pump=pump,
        interrogation=interrogation,
        message=message,
        now=thecal.clock.now(),
        offset_hours=int(clock_offset(thecal.engine).total_seconds()) // 3600,
        kinds=ConsoleCommandKind,
    )


@router.get("/pumps/{pump_id}/console", response_class=HTMLResponse)
def console_page(request: Request, pump_id: Ident, done: str = "") -> Response:
    _require_demo(request, pump_id)
    messages = {
        "time": "The clinic's clock has moved forward.",
        "command": "The twin took the command. Interrogate to see what the pump reports.",
    }
    return _console(request, pump_id, message=messages.get(done, ""))


@router.post("/pumps/{pump_id}/console/interrogate", response_class=HTMLResponse)
async def console_interrogate(request: Request, pump_id: Ident) -> Response:
    _require_demo(request, pump_id)
    auth = page_auth(request)
    await require_form_csrf(request, auth)
    result = thecal_of(request).run_device(
        interrogate_pump, InterrogatePump(actor=auth.actor, pump_id=pump_id)
    )
    return _console(request, pump_id, interrogation=result)


@router.post("/pumps/{pump_id}/console/advance")
async def console_advance(request: Request, pump_id: Ident) -> Response:
    _require_demo(request, pump_id)
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    amount, unit = form.get("amount", "").strip(), form.get("unit", "hours")
    if not amount.isdigit() or unit not in _UNIT_HOURS or len(amount) > 6:
        raise RequestInvalid(where="amount", detail="a whole number of hours or days, e.g. 7")
    thecal = thecal_of(request)
    control = _StoredClockOffset(thecal.engine)

    def advance(cmd: AdvanceClinicClock, *, uow: AbstractUnitOfWork, clock: Clock) -> ClockAdvanced:
        return advance_clinic_clock(cmd, uow=uow, clock=clock, control=control)

    thecal.run(advance, AdvanceClinicClock(actor=auth.actor, hours=int(amount) * _UNIT_HOURS[unit]))
    # sessions run on real time (bootstrap's session clock), so the same session goes on
    return RedirectResponse(f"/pumps/{pump_id}/console?done=time", status_code=303)


def _optional_int(text: str, where: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise RequestInvalid(where=where, detail="a whole number of hours, or empty")
    return int(text)


@router.post("/pumps/{pump_id}/console/command")
async def console_command(request: Request, pump_id: Ident) -> Response:
    _require_demo(request, pump_id)
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    try:
        kind = ConsoleCommandKind(form.get("kind", ""))
    except ValueError:
        raise RequestInvalid(where="kind", detail="choose a fault or an MRI step") from None
    percent: Decimal | None = None
    if kind is ConsoleCommandKind.UNDER_DELIVERY:
        try:
            percent = Decimal(form.get("under_delivery_percent", "").strip())
        except InvalidOperation:
            raise RequestInvalid(
                where="under_delivery_percent", detail="a percentage, e.g. 30"
            ) from None
    thecal_of(request).run_device(
        run_console_command,
        ConsoleCommand(
            actor=auth.actor,
            pump_id=pump_id,
            kind=kind,
            under_delivery_percent=percent,
            duration_hours=_optional_int(form.get("duration_hours", ""), "duration_hours"),
        ),
    )
    return RedirectResponse(f"/pumps/{pump_id}/console?done=command", status_code=303)
