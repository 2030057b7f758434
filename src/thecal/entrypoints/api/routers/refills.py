"""``/pumps/{pump_id}/refills``: perform a refill (pharmacy-verified syringe, test volume and
aspiration, pocket-fill checklist) and list a pump's refills.

The answer carries expected vs withdrawn residual, the discrepancy and its verdict, the recorded
findings and the next refill date. A retry with the same idempotency key returns the first
refill with 200 (``replayed: true``); nothing is done twice.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from thecal.domain.quantity_text import parse_volume
from thecal.domain.refill import BedsideReadings
from thecal.domain.units import Volume
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.idempotency import idempotency_key
from thecal.entrypoints.api.presenters.quantities import quantity
from thecal.entrypoints.api.presenters.refills import (
    checklist_of,
    refill_outcome_public,
    refill_public,
)
from thecal.entrypoints.api.routers.pumps import IdempotencyHeader, Limit, Offset, PumpId
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.refills import RefillCreate, RefillPublic, RefillsPublic
from thecal.services.pump_reads import ListRefills, list_refills
from thecal.services.refills import PerformRefill, perform_refill

__all__ = ["router"]

router = APIRouter(tags=["refills"])


def _read(text: str | None, where: str) -> Volume | None:
    """A volume the nurse read, by the strict parser (absent: not read)."""
    return None if text is None else quantity(parse_volume, text, where=where)


@router.post(
    "/pumps/{pump_id}/refills",
    response_model=RefillPublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": RefillPublic, "description": "A replay: the refill this key made before."},
        404: {"model": Problem},
        409: {"model": Problem},
    },
    summary="Refill the pump: expected vs withdrawn, discrepancy finding, next refill date",
)
def perform(
    pump_id: PumpId,
    body: RefillCreate,
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    response: Response,
    key: IdempotencyHeader = None,
) -> RefillPublic:
    outcome = thecal.run_device(
        perform_refill,
        PerformRefill(
            actor=actor,
            pump_id=pump_id,
            idempotency_key=idempotency_key(key, body.idempotency_key),
            expected_pump_version=body.expected_pump_version,
            verification_id=body.verification_id,
            ordered_volume=quantity(parse_volume, body.ordered_volume, where="ordered_volume"),
            lot_at_bedside=body.lot_at_bedside,
            test_volume=quantity(parse_volume, body.test_volume, where="test_volume"),
            aspiration_returned=body.aspiration_returned,
            checklist=checklist_of(body.checklist),
            program_change_id=body.program_change_id,
            readings=BedsideReadings(
                withdrawn=_read(body.withdrawn_as_read, "withdrawn_as_read"),
                injected=_read(body.injected_as_read, "injected_as_read"),
            ),
        ),
    )
    if outcome.replayed:
        response.status_code = status.HTTP_200_OK
    return refill_outcome_public(outcome, pump_id=pump_id)


@router.get(
    "/pumps/{pump_id}/refills",
    response_model=RefillsPublic,
    responses={404: {"model": Problem}},
    summary="A pump's refills with their findings, newest first",
)
def list_for_pump(
    pump_id: PumpId,
    actor: CurrentActor,
    thecal: ThecalDep,
    limit: Limit = 25,
    offset: Offset = 0,
) -> RefillsPublic:
    page = thecal.run(
        list_refills, ListRefills(actor=actor, pump_id=pump_id, limit=limit, offset=offset)
    )
    return RefillsPublic(
        items=[refill_public(r.refill, r.findings, pump_id=pump_id) for r in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )
