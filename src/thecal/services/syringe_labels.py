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
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.repositories.pharmacy import VerificationNotFound
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "GetSyringeLabel",
    "ListUnusedLabels",
    "SyringeLabel",
    "UnusedLabel",
    "get_syringe_label",
    "unused_labels",
]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUnusedLabels:
    actor: Actor
    pump_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UnusedLabel:
    """A verified syringe no refill has used yet: its code (the label's PDF) and what it holds."""

    code: str
    label: PharmacyLabel
    verified_at: dt.datetime


def unused_labels(
    cmd: ListUnusedLabels, *, uow: AbstractUnitOfWork, clock: Clock
) -> tuple[UnusedLabel, ...]:
    """The pump's verified syringes waiting for a refill, newest first, for the nurse's refill
    form to link each label (the label's PDF is the audited read, :func:`get_syringe_label`).

    Raises:
        AccessDenied (a role that prints no labels, a clinician outside the patient's care
        teams); PumpNotFound.
    """
    del clock  # read only
    authorize_function(cmd.actor, Action.PHARMACY_LABEL_READ)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        authorize(cmd.actor, Action.PHARMACY_LABEL_READ, Subject.patient(pump.patient_id))
        found = uow.pharmacy.unused_for_pump(pump.id)  # neither used nor voided, oldest first
    newest_first = reversed(found)
    return tuple(
        UnusedLabel(code=v.id, label=v.label, verified_at=v.verified_at) for v in newest_first
    )
