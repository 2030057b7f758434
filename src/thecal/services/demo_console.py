"""The pump console of demo mode: advance the clinic's simulated time, inject a fault into a
pump's twin, start and end an MRI scan — each audited as ``demo.console``.

Only the demo and training clinic shows the console (the page refuses otherwise); here the
clinician's right to use it is checked by the one policy (``Action.DEMO_CONSOLE``). A fault or an
MRI is a command of the persisted twin (``adapters/twin/store.py``), logged in the same
transaction as the audit entry, so the replayed twin keeps it. The clinic clock's offset is
stored behind :class:`ClinicClockControl` (``adapters/sql/clinic_clock.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.errors import NotFound, RequestInvalid
from thecal.domain.units import Duration, plain
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.simulation.faults import DeliveryError, Fault, MotorStall, Occlusion

__all__ = [
    "MAX_ADVANCE_HOURS",
    "AdvanceClinicClock",
    "ClinicClockControl",
    "ClockAdvanced",
    "ConsoleCommand",
    "ConsoleCommandKind",
    "ConsoleTwin",
    "ConsoleUnavailable",
    "OpenConsole",
    "advance_clinic_clock",
    "open_console",
    "run_console_command",
]

MAX_ADVANCE_HOURS = 24 * 366  # one step of time travel: at most a year


class ConsoleUnavailable(NotFound):
    """Outside demo mode there is no pump console (real pumps have no time travel or faults)."""

    code = "THC-DEMO-404"
    template = (
        "the pump console exists only in demo mode (THECAL_DEMO_MODE); "
        "pump {ident} is reached from its pump page"
    )


class ClinicClockControl(Protocol):
    """The stored offset of the clinic clock from system time."""

    def offset(self) -> dt.timedelta: ...

    def set_offset(self, offset: dt.timedelta) -> None: ...


@runtime_checkable
class ConsoleTwin(Protocol):
    """The twin-only inputs the console uses (``TwinStoreDriver`` has them; a real pump not)."""

    def inject_fault(self, serial: str, fault: Fault) -> None: ...

    def start_mri(self, serial: str) -> None: ...

    def end_mri(self, serial: str, *, recovery: Duration | None = None) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvanceClinicClock:
    actor: Actor
    hours: int  # how far to move the clinic's clock forward


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockAdvanced:
    before: dt.datetime
    after: dt.datetime
    offset: dt.timedelta  # the clinic clock's new offset from system time


def advance_clinic_clock(
    cmd: AdvanceClinicClock,
    *,
    uow: AbstractUnitOfWork,
    clock: Clock,
    control: ClinicClockControl,
) -> ClockAdvanced:
    """Move the clinic's simulated time forward by ``cmd.hours`` (audited before it moves).

    Raises:
        AccessDenied; RequestInvalid: hours not in 1…MAX_ADVANCE_HOURS.
    """
    authorize_function(cmd.actor, Action.DEMO_CONSOLE)
    if not 1 <= cmd.hours <= MAX_ADVANCE_HOURS:
        raise RequestInvalid(
            where="hours", detail=f"advance between 1 and {MAX_ADVANCE_HOURS} hours"
        )
    before = clock.now()
    step = dt.timedelta(hours=cmd.hours)
    offset = control.offset() + step
    with uow:
        uow.audit.record(
            actor=cmd.actor,
            action=Action.DEMO_CONSOLE,
            subject=Subject.collection("clinic clock"),
            at=before,
            details={
                "command": "advance-time",
                "hours": cmd.hours,
                "offset_hours": str(Decimal(int(offset.total_seconds())) / 3600),
            },
        )
        uow.commit()
    control.set_offset(offset)
    return ClockAdvanced(before=before, after=before + step, offset=offset)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenConsole:
    actor: Actor
    pump_id: str


def open_console(cmd: OpenConsole, *, uow: AbstractUnitOfWork, clock: Clock) -> Pump:
    """The pump the console drives, for a clinician allowed to use the console (an audited
    PHI read, like the pump page).

    Raises:
        AccessDenied; PumpNotFound.
    """
    authorize_function(cmd.actor, Action.DEMO_CONSOLE)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.DEMO_CONSOLE, subject)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PUMP_READ,
            subject=subject,
            at=clock.now(),
            details={"pump_id": pump.id, "version": pump.version, "via": "demo console"},
        )
        uow.commit()
    return pump


class ConsoleCommandKind(StrEnum):
    MOTOR_STALL = "motor-stall"
    OCCLUSION = "occlusion"
    UNDER_DELIVERY = "under-delivery"
    MRI_START = "mri-start"
    MRI_END = "mri-end"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleCommand:
    actor: Actor
    pump_id: str
    kind: ConsoleCommandKind
    under_delivery_percent: Decimal | None = None  # 1…100: the pump moves that much less
    duration_hours: int | None = None  # a fault ends by itself after this; None: it stays


def _fault(cmd: ConsoleCommand) -> Fault | None:
    if cmd.duration_hours is not None and cmd.duration_hours <= 0:
        raise RequestInvalid(where="duration_hours", detail="a positive number of hours, or empty")
    duration = None if cmd.duration_hours is None else Duration(Decimal(cmd.duration_hours * 3600))
    if cmd.kind is ConsoleCommandKind.MOTOR_STALL:
        return MotorStall(duration=duration)
    if cmd.kind is ConsoleCommandKind.OCCLUSION:
        return Occlusion(duration=duration)
    if cmd.kind is ConsoleCommandKind.UNDER_DELIVERY:
        percent = cmd.under_delivery_percent
        if percent is None or not percent.is_finite() or not 0 < percent <= 100:
            raise RequestInvalid(
                where="under_delivery_percent", detail="between 0 and 100 %, e.g. 30"
            )
        return DeliveryError(percent=-percent, duration=duration)
    return None


def run_console_command(
    cmd: ConsoleCommand, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> None:
    """Inject a fault into a pump's twin, or start or end its MRI scan (audited, persisted).

    Raises:
        AccessDenied; PumpNotFound; RequestInvalid: a bad percent or duration, or a real pump.
    """
    authorize_function(cmd.actor, Action.DEMO_CONSOLE)
    fault = _fault(cmd)
    if not isinstance(driver, ConsoleTwin):
        raise RequestInvalid(where="driver", detail="the console needs the pump twin")
    now = clock.now()
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.DEMO_CONSOLE, subject)
        if fault is not None:
            driver.inject_fault(pump.serial, fault)
        elif cmd.kind is ConsoleCommandKind.MRI_START:
            driver.start_mri(pump.serial)
        else:
            driver.end_mri(pump.serial)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.DEMO_CONSOLE,
            subject=subject,
            at=now,
            details={
                "command": cmd.kind.value,
                "pump_id": pump.id,
                "under_delivery_percent": None
                if cmd.under_delivery_percent is None
                else plain(cmd.under_delivery_percent),
                "duration_hours": cmd.duration_hours,
            },
        )
        uow.commit()
