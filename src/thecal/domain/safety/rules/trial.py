"""Trial (screening) doses: the dose against the library's trial range, and discharge only after
the clinic's observation period."""

from __future__ import annotations

from collections.abc import Iterator

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, hours, rule
from thecal.domain.units import Duration

__all__ = ["RULES", "observation_for"]

_BACLOFEN = "baclofen"


def observation_for(drug_id: str, policy: ClinicPolicy) -> tuple[Duration, str]:
    """The observation period after a trial dose of ``drug_id`` and its source."""
    if drug_id == _BACLOFEN:
        return policy.baclofen_screening_observation, ClinicPolicy.source(
            "baclofen_screening_observation"
        )
    return policy.trial_observation, ClinicPolicy.source("trial_observation")


def _trial_text(library: ReferenceLibrary, _policy: ClinicPolicy) -> str:
    return "; ".join(
        f"{d.id} {fmt(d.trial_bolus.value.low, d)}–{fmt(d.trial_bolus.value.high, d)} ({d.trial_bolus.cite()})"
        for d in library.drugs.values()
        if d.trial_bolus
    )


@rule(
    code="ITS-TRIAL-001",
    severity=Severity.OVERRIDE,
    checks="trial bolus dose inside the library's trial range",
    threshold=_trial_text,
    source="drug library trial_bolus",
)
def trial_dose_outside_range(subject: RuleInput) -> Iterator[Hit]:
    trial = subject.context.proposal.trial
    if subject.context.action is not ActionKind.TRIAL or trial is None:
        return
    drug = subject.drug(trial.drug)
    rng = drug.trial_bolus
    if rng is not None and trial.dose not in rng.value:
        yield Hit(
            message=(
                f"trial dose {trial.drug} {fmt(trial.dose, drug)} is outside the trial range "
                f"{fmt(rng.value.low, drug)}–{fmt(rng.value.high, drug)} ({rng.cite()})"
            ),
            source=rng.source,
            fields={"drug": trial.drug, "dose": trial.dose},
        )


@rule(
    code="ITS-TRIAL-002",
    severity=Severity.BLOCK,
    checks="discharge after a trial dose only once the observation period has passed",
    threshold=lambda _library, policy: (
        f"{hours(policy.trial_observation)} ({ClinicPolicy.source('trial_observation')}); "
        f"baclofen screening {hours(policy.baclofen_screening_observation)} "
        f"({ClinicPolicy.source('baclofen_screening_observation')})"
    ),
    source="clinic policy trial_observation; S4, S5, S16, S37",
)
def discharge_before_observation(subject: RuleInput) -> Iterator[Hit]:
    trial = subject.context.proposal.trial
    if (
        subject.context.action is not ActionKind.TRIAL_DISCHARGE
        or trial is None
        or trial.dosed_at is None
    ):
        return
    discharge = trial.discharge_at or subject.context.at
    observed = Duration.from_timedelta(discharge - trial.dosed_at)
    needed, source = observation_for(trial.drug, subject.policy)
    if observed < needed:
        yield Hit(
            message=(
                f"discharge {hours(observed)} after the {trial.drug} trial dose; the clinic's "
                f"observation period is {hours(needed)} ({source}): delayed respiratory depression "
                f"can appear up to 24 h after neuraxial morphine (S4)"
                if trial.drug != _BACLOFEN
                else f"discharge {hours(observed)} after the baclofen screening dose; observe at least "
                f"{hours(needed)} ({source})"
            ),
            source=source,
            fields={"observed": observed, "required": needed},
        )


RULES = (trial_dose_outside_range, discharge_before_observation)
