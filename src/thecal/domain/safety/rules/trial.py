"""Trial (screening) doses: the dose against the library's trial range; discharge only after the
clinic's observation period, with a sedation score recorded and no sign of respiratory depression
(clinical.md §11 rule 4)."""

from __future__ import annotations

from collections.abc import Iterator

from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind, TrialDose
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


def _discharge(subject: RuleInput) -> TrialDose | None:
    trial = subject.context.proposal.trial
    if subject.context.action is not ActionKind.TRIAL_DISCHARGE or trial is None:
        return None
    return trial


_POSS_UNFIT = ("3", "4")


@rule(
    code="ITS-TRIAL-003",
    severity=Severity.BLOCK,
    checks="discharge after a trial dose: a sedation score is recorded and is not POSS 3 or 4",
    threshold="latest POSS sedation score present and S, 1 or 2 (Pasero [U])",
    source="clinical.md §11 rule 4; S39",
)
def discharge_sedation(subject: RuleInput) -> Iterator[Hit]:
    trial = _discharge(subject)
    if trial is None:
        return
    sedation = trial.latest.sedation if trial.latest is not None else None
    if sedation is None:
        yield Hit(
            message=(
                f"no sedation score recorded before the {trial.drug} trial discharge: score POSS "
                f"first; a monitoring record is required (clinical.md §11 rule 4, S39)"
            ),
            source="clinical.md §11 rule 4, S39",
        )
    elif sedation in _POSS_UNFIT:
        yield Hit(
            message=(
                f"latest sedation POSS {sedation} after the {trial.drug} trial dose: not fit for "
                f"discharge (S39)"
            ),
            source="S39",
            fields={"sedation": sedation},
        )


@rule(
    code="ITS-TRIAL-004",
    severity=Severity.BLOCK,
    checks="discharge after a trial dose: respiratory rate and SpO2, where recorded, at or above the clinic's thresholds",
    threshold=lambda _library, policy: (
        f"respiratory rate ≥ {policy.discharge_min_respiratory_rate}/min, SpO2 ≥ "
        f"{policy.discharge_min_spo2_pct} % ({ClinicPolicy.source('discharge_min_respiratory_rate')})"
    ),
    source="S39; clinic policy",
)
def discharge_respiration(subject: RuleInput) -> Iterator[Hit]:
    trial = _discharge(subject)
    if trial is None or trial.latest is None:
        return
    latest, policy = trial.latest, subject.policy
    low_rate = (
        latest.respiratory_rate is not None
        and latest.respiratory_rate < policy.discharge_min_respiratory_rate
    )
    low_spo2 = latest.spo2_pct is not None and latest.spo2_pct < policy.discharge_min_spo2_pct
    if low_rate or low_spo2:
        signs = []
        if low_rate:
            signs.append(
                f"respiratory rate {latest.respiratory_rate}/min (< {policy.discharge_min_respiratory_rate})"
            )
        if low_spo2:
            signs.append(f"SpO2 {latest.spo2_pct} % (< {policy.discharge_min_spo2_pct} %)")
        yield Hit(
            message=(
                f"{' and '.join(signs)} after the {trial.drug} trial dose: respiratory depression "
                f"(S39); not fit for discharge — treat and keep monitoring (naloxone for an "
                f"opioid, S99)"
            ),
            source="S39, S99",
            fields={
                "respiratory_rate": latest.respiratory_rate or "",
                "spo2_pct": latest.spo2_pct or "",
            },
        )


RULES = (
    trial_dose_outside_range,
    discharge_before_observation,
    discharge_sedation,
    discharge_respiration,
)
