"""Clinic policy: the choices a clinic makes where sources disagree (architecture §6).

Every field has a default with its source key; a clinic changes them in its settings and the
active values are shown wherever they matter (reports, findings, forecasts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from thecal.domain.drugs import TitrationPolicy
from thecal.domain.units import Duration

__all__ = ["ClinicPolicy"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicPolicy:
    """Clinic-configurable parameters with documented defaults."""

    #: Refill no later than this long before the projected low-reservoir alarm. Clinic choice;
    #: S48 advises scheduling refills ahead of the alarm rather than relying on it.
    refill_margin: Duration = field(default_factory=lambda: Duration.days(7))
    #: Longest refill interval the clinic allows whatever the stability (clinic choice).
    max_refill_interval: Duration = field(default_factory=lambda: Duration.days(180))
    #: Observation after an intrathecal trial dose: label 24 h (S4) vs PACC 6 h (S5) [D].
    trial_observation: Duration = field(default_factory=lambda: Duration.hours(24))
    #: Titration source where label and consensus disagree (ziconotide, S14 vs S13) [D].
    titration_policy: TitrationPolicy = TitrationPolicy.LABEL
    #: MME factor table (CDC 2022 default, S22).
    mme_table: str = "cdc-2022"
    #: Low-reservoir alarm for high withdrawal-risk patients: 4 mL (S47).
    withdrawal_risk_alarm_ml: int = 4
