"""The pump-driver port: how services talk to an implanted pump (architecture.md §4, §8 of issue 3).

Services never touch a pump directly; they call a :class:`PumpDriver`. Today the one
implementation is the digital twin (:class:`thecal.adapters.twin.driver.TwinPumpDriver`); a real
clinician-programmer link could implement the same protocol. Communication can fail: a command
whose confirmation did not come back is :attr:`ProgramAck.UNCERTAIN` and must be recorded as
such — never guessed either way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from thecal.domain.admixture import Admixture
from thecal.domain.device_events import (
    AlarmPriority,
    BatteryState,
    DeviceEvent,
    PatientBolusRecord,
)
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Volume

__all__ = [
    "BolusAnswer",
    "InjectionReceipt",
    "ProgramAck",
    "PumpDriver",
    "PumpSnapshot",
    "WithdrawalReceipt",
]


class ProgramAck(Enum):
    ACKNOWLEDGED = "acknowledged"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpSnapshot:
    """An interrogation: the pump's program, its reservoir estimate, alarms, battery, logs."""

    serial: str
    at: dt.datetime
    model_id: str
    program: InfusionProgram | None
    reservoir_estimate: Volume
    delivered_since_refill: Volume
    low_reservoir_alarm: Volume
    delivering: bool
    alarms: tuple[tuple[str, AlarmPriority], ...]
    battery: BatteryState
    eri_at: dt.datetime | None
    end_of_service_at: dt.datetime | None
    events: tuple[DeviceEvent, ...]  # since the last interrogation
    patient_boluses: tuple[PatientBolusRecord, ...]  # since the last interrogation


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawalReceipt:
    """The residual drawn from the reservoir, as measured in the syringe."""

    serial: str
    at: dt.datetime
    measured: Volume


@dataclass(frozen=True, slots=True, kw_only=True)
class InjectionReceipt:
    """An injection as the clinician knows it: what was pushed, and the pump's new estimate.

    Whether it all reached the reservoir (or some went into the pocket) is *not* here: the
    clinician cannot see it. Only the next withdrawal can reveal it.
    """

    serial: str
    at: dt.datetime
    injected: Volume
    reservoir_estimate: Volume


@dataclass(frozen=True, slots=True, kw_only=True)
class BolusAnswer:
    serial: str
    at: dt.datetime
    granted: bool
    reason: str
    uncertain: bool


class PumpDriver(Protocol):
    """What thecal can ask of an implanted pump.

    Every method acts at the driver's notion of "now" (for the twin: its simulated clock).

    Raises (all methods):
        TelemetryFailure (THC-DEV-001): interrogation impossible (no link).
        DeviceError: the pump refused the command (see ``thecal.simulation.errors``).
    """

    def interrogate(self, serial: str) -> PumpSnapshot: ...

    def program(self, serial: str, program: InfusionProgram) -> ProgramAck: ...

    def withdraw_residual(self, serial: str) -> WithdrawalReceipt: ...

    def inject(self, serial: str, *, volume: Volume, admixture: Admixture) -> InjectionReceipt: ...

    def request_patient_bolus(self, serial: str) -> BolusAnswer: ...
