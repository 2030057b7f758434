"""The pump command log as the twin driver uses it: the log of the unit of work's open transaction,
and the JSON form of command payloads that are not programs or admixtures (faults, durations).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from thecal.domain.units import Duration, plain
from thecal.services.repositories.device_log import DeviceCommand, DeviceCommandLog, DeviceSnapshot
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.simulation.faults import (
    BatteryDepletion,
    DeliveryError,
    Fault,
    Leak,
    MotorStall,
    Occlusion,
    TelemetryFailure,
)

__all__ = [
    "UnitOfWorkCommandLog",
    "duration_from_text",
    "duration_text",
    "fault_from_dict",
    "fault_to_dict",
]


def duration_text(value: Duration | None) -> str | None:
    return None if value is None else plain(value.value)


def duration_from_text(text: str | None) -> Duration | None:
    return None if text is None else Duration(Decimal(text))


def fault_to_dict(fault: Fault) -> dict[str, Any]:
    """A fault as JSON-ready data (type name and its fields, decimals as text)."""
    data: dict[str, Any] = {"type": type(fault).__name__}
    if isinstance(fault, BatteryDepletion):
        data["lost_s"] = plain(fault.lost.value)
        return data
    data["duration_s"] = duration_text(fault.duration)
    if isinstance(fault, DeliveryError | Leak):
        data["percent"] = plain(fault.percent)
    if isinstance(fault, TelemetryFailure):
        data["applied"] = fault.applied
    return data


def fault_from_dict(data: dict[str, Any]) -> Fault:
    kind, duration = data["type"], duration_from_text(data.get("duration_s"))
    if kind == "MotorStall":
        return MotorStall(duration=duration)
    if kind == "DeliveryError":
        return DeliveryError(percent=Decimal(data["percent"]), duration=duration)
    if kind == "Occlusion":
        return Occlusion(duration=duration)
    if kind == "Leak":
        return Leak(percent=Decimal(data["percent"]), duration=duration)
    if kind == "BatteryDepletion":
        return BatteryDepletion(lost=Duration(Decimal(data["lost_s"])))
    if kind == "TelemetryFailure":
        return TelemetryFailure(duration=duration, applied=data.get("applied"))
    msg = f"unknown fault type {kind!r} in the pump command log"
    raise ValueError(msg)


class UnitOfWorkCommandLog(DeviceCommandLog):
    """The command log of whatever transaction ``uow`` has open (resolved at each call)."""

    def __init__(self, uow: AbstractUnitOfWork) -> None:
        self._uow = uow

    def for_serial(self, serial: str) -> Sequence[DeviceCommand]:
        return self._uow.device_commands.for_serial(serial)

    def last_seq(self, serial: str) -> int:
        return self._uow.device_commands.last_seq(serial)

    def append(self, command: DeviceCommand) -> None:
        self._uow.device_commands.append(command)

    def since(self, serial: str, seq: int) -> Sequence[DeviceCommand]:
        return self._uow.device_commands.since(serial, seq)

    def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
        return self._uow.device_commands.latest_snapshot(serial)

    def save_snapshot(self, snapshot: DeviceSnapshot) -> None:
        self._uow.device_commands.save_snapshot(snapshot)

    def database(self) -> object | None:
        return self._uow.device_commands.database()

    def after_commit(self, callback: Callable[[], None]) -> bool:
        return self._uow.device_commands.after_commit(callback)
