"""Device event records as API documents (``schemas/device_events.py``)."""

from __future__ import annotations

from thecal.domain.device_event_record import DeviceEventRecord
from thecal.entrypoints.api.schemas.device_events import DeviceEventPublic

__all__ = ["device_event_public"]


def device_event_public(event: DeviceEventRecord) -> DeviceEventPublic:
    return DeviceEventPublic(
        id=event.event_id,
        kind=event.kind,
        title=event.kind.title,
        patient_id=event.patient_id,
        pump_id=event.pump_id,
        related_pump_id=event.related_pump_id,
        at=event.at,
        recorded_by=event.recorded_by,
        summary=event.summary,
        facts=dict(event.facts),
    )
