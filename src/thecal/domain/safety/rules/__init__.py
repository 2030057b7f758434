"""Every safety rule, one module per family, in catalogue order."""

from __future__ import annotations

from thecal.domain.safety.rules import (
    contraindications,
    device,
    granuloma,
    guard,
    limits,
    monitoring,
    patient_risk,
    priming,
    refill,
    refill_schedule,
    rotation,
    start,
    titration,
    trial,
    verification,
    withdrawal,
)
from thecal.domain.safety.rules.rule import Hit, Rule, RuleInput

__all__ = ["ALL_RULES", "Hit", "Rule", "RuleInput"]

ALL_RULES: tuple[Rule, ...] = (
    *limits.RULES,
    *start.RULES,
    *rotation.RULES,
    *titration.RULES,
    *guard.RULES,
    *verification.RULES,
    *device.RULES,
    *refill.RULES,
    *refill_schedule.RULES,
    *withdrawal.RULES,
    *priming.RULES,
    *monitoring.RULES,
    *contraindications.RULES,
    *patient_risk.RULES,
    *trial.RULES,
    *granuloma.RULES,
)
