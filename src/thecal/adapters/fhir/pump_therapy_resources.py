"""A patient's pump therapy as FHIR resources: Device, Procedure, MedicationRequest and
MedicationAdministration, linked to each other.

Per pump, in this order:

* **Device** — the pump (model, serial; ``inactive`` once explanted, still ``active`` when in
  another clinic's care) and its catheter (model,
  implanted length, tip level, ``parent`` = the pump).
* **Procedure** — the implant, every refill and every event of the pump's life (replacement,
  catheter revision, explant, end of therapy, interruption, restart; a transfer of care is an
  **Encounter** naming the other clinic, ``device_event.py``). Trials are per patient, first.
* **MedicationRequest** — one per program the pump was proven to run: the implant's initial
  program, then each program change in state ``confirmed`` (by interrogation), in confirmation
  order. The last is ``active`` (``stopped`` for an explanted pump); each names the one before as
  ``priorPrescription``. The requester is the surgeon, or the physician who signed the change.
* **MedicationAdministration** — the implant fill and the fill of every completed refill (volume
  + admixture, ``partOf`` the procedure), then every patient bolus in the pump's log that was
  granted (``completed``) or whose outcome is unknown (``unknown``: never guessed). The pump's
  own log (an interrogation) settles a bolus thecal requested; one bolus (one pump timestamp) is
  exported once. Its dose is the bolus dose of the program in force at that moment.

``linked`` maps a pathway record id (implant, refill, trial) to the id of an outcome record that
summarises it (``ProcedureRecord.source_record_id``): that Procedure is already exported, so it is
not repeated and the fills point at it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thecal.adapters.fhir.device import catheter_device, pump_device
from thecal.adapters.fhir.device_event import device_event_resource
from thecal.adapters.fhir.medication_administration import (
    bolus_administration,
    fill_administration,
)
from thecal.adapters.fhir.medication_request import medication_request_resource
from thecal.adapters.fhir.procedure import (
    implant_procedure,
    refill_procedure,
    trial_procedure,
)
from thecal.adapters.fhir.pump_therapy import PumpHistory, PumpTherapyRecord
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ProgramChangeState
from thecal.domain.refill import RefillState
from thecal.services.pump_record import PumpState
from thecal.services.repositories.device_log import LoggedPatientBolus

__all__ = ["derived_id", "pump_therapy_resources"]

_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_NAMESPACE = uuid.UUID("6f1c7f0e-3a51-4b8e-9d7a-2f0c5e4b9a11")  # thecal's derived FHIR ids


def derived_id(base: str, suffix: str) -> str:
    """``base-suffix`` when that is a valid FHIR id (≤ 64 of ``[A-Za-z0-9-.]``), else a UUIDv5."""
    ident = f"{base}-{suffix}"
    return ident if _FHIR_ID.fullmatch(ident) else str(uuid.uuid5(_NAMESPACE, ident))


@dataclass(frozen=True, slots=True)
class _Order:
    request_id: str
    program: InfusionProgram
    since: dt.datetime
    requester_id: str


def _orders(history: PumpHistory) -> list[_Order]:
    pump, implant = history.pump, history.implant
    orders = (
        [
            _Order(
                derived_id(implant.implant_id, "program"),
                implant.initial_program,
                implant.performed_at,
                implant.surgeon_id,
            )
        ]
        if implant is not None
        else [_Order(derived_id(pump.id, "program"), pump.program, pump.program_since, "unknown")]
    )
    confirmed = []
    for change in history.changes:
        if change.state is not ProgramChangeState.CONFIRMED:
            continue
        at = next(t.at for t in reversed(change.history) if t.to_state == change.state.value)
        signer = change.signature.user_id if change.signature else change.proposed_by
        confirmed.append(_Order(change.change_id, change.new_program, at, signer))
    return orders + sorted(confirmed, key=lambda o: (o.since, o.request_id))


def _order_at(orders: list[_Order], at: dt.datetime) -> _Order:
    """The program in force at ``at`` (the first one for anything before it)."""
    found = orders[0]
    for order in orders:
        if order.since <= at:
            found = order
    return found


def _settled_boluses(log: list[LoggedPatientBolus]) -> list[LoggedPatientBolus]:
    """One entry per pump timestamp, the pump's own log first; granted or unknown only."""
    by_time: dict[dt.datetime, LoggedPatientBolus] = {}
    for entry in log:
        kept = by_time.get(entry.at)
        if kept is None or (kept.source != "interrogation" and entry.source == "interrogation"):
            by_time[entry.at] = entry
    return [b for at, b in sorted(by_time.items()) if b.granted or b.uncertain]


