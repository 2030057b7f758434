"""A patient's intrathecal trials for the timeline: only if the policy lets the reader see them,
and then an audited PHI read (like :mod:`thecal.services.therapy_history`)."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, is_allowed
from thecal.domain.trial import Trial
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["GetTrialHistory", "get_trial_history"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetTrialHistory:
    actor: Actor
    patient_id: str


def get_trial_history(
    cmd: GetTrialHistory, *, uow: AbstractUnitOfWork, clock: Clock
) -> tuple[Trial, ...]:
    """The patient's trials, newest plan first; empty when the reader may not read trials.

    The patient page itself is authorized by ``get_patient``; this part is included only if
    ``is_allowed(trial.read)`` and then audited as that read (never an error).
    """
    subject = Subject.patient(cmd.patient_id)
    if not is_allowed(cmd.actor, Action.TRIAL_READ, subject):
        return ()
    with uow:
        trials = tuple(uow.trials.for_patient(cmd.patient_id))
        if trials:
            uow.audit.record(
                actor=cmd.actor,
                action=Action.TRIAL_READ,
                subject=subject,
                at=clock.now(),
                details={"returned": [t.trial_id for t in trials], "via": "patient timeline"},
            )
        uow.commit()
    return trials
