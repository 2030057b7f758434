"""What the twin answers: command outcomes, bolus decisions, interrogation, and the two truths."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from thecal.domain.device_events import (
    AlarmPriority,
    BatteryState,
    DeviceEvent,
    PatientBolusRecord,
)
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Mass, Volume

__all__ = ["Belief", "BolusDecision", "CommandOutcome", "PumpStatus", "Truth"]


class CommandOutcome(Enum):
    """Whether the pump confirmed a command. *Uncertain* is recorded as such, never guessed."""

    ACKNOWLEDGED = "acknowledged"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True, kw_only=True)
class BolusDecision:
    """The answer to a patient-activated bolus request."""

    at: dt.datetime
    granted: bool
    reason: str
    volume: Volume
    uncertain: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PumpStatus:
    """An interrogation: only what the pump itself believes and has logged."""

    at: dt.datetime
    serial: str
    model_id: str
    program: InfusionProgram | None
    reservoir: Volume  # the pump's estimate
    delivered_since_refill: Volume  # the pump's own count
    low_reservoir_alarm: Volume
    delivering: bool
    alarms: tuple[tuple[str, AlarmPriority], ...]
    battery: BatteryState
    eri_at: dt.datetime | None
    end_of_service_at: dt.datetime | None
    events: tuple[DeviceEvent, ...]  # since the last interrogation
    patient_boluses: tuple[PatientBolusRecord, ...]  # since the last interrogation


@dataclass(frozen=True, slots=True, kw_only=True)
class Belief:
    """The pump's own count."""

    reservoir: Volume
    delivered: Volume


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth:
    """What physically happened (only the twin can know this)."""

    reservoir: Volume
    reservoir_contents: str
    path: Volume
    path_contents: tuple[tuple[Volume, str], ...]  # tip end first
    tip: Volume
    tip_mass: dict[str, Mass]
    tissue: Volume
    tissue_mass: dict[str, Mass]
    pocket: Volume
    pocket_mass: dict[str, Mass]
    withdrawn: Volume
    injected: Volume
