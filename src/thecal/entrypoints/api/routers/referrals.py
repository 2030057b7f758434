"""``/referrals``: the consultation requests from the public intake page, and their triage.

The public page itself is a web form (``/consultation``, no log-in); these operations are for the
clinicians who triage (``referral.read``, ``referral.triage``: physicians and nurses).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from thecal.domain.scheduling import ReferralState
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.referrals import referral_public
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.referrals import (
    ReferralPublic,
    ReferralsPublic,
    ReferralTriageIn,
)
from thecal.services.scheduling.referrals import (
    GetReferral,
    ListReferrals,
    TriageReferral,
    TriageStep,
    get_referral,
    list_referrals,
    triage_referral,
)

__all__ = ["ReferralPublic", "ReferralTriageIn", "router"]

router = APIRouter(prefix="/referrals", tags=["referrals"])

ReferralId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Referral id.")]


@router.get("", response_model=ReferralsPublic, summary="Referrals, oldest first (audited)")
def read_all(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    state: Annotated[
        list[Literal["received", "information-requested", "accepted", "declined"]] | None,
        Query(max_length=4),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ReferralsPublic:
    states = frozenset(ReferralState(s) for s in state) if state else None
    found = thecal.run(
        list_referrals,
        ListReferrals(
            actor=actor,
            states=states
            or frozenset({ReferralState.RECEIVED, ReferralState.INFORMATION_REQUESTED}),
            limit=limit,
            offset=offset,
        ),
    )
    return ReferralsPublic(items=[referral_public(r) for r in found])


@router.get(
    "/{referral_id}",
    response_model=ReferralPublic,
    responses={404: {"model": Problem}},
    summary="One referral, with possible existing patients (audited)",
)
def read_one(referral_id: ReferralId, actor: CurrentActor, thecal: ThecalDep) -> ReferralPublic:
    view = thecal.run(get_referral, GetReferral(actor=actor, referral_id=referral_id))
    return referral_public(view.referral, [p.id for p in view.possible_patients])


@router.post(
    "/{referral_id}/triage",
    response_model=ReferralPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Accept (a patient record), decline, ask for or record more information",
)
def triage(
    referral_id: ReferralId, body: ReferralTriageIn, actor: CurrentActor, thecal: ThecalDep
) -> ReferralPublic:
    referral = thecal.run(
        triage_referral,
        TriageReferral(
            actor=actor,
            referral_id=referral_id,
            step=TriageStep(body.step),
            expected_version=body.expected_version,
            text=body.text,
            mrn=body.mrn,
            patient_id=body.patient_id,
            setup=thecal.scheduling,
        ),
    )
    return referral_public(referral)
