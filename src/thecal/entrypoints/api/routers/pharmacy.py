"""``/pumps/{pump_id}/pharmacy-verifications``: a pharmacist verifies a dispensed admixture
(drug(s) and concentration(s), volume, lot, beyond-use date) against the pump's program; its
printable syringe label (PDF with the code as a QR code)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import Response

from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.pharmacy import label_of, verification_public
from thecal.entrypoints.api.presenters.syringe_label import syringe_label_response
from thecal.entrypoints.api.routers.pumps import PumpId
from thecal.entrypoints.api.schemas.pharmacy import (
    PharmacyVerificationCreate,
    PharmacyVerificationPublic,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture
from thecal.services.syringe_labels import GetSyringeLabel, get_syringe_label

__all__ = ["router"]

router = APIRouter(tags=["pharmacy"])

Code = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9 _-]{1,64}$",
        description="Verification code as on the syringe (K7QM-3XRD; any case, hyphen optional).",
    ),
]


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


@router.get(
    "/pumps/{pump_id}/pharmacy-verifications/{code}/label.pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The syringe label: one 100 × 60 mm page, the code as text and QR.",
        },
        404: {"model": Problem},
        422: {"model": Problem},
    },
    summary="The printable syringe label of a pharmacy verification (PDF with a QR code)",
)
def syringe_label(pump_id: PumpId, code: Code, actor: CurrentActor, thecal: ThecalDep) -> Response:
    """Patient (name, MRN, date of birth), pump (serial, model), each drug and concentration in
    its display unit, volume, lot, beyond-use date, the pharmacist and when, "FOR INTRATHECAL USE
    ONLY", and the verification code in large text and as a QR code encoding exactly the code.
    The pharmacist, or a nurse or physician of the patient's care team (an audited PHI read)."""
    found = thecal.run(get_syringe_label, GetSyringeLabel(actor=actor, code=code, pump_id=pump_id))
    return syringe_label_response(found)
