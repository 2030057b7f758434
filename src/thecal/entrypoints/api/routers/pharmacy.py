"""``/pumps/{pump_id}/pharmacy-verifications``: a pharmacist verifies a dispensed admixture
(drug(s) and concentration(s), volume, lot, beyond-use date) against the pump's program."""

from __future__ import annotations

from fastapi import APIRouter, status

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.pharmacy import label_of, verification_public
from thecal.entrypoints.api.routers.pumps import PumpId
from thecal.entrypoints.api.schemas.pharmacy import (
    PharmacyVerificationCreate,
    PharmacyVerificationPublic,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture

__all__ = ["router"]

router = APIRouter(tags=["pharmacy"])


@router.post(
    "/pumps/{pump_id}/pharmacy-verifications",
    response_model=PharmacyVerificationPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Verify a dispensed admixture for this pump (used once, by the refill that fills it)",
)
def verify(
    pump_id: PumpId, body: PharmacyVerificationCreate, actor: CurrentActor, thecal: ThecalDep
) -> PharmacyVerificationPublic:
    verification = thecal.run(
        verify_admixture, VerifyAdmixture(actor=actor, pump_id=pump_id, label=label_of(body))
    )
    return verification_public(verification)
