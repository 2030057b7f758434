"""Pharmacy: a pharmacist verifies a dispensed admixture for one pump before it may be filled.

The label (drug(s) and concentration(s), volume, lot, beyond-use date) must match the admixture of
the program the pump runs (SR-08, clinical.md §11 rule 9) — or the new admixture of a co-signed
admixture change of that pump (``services/admixture_changes.py``) — and be in date. The verification is then
used exactly once, by the refill that injects it (``refills.py``), which repeats the three-way
match against the refill order and the pump.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.library import reference_library
from thecal.domain.refill import AdmixtureMismatch, BeyondUseDatePassed, PharmacyLabel
from thecal.domain.units import Volume
from thecal.domain.users import Actor
from thecal.services.admixture_changes import awaiting_refill, verified_change_for
from thecal.services.clock import Clock
from thecal.services.pump_care import require_in_care
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.repositories.pharmacy import PharmacyVerification
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["VerifyAdmixture", "verify_admixture"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAdmixture:
    actor: Actor
    pump_id: str
    label: PharmacyLabel
    verification_id: str | None = None  # generated when not given


def _check_plausible(label: PharmacyLabel, pump: Pump) -> None:
    """A label's volume is more than 0 mL and fits the pump's reservoir (physical plausibility).

    Raises:
        ValueOutOfRange: a 0 mL or larger-than-the-reservoir volume (a 1,000,000 mL label was
            an unhandled overflow).
    """
    reservoir = reference_library().pump(pump.model_id).reservoir.value
    if not Volume.from_ml(0) < label.volume <= reservoir:
        raise ValueOutOfRange(
            name="dispensed volume",
            expected=f"more than 0 mL and at most {reservoir}",
            value=label.volume,
        )


def verify_admixture(
    cmd: VerifyAdmixture, *, uow: AbstractUnitOfWork, clock: Clock
) -> PharmacyVerification:
    """Record a pharmacist's verification of a dispensed admixture for a pump.

    Raises:
        AccessDenied (not a pharmacist); PumpNotFound; AdmixtureMismatch (drug or concentration
        differ from the pump's program); BeyondUseDatePassed.
    """
    now = clock.now()
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            authorize(cmd.actor, Action.PHARMACY_VERIFY, Subject.collection("pumps"))
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PHARMACY_VERIFY, subject)
        require_in_care(pump, "a pharmacy verification")
        ordered = pump.program.admixture
        change = None
        if cmd.label.admixture != ordered:
            # a new admixture is verified only for a co-signed admixture change of this pump
            change = verified_change_for(uow, pump, cmd.label.admixture)
            if change is None:
                expected = " or ".join(
                    [ordered.describe()]
                    + [c.new_program.admixture.describe() for c in awaiting_refill(uow, pump.id)]
                )
                raise AdmixtureMismatch(
                    what=(
                        "dispensed drug/concentration vs the pump's program "
                        "(or a co-signed admixture change)"
                    ),
                    expected=expected,
                    got=cmd.label.admixture.describe(),
                )
        _check_plausible(cmd.label, pump)
        if now > cmd.label.beyond_use:
            raise BeyondUseDatePassed(
                lot=cmd.label.lot, beyond_use=cmd.label.beyond_use.isoformat(), at=now.isoformat()
            )
        verification = PharmacyVerification(
            id=cmd.verification_id or str(uuid.uuid4()),
            pump_id=pump.id,
            patient_id=pump.patient_id,
            label=cmd.label,
            verified_by=cmd.actor.user_id,
            verified_at=now,
        )
        uow.pharmacy.add(verification)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PHARMACY_VERIFY,
            subject=subject,
            at=now,
            details={
                "verification_id": verification.id,
                "pump_id": pump.id,
                "admixture": cmd.label.admixture.describe(),
                "volume_ml": str(cmd.label.volume.ml),
                "lot": cmd.label.lot,
                "beyond_use": cmd.label.beyond_use.isoformat(),
                "admixture_change_id": None if change is None else change.change_id,
            },
        )
        uow.commit()
    return verification