def _devices(history: PumpHistory) -> list[dict[str, Any]]:
    library = reference_library()
    pump = history.pump
    active = pump.state is not PumpState.EXPLANTED  # still implanted (if in another's care)
    return [
        pump_device(
            device_id=pump.id,
            patient_id=pump.patient_id,
            pump=library.pump(pump.model_id),
            serial=pump.serial,
            active=active,
        ),
        catheter_device(
            device_id=derived_id(pump.id, "catheter"),
            patient_id=pump.patient_id,
            catheter=library.catheter(pump.catheter_model_id),
            implanted_length_cm=pump.catheter_length_cm,
            tip_level=pump.catheter_tip_level,
            pump_device_id=pump.id,
            active=active,
        ),
    ]


def _procedures(history: PumpHistory, linked: Mapping[str, str]) -> list[dict[str, Any]]:
    pump_id, implant = history.pump.id, history.implant
    resources = []
    if implant is not None and implant.implant_id not in linked:
        resources.append(
            implant_procedure(
                implant,
                procedure_id=implant.implant_id,
                pump_device_id=pump_id,
                catheter_device_id=derived_id(pump_id, "catheter"),
            )
        )
    resources += [
        refill_procedure(r, procedure_id=r.refill_id, pump_device_id=pump_id)
        for r in history.refills
        if r.refill_id not in linked
    ]
    resources += [
        device_event_resource(
            e,
            resource_id=derived_id(e.event_id, "event"),
            catheter_device_id=derived_id(pump_id, "catheter"),
        )
        for e in history.events
    ]
    return resources


def _requests(history: PumpHistory, orders: list[_Order]) -> list[dict[str, Any]]:
    active = history.pump.state is PumpState.ACTIVE
    return [
        medication_request_resource(
            request_id=order.request_id,
            patient_id=history.pump.patient_id,
            program=order.program,
            authored_on=order.since.isoformat(),
            requester_id=order.requester_id,
            status="active" if i == len(orders) - 1 and active else "stopped",
            prior_request_id=orders[i - 1].request_id if i else None,
        )
        for i, order in enumerate(orders)
    ]


def _fills(
    history: PumpHistory, orders: list[_Order], linked: Mapping[str, str]
) -> list[dict[str, Any]]:
    pump, implant = history.pump, history.implant
    resources = []
    if implant is not None:
        resources.append(
            fill_administration(
                administration_id=derived_id(implant.implant_id, "fill"),
                patient_id=pump.patient_id,
                admixture=implant.initial_fill,
                volume=implant.fill_volume,
                at=implant.performed_at,
                procedure_id=linked.get(implant.implant_id, implant.implant_id),
                device_id=pump.id,
                request_id=orders[0].request_id,
            )
        )
    for refill in history.refills:
        if refill.state is not RefillState.COMPLETED:
            continue
        if refill.label is None or refill.reservoir_volume is None:  # completed refills have both
            continue
        done = refill.history[-1].at
        resources.append(
            fill_administration(
                administration_id=derived_id(refill.refill_id, "fill"),
                patient_id=pump.patient_id,
                admixture=refill.label.admixture,
                volume=refill.reservoir_volume,
                at=done,
                procedure_id=linked.get(refill.refill_id, refill.refill_id),
                device_id=pump.id,
                request_id=_order_at(orders, done).request_id,
            )
        )
    return resources


def _boluses(history: PumpHistory, orders: list[_Order]) -> list[dict[str, Any]]:
    pump = history.pump
    resources = []
    for bolus in _settled_boluses(list(history.boluses)):
        order = _order_at(orders, bolus.at)
        settings = order.program.patient_bolus
        resources.append(
            bolus_administration(
                administration_id=str(
                    uuid.uuid5(_NAMESPACE, f"{pump.id}/bolus/{bolus.at.isoformat()}")
                ),
                patient_id=pump.patient_id,
                drug_id=order.program.admixture.primary.drug_id,
                dose=None if settings is None else settings.dose,
                at=bolus.at,
                delivered=None if bolus.uncertain else True,
                device_id=pump.id,
                request_id=order.request_id,
            )
        )
    return resources


def _pump_resources(history: PumpHistory, linked: Mapping[str, str]) -> list[dict[str, Any]]:
    orders = _orders(history)
    return (
        _devices(history)
        + _procedures(history, linked)
        + _requests(history, orders)
        + _fills(history, orders, linked)
        + _boluses(history, orders)
    )


def pump_therapy_resources(
    record: PumpTherapyRecord, *, linked: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Trials first, then each pump's devices, procedures, requests and administrations."""
    links = dict(linked or {})
    resources = [
        trial_procedure(t, procedure_id=t.trial_id)
        for t in record.trials
        if t.trial_id not in links
    ]
    for history in record.pumps:
        resources += _pump_resources(history, links)
    return resources
