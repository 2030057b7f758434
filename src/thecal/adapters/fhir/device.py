"""Device: the implanted pump (model, serial) and its catheter (model, implanted length)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from thecal.adapters.fhir.codes import reference
from thecal.domain.devices import CatheterModel, PumpModel

__all__ = ["catheter_device", "pump_device"]


def pump_device(
    *, device_id: str, patient_id: str, pump: PumpModel, serial: str, active: bool = True
) -> dict[str, Any]:
    """The pump: manufacturer, model name and number, serial number, reservoir volume.

    ``active`` False (an explanted pump) exports status ``inactive``.
    """
    return {
        "resourceType": "Device",
        "id": device_id,
        "status": "active" if active else "inactive",
        "manufacturer": pump.manufacturer,
        "serialNumber": serial,
        "modelNumber": pump.model_number,
        "deviceName": [{"name": pump.name, "type": "manufacturer-name"}],
        "type": {"text": "implantable intrathecal infusion pump"},
        "property": [
            {
                "type": {"text": "reservoir volume"},
                "valueQuantity": [
                    {
                        "value": pump.reservoir.value.ml,
                        "unit": "mL",
                        "system": "http://unitsofmeasure.org",
                        "code": "mL",
                    }
                ],
            }
        ],
        "patient": reference("Patient", patient_id),
    }


def catheter_device(
    *,
    device_id: str,
    patient_id: str,
    catheter: CatheterModel,
    implanted_length_cm: Decimal,
    tip_level: str,
    pump_device_id: str,
    active: bool = True,
) -> dict[str, Any]:
    """The catheter (model), its implanted length and tip level, attached to the pump."""
    return {
        "resourceType": "Device",
        "id": device_id,
        "status": "active" if active else "inactive",
        "manufacturer": catheter.manufacturer,
        "deviceName": [{"name": catheter.name, "type": "manufacturer-name"}],
        "type": {"text": "intrathecal catheter"},
        "property": [
            {
                "type": {"text": "implanted length"},
                "valueQuantity": [
                    {
                        "value": implanted_length_cm,
                        "unit": "cm",
                        "system": "http://unitsofmeasure.org",
                        "code": "cm",
                    }
                ],
            },
            {"type": {"text": "catheter tip level"}, "valueCode": [{"text": tip_level}]},
        ],
        "patient": reference("Patient", patient_id),
        "parent": reference("Device", pump_device_id),
    }
