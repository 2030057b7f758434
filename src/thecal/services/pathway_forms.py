"""Opening a blank pathway form: the record it is about, only for an actor the policy allows the
write the form leads to (a trial plan, an implant, an MRI plan). A form for a write you may not
make is refused before it is shown, by the same policy that refuses the write itself; the read
of the record is audited like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.patient import Patient
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.patients import GetPatient, get_patient
from thecal.services.pump_record import Pump
from thecal.services.pumps import GetPump, get_pump
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["OpenPatientForm", "OpenPumpForm", "open_patient_form", "open_pump_form"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenPatientForm:
    actor: Actor
    patient_id: str
    action: Action  # the write the form leads to, e.g. Action.TRIAL_PLAN


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenPumpForm:
    actor: Actor
    pump_id: str
    action: Action  # e.g. Action.MRI_PLAN


def open_patient_form(cmd: OpenPatientForm, *, uow: AbstractUnitOfWork, clock: Clock) -> Patient:
    """The patient, if the actor may make the form's write for them.

    Raises:
        AccessDenied; PatientNotFound.
    """
    authorize(cmd.actor, cmd.action, Subject.patient(cmd.patient_id))
    return get_patient(GetPatient(actor=cmd.actor, patient_id=cmd.patient_id), uow=uow, clock=clock)


def open_pump_form(cmd: OpenPumpForm, *, uow: AbstractUnitOfWork, clock: Clock) -> Pump:
    """The pump, if the actor may make the form's write for its patient.

    Raises:
        AccessDenied; PumpNotFound.
    """
    authorize_function(cmd.actor, cmd.action)
    pump = get_pump(GetPump(actor=cmd.actor, pump_id=cmd.pump_id), uow=uow, clock=clock)
    authorize(cmd.actor, cmd.action, Subject.patient(pump.patient_id))
    return pump
