"""The events of a pump's life as FHIR (issue 12 §3, §5).

* a pump replacement, catheter revision, explant and end of therapy → **Procedure** (code from
  thecal's ``procedure-kind`` system; ``focalDevice``: the pump removed and the pump implanted, or
  the catheter revised), with the event's summary as a note (the numbers as the clinician saw
  them: flow, priming, drug pushed, reconciliation, withdrawal plan);
* an interruption and a restart → **Procedure** as well (``pump-delivery-suspended`` /
  ``pump-delivery-restarted``), so a receiving system sees why the program stopped;
* a transfer of care → **Encounter** (``finished``) whose ``hospitalization.destination`` (out) or
  ``hospitalization.origin`` (in) names the other clinic.

The pump Device itself is ``inactive`` once explanted (``device.py``).
"""

from __future__ import annotations

from typing import Any

from thecal.adapters.fhir.codes import THECAL_PROCEDURE, reference
from thecal.domain.device_event_record import DeviceEventKind, DeviceEventRecord

__all__ = ["device_event_resource"]

_CODES = {
    DeviceEventKind.PUMP_REPLACEMENT: "pump_replacement",
    DeviceEventKind.CATHETER_REVISION: "catheter_revision",
    DeviceEventKind.EXPLANT: "pump_explant",
    DeviceEventKind.THERAPY_STOPPED: "intrathecal_therapy_discontinued",
    DeviceEventKind.INTERRUPTION: "pump_delivery_suspended",
    DeviceEventKind.RESTART: "pump_delivery_restarted",
}


def _focal(event: DeviceEventRecord, catheter_device_id: str) -> list[dict[str, Any]]:
    if event.kind is DeviceEventKind.PUMP_REPLACEMENT:
        focal = [{"action": {"text": "removed"}, "manipulated": reference("Device", event.pump_id)}]
        if event.related_pump_id is not None:
            focal.append(
                {
                    "action": {"text": "implanted"},
                    "manipulated": reference("Device", event.related_pump_id),
                }
            )
        return focal
    if event.kind is DeviceEventKind.CATHETER_REVISION:
        return [
            {"action": {"text": "revised"}, "manipulated": reference("Device", catheter_device_id)}
        ]
    if event.kind is DeviceEventKind.EXPLANT:
        return [{"action": {"text": "removed"}, "manipulated": reference("Device", event.pump_id)}]
    return [{"action": {"text": "programmed"}, "manipulated": reference("Device", event.pump_id)}]


def device_event_resource(
    event: DeviceEventRecord, *, resource_id: str, catheter_device_id: str
) -> dict[str, Any]:
    """One event as a Procedure, or a transfer of care as an Encounter."""
    if event.kind in (DeviceEventKind.TRANSFER_OUT, DeviceEventKind.TRANSFER_IN):
        clinic = {"display": event.facts.get("clinic", "another clinic")}
        side = "destination" if event.kind is DeviceEventKind.TRANSFER_OUT else "origin"
        return {
            "resourceType": "Encounter",
            "id": resource_id,
            "status": "finished",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "type": [{"text": event.kind.title}],
            "subject": reference("Patient", event.patient_id),
            "period": {"start": event.at.isoformat(), "end": event.at.isoformat()},
            "hospitalization": {side: clinic},
            "reasonCode": [{"text": event.summary}],
        }
    code = _CODES[event.kind]
    return {
        "resourceType": "Procedure",
        "id": resource_id,
        "status": "completed",
        "code": {
            "coding": [{"system": THECAL_PROCEDURE, "code": code, "display": event.kind.title}],
            "text": event.kind.title,
        },
        "subject": reference("Patient", event.patient_id),
        "performedDateTime": event.at.isoformat(),
        "performer": [{"actor": {"identifier": {"value": event.recorded_by}}}],
        "focalDevice": _focal(event, catheter_device_id),
        "note": [{"text": event.summary}],
    }
