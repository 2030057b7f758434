"""Titration: how fast a daily dose may rise per change, how soon after the last change, and how
far it may fall in one change.

Limits come from the drug library, chosen by the clinic's titration policy (label or consensus,
S14 vs S13) and the patient's scope (cancer / non-cancer, spinal / cerebral origin). A label
limit blocks; a consensus limit needs an override. Drugs without their own limit get the clinic's
default step (PACC 2007, 30 % non-cancer / 50 % cancer, S74).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.drugs import TitrationLimit, TitrationPhase, TitrationPolicy, TitrationScope
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import ProgramMode
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, Threshold, fmt, hours, pct, rule
from thecal.domain.sourced import Confidence, Sourced
from thecal.domain.units import DoseRate

__all__ = ["RULES"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Change:
    drug_id: str
    old: DoseRate
    new: DoseRate

    @property
    def change_pct(self) -> Decimal:
        return (self.new.value - self.old.value) / self.old.value * _HUNDRED


def _changes(subject: RuleInput) -> Iterator[_Change]:
    """Daily-dose changes of components present before and after (from a non-zero dose)."""
    if subject.proposed is None or subject.current is None:
        return
    old = subject.current.component_doses()
    for drug_id, new in subject.proposed.component_doses().items():
        before = old.get(drug_id)
        if before is not None and before.value > 0 and new != before:
            yield _Change(drug_id=drug_id, old=before, new=new)


def _limits_for(subject: RuleInput, drug_id: str) -> tuple[TitrationLimit, ...]:
    drug = subject.drug(drug_id)
    current = subject.context.current
    phase = current.titration_phase if current is not None else None
    limits = drug.titration_limits(
        subject.policy.titration_policy, subject.titration_scopes(drug), phase
    )
    if limits:
        return limits
    cancer = TitrationScope.CANCER in subject.titration_scopes()
    name = "default_step_pct_cancer" if cancer else "default_step_pct_non_cancer"
    value = (
        subject.policy.default_step_pct_cancer
        if cancer
        else subject.policy.default_step_pct_non_cancer
    )
    default = Sourced(
        value=value, source=ClinicPolicy.source(name), confidence=Confidence.CONFIRMED
    )
    scope = TitrationScope.CANCER if cancer else TitrationScope.NON_CANCER
    return (
        TitrationLimit(policy=TitrationPolicy.CONSENSUS, scope=scope, max_increase_pct=default),
    )


def _step_hits(subject: RuleInput, policy: TitrationPolicy) -> Iterator[Hit]:
    for change in _changes(subject):
        drug = subject.drug(change.drug_id)
        if change.new <= change.old:
            continue
        for limit in _limits_for(subject, change.drug_id):
            if limit.policy is not policy:
                continue
            where = f"{limit.policy.value} limit for scope {limit.scope.value}" + (
                f" in the {limit.phase.value} phase"
                if limit.phase is not TitrationPhase.ANY
                else ""
            )
            step = change.new - change.old
            if limit.max_increase_pct and change.change_pct > limit.max_increase_pct.value:
                yield Hit(
                    message=(
                        f"{change.drug_id} rises {pct(change.change_pct)} in one change "
                        f"({fmt(change.old, drug)} → {fmt(change.new, drug)}); the {where} allows at most "
                        f"{limit.max_increase_pct.value} % ({limit.max_increase_pct.cite()})"
                    ),
                    source=limit.max_increase_pct.source,
                    fields={"drug": change.drug_id, "old": change.old, "new": change.new},
                )
            if limit.max_increase and step > limit.max_increase.value:
                yield Hit(
                    message=(
                        f"{change.drug_id} rises by {fmt(step, drug)} in one change "
                        f"({fmt(change.old, drug)} → {fmt(change.new, drug)}); the {where} allows at most "
                        f"{fmt(limit.max_increase.value, drug)} per step ({limit.max_increase.cite()})"
                    ),
                    source=limit.max_increase.source,
                    fields={"drug": change.drug_id, "old": change.old, "new": change.new},
                )


def _interval_hits(subject: RuleInput, policy: TitrationPolicy) -> Iterator[Hit]:
    elapsed = subject.context.elapsed_since_last_change
    if elapsed is None:
        return
    for change in _changes(subject):
        drug = subject.drug(change.drug_id)
        if change.new <= change.old:
            continue
        for limit in _limits_for(subject, change.drug_id):
            interval = limit.min_interval
            if limit.policy is policy and interval is not None and elapsed < interval.value:
                yield Hit(
                    message=(
                        f"{change.drug_id} increase {fmt(change.old, drug)} → {fmt(change.new, drug)} comes "
                        f"{hours(elapsed)} after the last dose change; the {limit.policy.value} "
                        f"limit asks for at least {hours(interval.value)} between increases ({interval.cite()})"
                    ),
                    source=interval.source,
                    fields={"drug": change.drug_id, "elapsed": elapsed, "minimum": interval.value},
                )


def _titration_text(policy_kind: TitrationPolicy, *, interval: bool) -> Threshold:
    def text(library: ReferenceLibrary, policy: ClinicPolicy) -> str:
        parts = []
        for drug in library.drugs.values():
            for limit in drug.titration:
                if limit.policy is not policy_kind:
                    continue
                scope = limit.scope.value + (
                    f", {limit.phase.value}" if limit.phase is not TitrationPhase.ANY else ""
                )
                if interval and limit.min_interval:
                    parts.append(
                        f"{drug.id} ({scope}) ≥ {limit.min_interval.value} "
                        f"({limit.min_interval.cite()})"
                    )
                if not interval and limit.max_increase_pct:
                    parts.append(
                        f"{drug.id} ({scope}) ≤ +{limit.max_increase_pct.value} % "
                        f"({limit.max_increase_pct.cite()})"
                    )
                if not interval and limit.max_increase:
                    parts.append(
                        f"{drug.id} ({scope}) ≤ +{fmt(limit.max_increase.value, drug)} "
                        f"({limit.max_increase.cite()})"
                    )
        if policy_kind is TitrationPolicy.CONSENSUS and not interval:
            parts.append(
                f"drugs without a limit ≤ +{policy.default_step_pct_non_cancer} % non-cancer, "
                f"+{policy.default_step_pct_cancer} % cancer (S74)"
            )
        chosen = f"clinic titration policy: {policy.titration_policy.value}"
        return "; ".join(parts) + f" — {chosen}" if parts else f"none — {chosen}"

    return text


@rule(
    code="ITS-STEP-001",
    severity=Severity.BLOCK,
    checks="daily-dose increase per change against a label titration step",
    threshold=_titration_text(TitrationPolicy.LABEL, interval=False),
    source="drug library titration (label); clinic titration_policy",
)
def increase_beyond_label_step(subject: RuleInput) -> Iterator[Hit]:
    yield from _step_hits(subject, TitrationPolicy.LABEL)


@rule(
    code="ITS-STEP-002",
    severity=Severity.OVERRIDE,
    checks="daily-dose increase per change against a consensus titration step (or the clinic default)",
    threshold=_titration_text(TitrationPolicy.CONSENSUS, interval=False),
    source="drug library titration (consensus); S74",
)
def increase_beyond_consensus_step(subject: RuleInput) -> Iterator[Hit]:
    yield from _step_hits(subject, TitrationPolicy.CONSENSUS)


@rule(
    code="ITS-STEP-003",
    severity=Severity.BLOCK,
    checks="time since the last dose change before an increase against a label minimum interval",
    threshold=_titration_text(TitrationPolicy.LABEL, interval=True),
    source="drug library titration min_interval (label)",
)
def increase_sooner_than_label_interval(subject: RuleInput) -> Iterator[Hit]:
    yield from _interval_hits(subject, TitrationPolicy.LABEL)


@rule(
    code="ITS-STEP-004",
    severity=Severity.OVERRIDE,
    checks="time since the last dose change before an increase against a consensus minimum interval",
    threshold=_titration_text(TitrationPolicy.CONSENSUS, interval=True),
    source="drug library titration min_interval (consensus)",
)
def increase_sooner_than_consensus_interval(subject: RuleInput) -> Iterator[Hit]:
    yield from _interval_hits(subject, TitrationPolicy.CONSENSUS)


def _boluses_cut(subject: RuleInput) -> str:
    """What a reduction takes away in clinician boluses, for the message (empty: none). Both
    sides count every clinician bolus in full in the 24 h it is given (``peak_daily_dose``), so
    a periodic bolus that stops is a reduction like a lower basal rate."""
    if subject.current is None or subject.proposed is None:
        return ""
    before, after = subject.current.program(), subject.proposed.program()
    words = {ProgramMode.PERIODIC_BOLUS: "periodic bolus", ProgramMode.SINGLE_BOLUS: "single bolus"}
    was = words.get(before.mode)
    if was is None or after.mode is before.mode:
        return ""
    now = (
        "nothing delivered after it"
        if after.peak_daily_dose.value == 0
        else f"{after.mode.value} delivery after it"
    )
    return f" (the {was} ends, {now}; every clinician bolus counted in full in its 24 h)"


@rule(
    code="ITS-STEP-005",
    severity=Severity.OVERRIDE,
    checks="daily-dose reduction in one change, every clinician bolus counted in full in its 24 h, so a periodic or single bolus that ends is a reduction (omitted-zero signature; withdrawal risk)",
    threshold=lambda _library, policy: (
        f"more than {policy.max_single_reduction_pct} % (clinic policy max_single_reduction_pct)"
    ),
    source=ClinicPolicy.source("max_single_reduction_pct"),
)
def reduction_beyond_limit(subject: RuleInput) -> Iterator[Hit]:
    limit = Decimal(subject.policy.max_single_reduction_pct)
    for change in _changes(subject):
        drug = subject.drug(change.drug_id)
        if -change.change_pct > limit:
            risk = drug.withdrawal_risk
            yield Hit(
                message=(
                    f"{change.drug_id} falls {pct(-change.change_pct)} in one change "
                    f"({fmt(change.old, drug)} → {fmt(change.new, drug)} in the worst 24 h)"
                    f"{_boluses_cut(subject)}, more than the clinic's "
                    f"{limit} %: check for an omitted zero or misplaced decimal; withdrawal risk "
                    f"{risk.value.value} ({risk.cite()})"
                ),
                source=ClinicPolicy.source("max_single_reduction_pct"),
                fields={"drug": change.drug_id, "old": change.old, "new": change.new},
            )


@rule(
    code="ITS-STEP-006",
    severity=Severity.WARN,
    checks="an increase for a drug with a minimum interval when the time of the last dose change is not given",
    threshold="any increase of a drug whose titration limit has min_interval",
    source="drug library titration min_interval",
)
def increase_with_unknown_interval(subject: RuleInput) -> Iterator[Hit]:
    if subject.context.elapsed_since_last_change is not None:
        return
    for change in _changes(subject):
        drug = subject.drug(change.drug_id)
        intervals = [
            limit.min_interval
            for limit in _limits_for(subject, change.drug_id)
            if limit.min_interval is not None
        ]
        if change.new > change.old and intervals:
            yield Hit(
                message=(
                    f"{change.drug_id} increase {fmt(change.old, drug)} → {fmt(change.new, drug)}: the time of "
                    f"the last dose change is not recorded, so the minimum interval of "
                    f"{intervals[0].value} ({intervals[0].cite()}) could not be checked"
                ),
                source=intervals[0].source,
                fields={"drug": change.drug_id},
            )


@rule(
    code="ITS-STEP-007",
    severity=Severity.OVERRIDE,
    checks="a changed patient bolus: the worst-case daily dose (basal plus every bolus) against the clinic step limit",
    threshold=lambda _library, policy: (
        f"worst case rises more than {policy.default_step_pct_non_cancer} % (non-cancer) or "
        f"{policy.default_step_pct_cancer} % (cancer) in one change"
    ),
    source="S74, S66",
)
def bolus_change_beyond_step(subject: RuleInput) -> Iterator[Hit]:
    proposed, current = subject.proposed, subject.current
    if proposed is None or current is None or proposed.patient_bolus is None:
        return
    if proposed.patient_bolus == current.patient_bolus:
        return
    if proposed.admixture.primary.drug_id != current.admixture.primary.drug_id:
        return
    old, new = current.program().worst_case_daily_dose, proposed.program().worst_case_daily_dose
    cancer = TitrationScope.CANCER in subject.titration_scopes()
    limit = (
        subject.policy.default_step_pct_cancer
        if cancer
        else subject.policy.default_step_pct_non_cancer
    )
    if old.value <= 0:
        return
    rise = (new.value - old.value) / old.value * _HUNDRED
    if rise > limit:
        drug = subject.drug(proposed.admixture.primary.drug_id)
        yield Hit(
            message=(
                f"patient bolus {fmt(proposed.patient_bolus.dose, drug)} × {proposed.patient_bolus.max_per_day}/day "
                f"raises the worst-case daily dose {pct(rise)} ({fmt(old, drug)} → {fmt(new, drug)}), "
                f"more than the {limit} % step (S74)"
            ),
            source="S74, S66",
            fields={"old": old, "new": new},
        )


RULES = (
    increase_beyond_label_step,
    increase_beyond_consensus_step,
    increase_sooner_than_label_interval,
    increase_sooner_than_consensus_interval,
    reduction_beyond_limit,
    increase_with_unknown_interval,
    bolus_change_beyond_step,
)
