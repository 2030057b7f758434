"""What the demo seed drives: the wired application (a port), a clock it moves, and the twin knobs.

The seed never touches tables: it calls the real use cases through :class:`DemoClinic` — the
shape of :class:`thecal.bootstrap.Thecal` (``run``, ``run_device``, ``identity``, ``accounts``) —
so every record it makes is authorized, audited and consistent. Services cannot import
``bootstrap``, hence the structural port here.

Time: the seed moves a :class:`SeedClock` forward event by event (the same clock the application
and its twins read), from about three years ago up to yesterday.

Twin knobs (a pocket fill at one refill, a delivery fault, a motor stall, the scanner's field
switched on and off around an MRI) are simulation inputs, not clinical acts: :func:`configure_twin` sends them through the driver the application binds to a
unit of work, where they join the pump's command log like the pump console's knobs do
(``adapters/twin/store.py``). They write no clinical record, so they have no audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar, runtime_checkable

from thecal.domain.errors import RequestInvalid
from thecal.services.accounts import Accounts
from thecal.services.clock import Clock
from thecal.services.identity import Identity
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.simulation.faults import Fault

__all__ = [
    "ConfigureTwin",
    "DemoClinic",
    "DeviceUseCase",
    "SeedClock",
    "TwinKnobs",
    "UseCase",
    "configure_twin",
]

C_contra = TypeVar("C_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)
C = TypeVar("C")
R = TypeVar("R")


class UseCase(Protocol[C_contra, R_co]):
    """``use_case(cmd, *, uow, clock)`` (the same shape as ``bootstrap.UseCase``)."""

    def __call__(self, cmd: C_contra, /, *, uow: AbstractUnitOfWork, clock: Clock) -> R_co: ...


class DeviceUseCase(Protocol[C_contra, R_co]):
    """``use_case(cmd, *, uow, clock, driver)`` (the same shape as ``bootstrap.DeviceUseCase``)."""

    def __call__(
        self, cmd: C_contra, /, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
    ) -> R_co: ...


class DemoClinic(Protocol):
    """The wired application the seed drives (``thecal.bootstrap.Thecal`` satisfies it)."""

    @property
    def identity(self) -> Identity: ...

    @property
    def accounts(self) -> Accounts: ...

    def run(self, use_case: UseCase[C, R], cmd: C) -> R: ...

    def run_device(self, use_case: DeviceUseCase[C, R], cmd: C) -> R: ...


class SeedClock:
    """A clock the seed moves forward; it refuses to go back (records are made in time order)."""

    def __init__(self, at: dt.datetime) -> None:
        if at.utcoffset() is None:
            raise RequestInvalid(where="seed clock", detail="needs a timezone-aware instant")
        self._at = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._at

    def move_to(self, at: dt.datetime) -> None:
        moved = at.astimezone(dt.UTC)
        if moved < self._at:
            raise RequestInvalid(
                where="seed clock", detail=f"cannot go back from {self._at} to {moved}"
            )
        self._at = moved


@runtime_checkable
class TwinKnobs(Protocol):
    """The twin-only inputs of a simulated pump (``TwinStoreDriver`` has them)."""

    def set_pocket_fill(self, serial: str, percent: Decimal) -> None: ...

    def inject_fault(self, serial: str, fault: Fault) -> None: ...

    def start_mri(self, serial: str) -> None: ...

    def end_mri(self, serial: str) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigureTwin:
    """One twin input: the next injection's pocket-fill share, a fault from now on, or the
    patient entering (``mri=True``) or leaving (``mri=False``) the scanner's field."""

    serial: str
    pocket_fill_percent: Decimal | None = None
    fault: Fault | None = None
    mri: bool | None = None


def configure_twin(
    cmd: ConfigureTwin, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> None:
    """Give a simulated pump a pocket fill, a fault or an MRI field (logged, no record).

    Raises:
        RequestInvalid: the driver is not a twin (a real pump has no such knobs).
    """
    del clock  # the driver reads the same clock
    if not isinstance(driver, TwinKnobs):
        raise RequestInvalid(where="driver", detail="twin knobs need the pump twin")
    with uow:
        if cmd.pocket_fill_percent is not None:
            driver.set_pocket_fill(cmd.serial, cmd.pocket_fill_percent)
        if cmd.fault is not None:
            driver.inject_fault(cmd.serial, cmd.fault)
        if cmd.mri is True:
            driver.start_mri(cmd.serial)
        elif cmd.mri is False:
            driver.end_mri(cmd.serial)
        uow.commit()
