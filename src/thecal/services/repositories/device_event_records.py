"""The device event record port (``domain/device_event_record.py``): append and read, never update."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.domain.device_event_record import DeviceEventRecord

__all__ = ["DeviceEventRecordRepository"]


class DeviceEventRecordRepository(abc.ABC):
    """The events of every pump's life, each written once."""

    @abc.abstractmethod
    def add(self, record: DeviceEventRecord) -> None: ...

    @abc.abstractmethod
    def get(self, event_id: str) -> DeviceEventRecord | None: ...

    @abc.abstractmethod
    def for_pump(self, pump_id: str) -> Sequence[DeviceEventRecord]:
        """The pump's events, oldest first (as the pump that came out or the new one)."""

    @abc.abstractmethod
    def for_patient(self, patient_id: str) -> Sequence[DeviceEventRecord]:
        """The patient's events on every pump, oldest first."""
