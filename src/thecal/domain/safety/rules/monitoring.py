"""Respiratory monitoring after an opioid start or increase, and naloxone at hand.

The Infumorph label asks for respiratory monitoring for the first 24–72 h after a start and after
every dose increase (S3 [C]); delayed respiratory depression appears up to 24 h after neuraxial
morphine (S4). Naloxone reverses it, in repeated doses because intrathecal morphine outlasts it
(S99).

* An opioid start, switch or increase in an opioid-naive patient without a stated monitoring plan
  of at least the clinic's period and naloxone at hand → override.
* Naloxone recorded as not available for an opioid start, increase or trial → block.
"""

from __future__ import annotations

from collections.abc import Iterator

from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, hours, rule

__all__ = ["RULES", "raised_opioids"]


def raised_opioids(subject: RuleInput) -> tuple[str, ...]:
    """Opioids the proposal starts (new to the pump) or raises."""
    return tuple(
        drug_id
        for drug_id, _new, _old in subject.raised_or_new()
        if subject.drug(drug_id).is_opioid
    )


@rule(
    code="ITS-MON-001",
    severity=Severity.OVERRIDE,
    checks="an opioid start, switch or increase in an opioid-naive patient: a respiratory-monitoring plan of at least the clinic's period, with naloxone at hand",
    threshold=lambda _library, policy: (
        f"monitoring ≥ {hours(policy.respiratory_monitoring)} "
        f"({ClinicPolicy.source('respiratory_monitoring')}) and naloxone available"
    ),
    source="S3, S4, S99",
)
def monitoring_not_planned(subject: RuleInput) -> Iterator[Hit]:
    opioids = raised_opioids(subject)
    if not opioids or not subject.opioid_naive:
        return
    plan = subject.context.proposal.monitoring
    needed = subject.policy.respiratory_monitoring
    missing = []
    if plan is None or plan.respiratory is None:
        missing.append("no respiratory-monitoring plan")
    elif plan.respiratory < needed:
        missing.append(f"monitoring for {hours(plan.respiratory)} only")
    if plan is None or plan.naloxone_available is None:
        missing.append("naloxone availability not recorded")
    if missing:
        doses = subject.proposed.component_doses() if subject.proposed else {}
        started = ", ".join(f"{d} {fmt(doses[d], subject.drug(d))}" for d in opioids)
        yield Hit(
            message=(
                f"{started} in an opioid-naive patient: {'; '.join(missing)} — monitor "
                f"respiration for at least {hours(needed)} after the start or increase (label "
                f"24–72 h, S3; delayed depression up to 24 h, S4) with naloxone at hand (S99)"
            ),
            source="S3, S4, S99",
            fields={"drugs": ", ".join(opioids)},
        )


@rule(
    code="ITS-MON-002",
    severity=Severity.BLOCK,
    checks="naloxone recorded as not available for an opioid start, increase or trial",
    threshold="monitoring.naloxone_available = false",
    source="S99, S4",
)
def naloxone_not_available(subject: RuleInput) -> Iterator[Hit]:
    plan = subject.context.proposal.monitoring
    if plan is None or plan.naloxone_available is not False:
        return
    trial = subject.context.proposal.trial
    opioid_trial = (
        subject.context.action is ActionKind.TRIAL
        and trial is not None
        and subject.drug(trial.drug).is_opioid
    )
    opioids = raised_opioids(subject) or ((trial.drug,) if opioid_trial and trial else ())
    if opioids:
        yield Hit(
            message=(
                f"naloxone is not available for {', '.join(opioids)}: an intrathecal opioid is "
                f"given only where respiratory depression can be reversed — naloxone 0.4–2 mg IV, "
                f"repeated as intrathecal morphine outlasts it (S99)"
            ),
            source="S99",
            fields={"drugs": ", ".join(opioids)},
        )


RULES = (monitoring_not_planned, naloxone_not_available)
