"""``/pumps/{pump_id}/admixture-changes``: propose a new admixture (concentration change, drug
rotation, adjuvant added or removed) with its bridge decision, and list the co-signed ones waiting
for the refill that injects them.

The change is a program change (signed and co-signed at ``/program-changes/{id}/signature`` and
``/co-signature``, on a diff that includes the bridge bolus and what the tip receives); it is sent
by ``POST /pumps/{pump_id}/refills`` with ``program_change_id``, never by ``/sending``.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from thecal.domain.admixture import Admixture, Component
from thecal.domain.quantity_text import parse_concentration, parse_dose_rate
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.idempotency import idempotency_key
from thecal.entrypoints.api.presenters.program_changes import change_public
from thecal.entrypoints.api.presenters.quantities import quantity
from thecal.entrypoints.api.routers.pumps import IdempotencyHeader, PumpId
from thecal.entrypoints.api.schemas.admixture_changes import AdmixtureChangeCreate
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.program_changes import (
    ProgramChangeProposalPublic,
    ProgramChangesPublic,
)
from thecal.services.admixture_changes import (
    AwaitingRefill,
    ProposeAdmixtureChange,
    list_awaiting_refill,
    new_admixture_program,
    propose_admixture_change,
)
from thecal.services.pumps import GetPump, get_pump

__all__ = ["router"]

router = APIRouter(tags=["admixture-changes"])


def _admixture(body: AdmixtureChangeCreate) -> Admixture:
    return Admixture(
        components=tuple(
            Component(
                drug_id=c.drug.strip(),
                concentration=quantity(
                    parse_concentration, c.concentration, where=f"drugs.{i}.concentration"
                ),
            )
            for i, c in enumerate(body.drugs)
        )
    )


@router.post(
    "/pumps/{pump_id}/admixture-changes",
    response_model=ProgramChangeProposalPublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": ProgramChangeProposalPublic,
            "description": "A replay: the change this key proposed before; nothing is proposed.",
        },
        404: {"model": Problem},
        409: {"model": Problem},
        422: {"model": Problem},
    },
    summary=(
        "Propose a new admixture (concentration, drug rotation, adjuvant) sent at the refill that "
        "injects it, with or without a bridge bolus: the change with its safety findings (a drug "
        "new to the pump is reviewed as a new start) and the diff, bridge included"
    ),
)
def propose(
    pump_id: PumpId,
    body: AdmixtureChangeCreate,
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    response: Response,
    key: IdempotencyHeader = None,
) -> ProgramChangeProposalPublic:
    chosen_key = idempotency_key(key, body.idempotency_key)
    current = thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id)).program
    program = new_admixture_program(
        current, _admixture(body), quantity(parse_dose_rate, body.daily_dose, where="daily_dose")
    )
    outcome = thecal.run(
        propose_admixture_change,
        ProposeAdmixtureChange(
            actor=actor,
            pump_id=pump_id,
            new_program=program,
            bridge=body.bridge,
            idempotency_key=chosen_key,
            rationale=body.rationale,
        ),
    )
    if outcome.replayed:
        response.status_code = status.HTTP_200_OK
    return ProgramChangeProposalPublic(
        **dict(change_public(outcome.change)), replayed=outcome.replayed
    )


@router.get(
    "/pumps/{pump_id}/admixture-changes",
    response_model=ProgramChangesPublic,
    responses={404: {"model": Problem}},
    summary="The pump's co-signed admixture changes waiting for the refill that injects them",
)
def awaiting(pump_id: PumpId, actor: CurrentActor, thecal: ThecalDep) -> ProgramChangesPublic:
    found = thecal.run(list_awaiting_refill, AwaitingRefill(actor=actor, pump_id=pump_id))
    return ProgramChangesPublic(
        items=[change_public(c) for c in found], total=len(found), limit=len(found), offset=0
    )
