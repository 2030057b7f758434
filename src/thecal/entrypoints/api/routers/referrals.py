"""``/referrals``: the consultation requests from the public intake page, and their triage.

The public page itself is a web form (``/consultation``, no log-in); these operations are for the
clinicians who triage (``referral.read``, ``referral.triage``: physicians and nurses).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from thecal.domain.scheduling import Referral, ReferralState
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.schemas.fields import Ident, Whole, text_rule
from thecal.entrypoints.api.schemas.problems import Problem
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferralPublic(_Strict):
    id: str
    received_at: dt.datetime
    state: str
    source: str
    family_name: str
    given_names: str
    birth_date: dt.date
    email: str
    phone: str
    condition: str
    tried: list[str]
    tried_details: str
    referrer_name: str
    referrer_practice: str
    referrer_contact: str
    message: str
    patient_id: str | None
    note: str | None = Field(description="The decline reason, the question asked or the answer")
    version: int
    possible_patients: list[str] = Field(
        default_factory=list, description="Registered patients with the same name and birth date"
    )


class ReferralsPublic(_Strict):
    items: list[ReferralPublic]


class ReferralTriageIn(_Strict):
    step: Literal["accept", "decline", "request-information", "information-received"]
    expected_version: Whole = Field(ge=1, le=1_000_000)
    text: Annotated[str, text_rule(1000)] = Field(
        default="", description="decline: the reason; request-information: the question; …"
    )
    mrn: Annotated[str, text_rule(40)] = Field(
        default="", description="accept: the new patient's record number"
    )
    patient_id: Ident | None = Field(
        default=None, description="accept: link this registered patient instead"
    )


def referral_public(r: Referral, possible: list[str] | None = None) -> ReferralPublic:
    f = r.form
    return ReferralPublic(
        id=r.id,
        received_at=r.received_at,
        state=r.state.value,
        source=f.source.value,
        family_name=f.family_name,
        given_names=f.given_names,
        birth_date=f.birth_date,
        email=f.email,
        phone=f.phone,
        condition=f.condition.value,
        tried=sorted(t.value for t in f.tried),
        tried_details=f.tried_details,
        referrer_name=f.referrer_name,
        referrer_practice=f.referrer_practice,
        referrer_contact=f.referrer_contact,
        message=f.message,
        patient_id=r.patient_id,
        note=r.note,
        version=r.version,
        possible_patients=possible or [],
    )


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
