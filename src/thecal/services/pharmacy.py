"""Pharmacy: a pharmacist verifies a dispensed admixture for one pump before it may be filled.

The label (drug(s) and concentration(s), volume, lot, beyond-use date) must match the admixture of
the program the pump runs (SR-08, clinical.md §11 rule 9) — or the new admixture of a co-signed
admixture change of that pump (``services/admixture_changes.py``) — and be in date. The verification is then
used exactly once, by the refill that injects it (``refills.py``), which repeats the three-way
match against the refill order and the pump.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from thecal.domain.admixture import Admixture
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.date_plausibility import BEYOND_USE, check_instant
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.library import reference_library
from thecal.domain.refill import (
    BeyondUseDatePassed,
    LabelNotTheOrder,
    PharmacyLabel,
    label_difference,
)
from thecal.domain.units import Volume
from thecal.domain.users import Actor
from thecal.domain.verification_code import new_code
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
    verification_id: str | None = None  # a fresh code ("K7QM-3XRD") when not given


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


def _fresh_code(uow: AbstractUnitOfWork) -> str:
    """A verification code no stored verification has (32**7 codes: a clash is retried)."""
    for _ in range(8):
        code = new_code(secrets.randbelow)
        if uow.pharmacy.get(code) is None:
            return code
    msg = "no free verification code after 8 draws"  # 1 in 34 billion per draw
    raise RuntimeError(msg)  # pragma: no cover


def _first_difference(label: PharmacyLabel, orders: list[Admixture]) -> LabelNotTheOrder:
    """The label against the order it was meant for: the co-signed change or program whose primary
    drug it names (the latest such), else the latest order; the first differing field named."""
    same_drug = [o for o in orders if o.primary.drug_id == label.admixture.primary.drug_id]
    meant = (same_drug or orders)[-1]
    found = label_difference(label.admixture, meant)
    assert found is not None  # noqa: S101 - the label matched none of the orders
    return found


def verify_admixture(
    cmd: VerifyAdmixture, *, uow: AbstractUnitOfWork, clock: Clock
) -> PharmacyVerification:
    """Record a pharmacist's verification of a dispensed admixture for a pump.

    Raises:
        AccessDenied (not a pharmacist); PumpNotFound; LabelNotTheOrder (422: the typed drug or
        concentration is neither the pump's program nor a co-signed admixture change, the first
        differing field named); BeyondUseDatePassed.
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
                raise _first_difference(
                    cmd.label,
                    [ordered] + [c.new_program.admixture for c in awaiting_refill(uow, pump.id)],
                )
        _check_plausible(cmd.label, pump)
        check_instant("beyond_use", cmd.label.beyond_use, BEYOND_USE, now=now)
        if now > cmd.label.beyond_use:
            raise BeyondUseDatePassed(
                lot=cmd.label.lot, beyond_use=cmd.label.beyond_use.isoformat(), at=now.isoformat()
            )
        verification = PharmacyVerification(
            id=cmd.verification_id or _fresh_code(uow),
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
