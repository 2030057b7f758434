"""A patient-activated (PTM) bolus request: the patient asks their own pump for a bolus.

The pump decides (its program's bolus settings: lockout between boluses, maximum per day); thecal
never decides for it. Whatever the answer — granted, denied (``lockout``, ``daily maximum``, ``no
patient bolus programmed``, ``pump not delivering``…) or uncertain (the link failed) — it is
written to the patient-bolus log with ``source = "request"`` and audited, in one transaction.

Authorization: ``pump.patient_bolus`` is granted to the patient for their **own** pump only. A
clinician recording a request on the patient's behalf goes through the same use case, so the
policy table decides; today it grants the action to no clinician (a clinician-given bolus is a
program change with two signatures, not a button press).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.bolus_gate import next_bolus_allowed
from thecal.domain.errors import NotFound
from thecal.domain.users import Actor, Role
from thecal.services.clock import Clock
from thecal.services.pump_care import require_in_care
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_driver import BolusAnswer
from thecal.services.pump_record import PumpNotFound, PumpState
from thecal.services.repositories.device_log import LoggedPatientBolus
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "BolusStatus",
    "GetBolusStatus",
    "NoPumpForPatient",
    "RequestPatientBolus",
    "bolus_status",
    "request_patient_bolus",
]


class NoPumpForPatient(NotFound):
    code = "THC-BOLUS-001"
    template = "no active pump recorded for patient {ident}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestPatientBolus:
    actor: Actor
    pump_id: str | None = None  # None: the patient user's own (single active) pump


def request_patient_bolus(
    cmd: RequestPatientBolus, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> BolusAnswer:
    """Ask the pump for a patient bolus and log its answer.

    Raises:
        AccessDenied (not the patient's own pump); PumpNotFound / NoPumpForPatient; DeviceError.
    """
    authorize_function(cmd.actor, Action.PATIENT_BOLUS_REQUEST)
    now = clock.now()
    with uow:
        pump_id = cmd.pump_id
        if pump_id is None:
            if cmd.actor.role is not Role.PATIENT or cmd.actor.patient_id is None:
                raise NotFound(kind="pump", ident="(none given)")
            pumps = list(uow.pumps.for_patient(cmd.actor.patient_id))
            active = [p for p in pumps if p.state is PumpState.ACTIVE]
            if not active and pumps:  # the patient's pump left care: say so, not "no pump"
                require_in_care(pumps[-1], "a patient bolus")
            if not active:
                raise NoPumpForPatient(ident=cmd.actor.patient_id)
            pump_id = active[-1].id
        pump = uow.pumps.get_for_update(pump_id)  # one command stream per pump
        if pump is None:
            raise PumpNotFound(ident=pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PATIENT_BOLUS_REQUEST, subject)
        require_in_care(pump, "a patient bolus")
        answer = driver.request_patient_bolus(pump.serial)
        uow.device_log.add_boluses(
            [
                LoggedPatientBolus(
                    pump_id=pump.id,
                    at=answer.at,
                    granted=answer.granted,
                    reason=answer.reason,
                    uncertain=answer.uncertain,
                    source="request",
                )
            ]
        )
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PATIENT_BOLUS_REQUEST,
            subject=subject,
            at=now,
            details={
                "pump_id": pump.id,
                "granted": answer.granted,
                "reason": answer.reason,
                "uncertain": answer.uncertain,
                "pump_at": answer.at.isoformat(),
            },
        )
        uow.commit()
    return answer


@dataclass(frozen=True, slots=True, kw_only=True)
class GetBolusStatus:
    actor: Actor  # a patient user: their own active pump


@dataclass(frozen=True, slots=True, kw_only=True)
class BolusStatus:
    """The patient's last bolus request and when the programmed gate next allows one.

    ``next_allowed`` is None when no patient bolus is programmed; ``last_request`` is None when the
    patient never asked through thecal. ``as_of`` is the clinic's "now".
    """

    last_request: LoggedPatientBolus | None
    next_allowed: dt.datetime | None
    as_of: dt.datetime


def bolus_status(cmd: GetBolusStatus, *, uow: AbstractUnitOfWork, clock: Clock) -> BolusStatus:
    """Read the patient's own bolus log (audited as a read of their record).

    Raises:
        AccessDenied (not a patient user); NoPumpForPatient.
    """
    if cmd.actor.role is not Role.PATIENT or cmd.actor.patient_id is None:
        raise NotFound(kind="pump", ident="(none given)")
    subject = Subject.patient(cmd.actor.patient_id)
    authorize(cmd.actor, Action.PATIENT_BOLUS_REQUEST, subject)
    now = clock.now()
    with uow.reading():
        active = [
            p for p in uow.pumps.for_patient(cmd.actor.patient_id) if p.state is PumpState.ACTIVE
        ]
        if not active:
            raise NoPumpForPatient(ident=cmd.actor.patient_id)
        pump = active[-1]
        log = uow.device_log.boluses(pump.id)
    requests = [b for b in log if b.source == "request"]
    settings = pump.program.patient_bolus
    status = BolusStatus(
        last_request=requests[-1] if requests else None,
        next_allowed=None
        if settings is None
        else next_bolus_allowed(settings, (b.at for b in log if b.granted), now=now),
        as_of=now,
    )
    uow.audit_read(
        actor=cmd.actor,
        action=Action.PATIENT_READ,
        subject=subject,
        at=now,
        details={"shown": "patient-bolus log", "pump_id": pump.id},
    )
    return status
