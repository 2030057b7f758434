"""Every safety rule, one module per family, in catalogue order."""

from __future__ import annotations

from thecal.domain.safety.rules import (
    contraindications,
    device,
    granuloma,
    guard,
    limits,
    refill,
    titration,
    trial,
)
from thecal.domain.safety.rules.rule import Hit, Rule, RuleInput

__all__ = ["ALL_RULES", "Hit", "Rule", "RuleInput"]

ALL_RULES: tuple[Rule, ...] = (
    *limits.RULES,
    *titration.RULES,
    *guard.RULES,
    *device.RULES,
    *refill.RULES,
    *contraindications.RULES,
    *trial.RULES,
    *granuloma.RULES,
)
