"""The intrathecal trial: ``/patients/{id}/trials`` (list, plan) and ``/trials/{id}`` (read,
administration, observations, discharge, evaluation, decision).

The plan's dose is safety-reviewed by the service: a ``block`` finding is a 422 problem listing the
findings; an ``override`` finding without a written justification is a 422 problem
(THC-TRIAL-002) listing the findings to justify in ``overrides``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from thecal.domain.quantity_text import parse_mass
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.findings import overrides_of
from thecal.entrypoints.api.presenters.paging import page
from thecal.entrypoints.api.presenters.quantities import quantity
from thecal.entrypoints.api.presenters.trials import (
    trial_baseline,
    trial_detail_public,
    trial_evaluation_public,
    trial_observation,
    trial_public,
)
from thecal.entrypoints.api.routers.patients import PatientId
from thecal.entrypoints.api.schemas.fields import IsoInstant
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.entrypoints.api.schemas.trials import (
    TrialCreate,
    TrialDecide,
    TrialDetailPublic,
    TrialEvaluationPublic,
    TrialObservationIn,
    TrialPublic,
    TrialsPublic,
    TrialVersion,
)
from thecal.services.trials import (
    AdministerTrial,
    DecideTrial,
    DischargeTrial,
    EvaluateTrial,
    GetTrial,
    ListTrials,
    ObserveTrial,
    PlanTrial,
    administer_trial,
    decide_trial,
    discharge_trial,
    evaluate_trial,
    get_trial,
    list_trials,
    observe_trial,
    plan_trial,
)

__all__ = ["TrialId", "router"]

router = APIRouter(tags=["trials"])

TrialId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Trial id.")]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}
_REFUSED: dict[int | str, dict[str, Any]] = {404: {"model": Problem}, 409: {"model": Problem}}


@router.get(
    "/patients/{patient_id}/trials",
    response_model=TrialsPublic,
    responses=_NOT_FOUND,
    summary="A patient's trials, newest plan first (an audited read)",
)
def list_for_patient(
    patient_id: PatientId,
    actor: CurrentActor,
    thecal: ThecalDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> TrialsPublic:
    found = thecal.run(list_trials, ListTrials(actor=actor, patient_id=patient_id))
    return TrialsPublic(
        items=[trial_public(t) for t in page(found, limit=limit, offset=offset)],
        limit=limit,
        offset=offset,
        total=len(found),
    )


@router.post(
    "/patients/{patient_id}/trials",
    response_model=TrialDetailPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_NOT_FOUND,
    summary="Plan a trial (physician; the dose is safety-reviewed, overrides need a reason)",
)
def plan(
    patient_id: PatientId, body: TrialCreate, actor: CurrentActor, thecal: ThecalDep
) -> TrialDetailPublic:
    planned = thecal.run(
        plan_trial,
        PlanTrial(
            actor=actor,
            patient_id=patient_id,
            drug_id=body.drug_id,
            dose=quantity(parse_mass, body.dose, where="body.dose"),
            route=body.route,
            spinal_level=body.spinal_level,
            baseline=trial_baseline(body.baseline, now=thecal.clock.now()),
            overrides=overrides_of(body.overrides),
        ),
    )
    return trial_detail_public(planned.trial, planned.findings)


@router.get(
    "/trials/{trial_id}",
    response_model=TrialDetailPublic,
    responses=_NOT_FOUND,
    summary="One trial with its observations and the safety review of its plan",
)
def show(trial_id: TrialId, actor: CurrentActor, thecal: ThecalDep) -> TrialDetailPublic:
    found = thecal.run(get_trial, GetTrial(actor=actor, trial_id=trial_id))
    return trial_detail_public(found.trial, found.findings)


@router.post(
    "/trials/{trial_id}/administration",
    response_model=TrialPublic,
    responses=_REFUSED,
    summary="Record the trial dose as given now (physician; the observation period starts)",
)
def administer(
    trial_id: TrialId, body: TrialVersion, actor: CurrentActor, thecal: ThecalDep
) -> TrialPublic:
    trial = thecal.run(
        administer_trial,
        AdministerTrial(actor=actor, trial_id=trial_id, expected_version=body.expected_version),
    )
    return trial_public(trial)


@router.post(
    "/trials/{trial_id}/observations",
    response_model=TrialPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSED,
    summary="Record one time point after the dose (pain, function, vitals, sedation, side effects)",
)
def observe(
    trial_id: TrialId, body: TrialObservationIn, actor: CurrentActor, thecal: ThecalDep
) -> TrialPublic:
    trial = thecal.run(
        observe_trial,
        ObserveTrial(
            actor=actor,
            trial_id=trial_id,
            observation=trial_observation(body, now=thecal.clock.now()),
        ),
    )
    return trial_public(trial)


@router.post(
    "/trials/{trial_id}/discharge",
    response_model=TrialPublic,
    responses=_REFUSED,
    summary="Discharge after the clinic's observation period (refused before it: THC-PATH-031)",
)
def discharge(
    trial_id: TrialId, body: TrialVersion, actor: CurrentActor, thecal: ThecalDep
) -> TrialPublic:
    trial = thecal.run(
        discharge_trial,
        DischargeTrial(actor=actor, trial_id=trial_id, expected_version=body.expected_version),
    )
    return trial_public(trial)


@router.get(
    "/trials/{trial_id}/evaluation",
    response_model=TrialEvaluationPublic,
    responses=_REFUSED,
    summary="The observations against the drug's success criterion (nothing changes)",
)
def evaluation(
    trial_id: TrialId,
    actor: CurrentActor,
    thecal: ThecalDep,
    readout_at: Annotated[
        IsoInstant | None,
        Query(description="Read pain at this observation; default the best (lowest) score."),
    ] = None,
    prior_successful_occasions: Annotated[int, Query(ge=0, le=10)] = 0,
) -> TrialEvaluationPublic:
    found = thecal.run(
        evaluate_trial,
        EvaluateTrial(
            actor=actor,
            trial_id=trial_id,
            readout_at=readout_at,
            prior_successful_occasions=prior_successful_occasions,
        ),
    )
    return trial_evaluation_public(found)


@router.post(
    "/trials/{trial_id}/decision",
    response_model=TrialPublic,
    responses=_REFUSED,
    summary="The physician's decision (implant needs a successful evaluation: THC-PATH-034)",
)
def decide(
    trial_id: TrialId, body: TrialDecide, actor: CurrentActor, thecal: ThecalDep
) -> TrialPublic:
    trial = thecal.run(
        decide_trial,
        DecideTrial(
            actor=actor,
            trial_id=trial_id,
            expected_version=body.expected_version,
            decision=body.decision,
            rationale=body.rationale,
            readout_at=body.readout_at,
            prior_successful_occasions=body.prior_successful_occasions,
        ),
    )
    return trial_public(trial)
