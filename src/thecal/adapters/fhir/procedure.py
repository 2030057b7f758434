"""Procedure: any procedure on record, and the pump implant, each refill and each intrathecal trial.

The outcome records (``procedures``) hold the procedures a clinic reports on
(:func:`procedure_resource`: injections, trials, implants, revisions, refills); the pathway records
(implants, refills, trials) hold what was done to the pump. Both become FHIR ``Procedure`` with the
same code system (``procedure-kind``). A pathway record that an outcome record already summarises
(its ``source_record_id``) is exported once, as that record (see :mod:`.pump_therapy_resources`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from thecal.adapters.fhir.codes import THECAL_PROCEDURE, reference
from thecal.domain.actors import Transition
from thecal.domain.implant import ImplantRecord
from thecal.domain.procedure import ProcedureKind, ProcedureRecord
from thecal.domain.quantity_display import in_drug_unit
from thecal.domain.refill import Refill, RefillState
from thecal.domain.trial import Trial, TrialState
from thecal.domain.units import plain

__all__ = ["implant_procedure", "procedure_resource", "refill_procedure", "trial_procedure"]


def _base(ident: str, kind: ProcedureKind, patient_id: str, status: str) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": ident,
        "status": status,
        "code": {
            "coding": [{"system": THECAL_PROCEDURE, "code": kind.value, "display": kind.label}],
            "text": kind.label,
        },
        "subject": reference("Patient", patient_id),
    }


def _performer(user_id: str) -> list[dict[str, Any]]:
    return [{"actor": {"identifier": {"value": user_id}}}]


def _focal(action: str, device_id: str) -> dict[str, Any]:
    return {"action": {"text": action}, "manipulated": reference("Device", device_id)}


def procedure_resource(record: ProcedureRecord) -> dict[str, Any]:
    """A procedure record: the day, the performer, the indication, the notes."""
    resource = _base(record.id, record.kind, record.patient_id, "completed")
    resource |= {
        "performedDateTime": record.performed_on.isoformat(),
        "performer": _performer(record.performer_id),
        "reasonCode": [{"text": record.indication}],
    }
    if record.notes:
        resource["note"] = [{"text": record.notes}]
    return resource


def implant_procedure(
    record: ImplantRecord, *, procedure_id: str, pump_device_id: str, catheter_device_id: str
) -> dict[str, Any]:
    """The implant: when, by whom, the pump and catheter implanted, the priming bolus."""
    resource = _base(
        procedure_id, ProcedureKind.INTRATHECAL_PUMP_IMPLANT, record.patient_id, "completed"
    )
    priming = record.priming
    resource |= {
        "performedDateTime": record.performed_at.isoformat(),
        "performer": _performer(record.surgeon_id),
        "focalDevice": [
            _focal("implanted", pump_device_id),
            _focal("implanted", catheter_device_id),
        ],
        "note": [
            {
                "text": (
                    f"{record.pump.name} serial {record.pump_serial}; {record.catheter.name} "
                    f"{plain(record.catheter_length_cm)} cm, tip at {record.catheter_tip_level}; "
                    f"priming bolus {priming.volume} (catheter {priming.catheter_volume} + pump "
                    f"{priming.pump_internal_volume}); initial fill {record.fill_volume} of "
                    f"{record.initial_fill.describe()}"
                )
            }
        ],
    }
    return resource


_REFILL_STATUS = {RefillState.COMPLETED: "completed", RefillState.HALTED: "stopped"}


def _period(history: list[Transition], *, finished: bool) -> dict[str, str]:
    period = {"start": history[0].at.isoformat()}
    if finished:
        period["end"] = history[-1].at.isoformat()
    return period


def refill_procedure(refill: Refill, *, procedure_id: str, pump_device_id: str) -> dict[str, Any]:
    """A refill: open to close, the nurse, the pump, reconciliation and halt reason as notes."""
    status = _REFILL_STATUS.get(refill.state, "in-progress")
    resource = _base(procedure_id, ProcedureKind.REFILL, refill.patient_id, status)
    resource |= {
        "performedPeriod": _period(refill.history, finished=status != "in-progress"),
        "performer": _performer(refill.history[-1].user_id),
        "focalDevice": [_focal("refilled", pump_device_id)],
    }
    notes = []
    if refill.reconciliation is not None:
        notes.append({"text": f"reconciliation: {refill.reconciliation.describe()}"})
    if refill.halt_reason is not None:
        resource["statusReason"] = {"text": refill.halt_reason}
    if notes:
        resource["note"] = notes
    return resource


def _trial_status(trial: Trial) -> str:
    if trial.state is TrialState.PLANNED:
        return "preparation"
    if trial.state is TrialState.ADMINISTERED:
        return "in-progress"
    if trial.state is TrialState.CANCELLED:
        return "not-done" if trial.administered_at is None else "stopped"
    return "completed"


def _when(at: dt.datetime | None) -> dict[str, str]:
    return {} if at is None else {"performedDateTime": at.isoformat()}


def trial_procedure(trial: Trial, *, procedure_id: str) -> dict[str, Any]:
    """An intrathecal trial: drug, dose, route and level; the decision as the outcome."""
    resource = _base(
        procedure_id, ProcedureKind.INTRATHECAL_TRIAL, trial.patient_id, _trial_status(trial)
    )
    plan = trial.plan
    given = [t for t in trial.history if t.action == "administer"]
    resource |= _when(trial.administered_at)
    resource["performer"] = _performer((given or trial.history)[0].user_id)
    resource["note"] = [
        {
            "text": (
                f"{plan.drug_id} {in_drug_unit(plan.dose, plan.drug_id)} {plan.route.value} at {plan.spinal_level}; "
                f"observed for {plan.observation_period} ({plan.observation_source})"
            )
        }
    ]
    if trial.decision is not None:
        resource["outcome"] = {"text": trial.decision.value}
    return resource
