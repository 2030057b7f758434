"""Re-plan the visits a patient's facts ask for (``domain/scheduling/visit_needs.py``).

:func:`replan_visits` runs inside the transaction of every use case that changes those facts —
an implant, a refill, an interrogation that confirms a program, an MRI plan's clearance, scan or
emptying, a procedure on record, and every booking, move, cancellation or outcome of a visit — so
the stored needs (and the worklist rows made from them) follow the record with no separate step.
``thecal visits plan`` re-plans every patient (after an upgrade, or to check nothing drifted).

The refill deadline is the forecast's from the record's history (``services/pump_reservoir.py``
``refill_plan``): from the last fill or the pump's count at the last interrogation, through every
program since, each from its send — a change that raises the flow moves it earlier. An emptied
reservoir (0 mL on the record) is due at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from thecal.domain.policy import ClinicPolicy
from thecal.domain.scheduling import (
    EpisodeFacts,
    PatientFacts,
    PostMriFacts,
    PumpFacts,
    ReferralFacts,
    ReferralState,
    VisitNeed,
    visit_needs,
)
from thecal.domain.tasks import TaskKind
from thecal.domain.time_points import DEFAULT_TIME_POINTS, TimePoint
from thecal.services.pump_projection import projection_of
from thecal.services.pump_record import Pump, PumpState
from thecal.services.pump_reservoir import refill_plan
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["pump_facts", "replan_visits"]


def pump_facts(pump: Pump, policy: ClinicPolicy) -> PumpFacts:
    """The refill deadline (the record's history) and the service-life dates of one pump."""
    projection = projection_of(pump)
    if pump.reservoir_volume.value <= 0:
        deadline, binding = pump.last_filled_at, "the reservoir was emptied"
    else:
        plan = refill_plan(pump, policy)
        deadline, binding = plan.due, plan.binding.value
    return PumpFacts(
        pump_id=pump.id,
        last_filled_at=pump.last_filled_at,
        refill_deadline=deadline,
        refill_binding=binding,
        eri_at=projection.eri_at,
        end_of_service_at=projection.end_of_service_at,
    )


def replan_visits(
    uow: AbstractUnitOfWork,
    patient_id: str,
    *,
    policy: ClinicPolicy | None = None,
    time_points: Sequence[TimePoint] = DEFAULT_TIME_POINTS,
) -> list[VisitNeed]:
    """Recompute and store the patient's visit needs, in the caller's transaction."""
    chosen = policy or ClinicPolicy()
    pumps = [
        pump_facts(p, chosen)
        for p in uow.pumps.for_patient(patient_id)
        if p.state is PumpState.ACTIVE
    ]
    episodes = [
        EpisodeFacts(procedure_id=p.id, kind=p.kind, performed_on=p.performed_on)
        for p in uow.procedures.for_patient(patient_id)
    ]
    post_mri = [
        PostMriFacts(
            plan_id=t.task.origin,
            earliest=t.task.not_before or t.created_at,
            due=t.task.due,
        )
        for t in uow.tasks.for_patient(patient_id, open_only=True)
        if t.task.kind is TaskKind.POST_MRI_INTERROGATION
    ]
    accepted = [
        ReferralFacts(referral_id=r.id, accepted_at=r.history[-1].at)
        for r in uow.referrals.for_patient(patient_id)
        if r.state is ReferralState.ACCEPTED
    ]
    facts = PatientFacts(
        patient_id=patient_id,
        referrals=accepted,
        pumps=pumps,
        episodes=episodes,
        post_mri=post_mri,
        appointments=uow.appointments.for_patient(patient_id),
    )
    needs = visit_needs(facts, time_points)
    uow.visit_needs.replace_for_patient(patient_id, needs)
    return needs
