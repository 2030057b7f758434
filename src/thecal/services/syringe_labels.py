"""The syringe label of a pharmacy verification: what the printed label says (issue 13 §6).

The pharmacist prints it after verifying a dispensed admixture; the nurse or physician of the
patient may print it again at the bedside. It names the patient (name, MRN, date of birth), the
pump (serial and model), what the pharmacist verified (each drug and concentration, volume, lot,
beyond-use date), who verified it and when, and the verification code the nurse types or scans.
An audited PHI read, authorized first (``pharmacy.label_read``); a patient user prints none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.patient import Patient, PatientNotFound
from thecal.domain.refill import PharmacyLabel
from thecal.domain.users import Actor
from thecal.domain.verification_code import looks_like_code, parse_code
from thecal.services.clock import Clock
from thecal.services.people import UNKNOWN
from thecal.services.pump_record import Pump
from thecal.services.repositories.pharmacy import VerificationNotFound
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["GetSyringeLabel", "SyringeLabel", "get_syringe_label"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetSyringeLabel:
    """``code``: the verification code as typed or scanned ("k7qm 3xrd" reads as K7QM-3XRD; an
    older 36-character verification id as given). ``pump_id``, when given (the web and API
    paths name the pump), must be the verification's pump."""

    actor: Actor
    code: str
    pump_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SyringeLabel:
    """Everything the printed label shows, exact (the renderer formats it for people)."""

    code: str
    patient: Patient
    pump: Pump
    label: PharmacyLabel
    verified_by: str  # the pharmacist's display name
    verified_at: dt.datetime
    used: bool  # a refill has already injected it (the label says so)


def get_syringe_label(
    cmd: GetSyringeLabel, *, uow: AbstractUnitOfWork, clock: Clock
) -> SyringeLabel:
    """The label of one pharmacy verification (an audited PHI read).

    Raises:
        AccessDenied (a role that prints no labels, or a clinician outside the patient's care
        teams); VerificationCodeInvalid (THC-PATH-026: not a code, a typo caught by the check
        character); VerificationNotFound (THC-PHARM-001: no such code, or not this pump's).
    """
    authorize_function(cmd.actor, Action.PHARMACY_LABEL_READ)
    code = parse_code(cmd.code) if looks_like_code(cmd.code) else cmd.code.strip()
    with uow:
        verification = uow.pharmacy.get(code)
        if verification is None or cmd.pump_id not in (None, verification.pump_id):
            raise VerificationNotFound(ident=code)
        subject = Subject.patient(verification.patient_id)
        authorize(cmd.actor, Action.PHARMACY_LABEL_READ, subject)
        pump = uow.pumps.get(verification.pump_id)
        patient = uow.patients.get(verification.patient_id)
        if patient is None:
            raise PatientNotFound(ident=verification.patient_id)  # pragma: no cover - FK
        assert pump is not None  # noqa: S101 - a foreign key of the verification
        pharmacist = uow.users.get(verification.verified_by)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PHARMACY_LABEL_READ,
            subject=subject,
            at=clock.now(),
            details={"verification_id": verification.id, "pump_id": pump.id},
        )
        uow.commit()
    return SyringeLabel(
        code=verification.id,
        patient=patient,
        pump=pump,
        label=verification.label,
        verified_by=UNKNOWN if pharmacist is None else pharmacist.display_name,
        verified_at=verification.verified_at,
        used=verification.used_by_refill_id is not None,
    )
