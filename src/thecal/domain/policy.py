"""Clinic policy: the choices a clinic makes where sources disagree (architecture §6).

Every field has a default with its source key; a clinic changes them in its settings and the
active values are shown wherever they matter (reports, findings, forecasts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import ClassVar

from thecal.domain.drugs import TitrationPolicy
from thecal.domain.units import DoseRate, Duration, Volume

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
    #: Ziconotide maximum daily dose: US label 19.2 mcg/day (S14) vs EU SmPC 21.6 mcg/day (S11) [D].
    ziconotide_max_daily_dose: DoseRate = field(
        default_factory=lambda: DoseRate.from_mcg_per_day(Decimal("19.2"))
    )
    #: Observation after an IT baclofen screening bolus: 4–8 h (S16, S37); the upper end is used.
    baclofen_screening_observation: Duration = field(default_factory=lambda: Duration.hours(8))
    #: Refill discrepancy threshold; None uses the pump model's value (> 1 mL for 20 mL pumps,
    #: > 2 mL for 40 mL pumps, S75).
    refill_discrepancy_threshold: Volume | None = None
    #: Refill accuracy band in % of the volume delivered; None uses the pump model's band
    #: (Prometra 85–115 %, S62; SynchroMed II ±14.5 % [U]).
    refill_accuracy_band_pct: Decimal | None = None
    #: Yearly opioid dose increase that prompts a granuloma review. S86 found the yearly dose
    #: increase associated with inflammatory masses (r = 0.433) but gives no cut-off: clinic choice.
    granuloma_yearly_increase_pct: int = 50
    #: Dose increase allowed per change for drugs without their own titration limit: up to 30 %
    #: (non-malignant) and 50 % (malignant), PACC 2007 quoted by S74.
    default_step_pct_non_cancer: int = 30
    default_step_pct_cancer: int = 50
    #: A reduction larger than this in one change needs an override: it is the signature of an
    #: omitted zero or misplaced decimal (safety:S26) and risks withdrawal (S18, S94). Clinic choice.
    max_single_reduction_pct: int = 50
    #: A new value at least this many times (or at most 1/this of) the current one is blocked as a
    #: probable ten-fold or unit error (safety:SR-05, safety:S26, safety:S28).
    ten_fold_ratio: int = 10
    #: Spinal cord injury at or above this level is a high withdrawal risk for IT baclofen (S18).
    withdrawal_high_risk_sci_level: str = "T6"
    #: A switch from one intrathecal opioid to another starts the new one at least this much below
    #: the equianalgesic dose (incomplete cross-tolerance: 25–50 %, ext:PALLCARE; clinical.md §2.1
    #: asks for a mandatory reduction and S26 for a conservative conversion).
    rotation_reduction_pct: int = 25
    #: Stability assumed for a component the library has no stability for: the next refill beyond
    #: it warns. Clinic choice; cohorts on hydromorphone + clonidine refilled every 35 ± 13 days
    #: without clonidine loss (S70).
    unknown_stability: Duration = field(default_factory=lambda: Duration.days(30))
    #: Respiratory monitoring after an opioid start or increase in an opioid-naive patient: the
    #: Infumorph label asks for the first 24–72 h (S3); the shortest is the default.
    respiratory_monitoring: Duration = field(default_factory=lambda: Duration.hours(24))
    #: Trial discharge is refused below this respiratory rate (/min) or SpO2 (%): the ASA neuraxial
    #: opioid guideline names a rate of 10–12/min and a saturation of 90–95 % as signs of
    #: respiratory depression (S39) [D]; the lower ends are the defaults.
    discharge_min_respiratory_rate: int = 10
    discharge_min_spo2_pct: int = 90
    #: A trial observation below this systolic blood pressure (mmHg) or heart rate (/min) raises an
    #: alert and blocks discharge: clinic policy, no retrieved source gives a number; the Duraclon
    #: label warns of hypotension and asks for vital signs in the first days (ext:DURACLON), and a
    #: clonidine overdose showed low BP and HR (S80).
    trial_min_systolic_bp: int = 90
    trial_min_heart_rate: int = 50
    #: Age from which an opioid start or increase warns (age is a PACC candidacy factor, S5; the
    #: cut-off is clinic policy, issue 14 item 11).
    older_patient_age_years: int = 65
    #: Endocrine surveillance on long-term intrathecal opioids (S5): a check older than this warns.
    #: Clinic choice.
    endocrine_check_interval: Duration = field(default_factory=lambda: Duration.days(365))
    #: A restart of an intrathecal opioid after an interruption at least this long is reviewed as a
    #: new start (naive start dose, monitoring after a start, S3, S5): tolerance fades without the
    #: drug, and no retrieved source gives the interval. Clinic policy, conservative by default.
    opioid_tolerance_lost_after: Duration = field(default_factory=lambda: Duration.days(3))

    #: Source key(s) behind each field, shown in findings and the rule catalogue.
    SOURCES: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "refill_margin": "S48",
            "max_refill_interval": "clinic policy",
            "trial_observation": "S4 (label 24 h), S5 (PACC 6 h)",
            "titration_policy": "S14 (label), S13 (consensus)",
            "mme_table": "S22",
            "withdrawal_risk_alarm_ml": "S47",
            "ziconotide_max_daily_dose": "S14 (US 19.2 mcg/day), S11 (EU 21.6 mcg/day)",
            "baclofen_screening_observation": "S16, S37",
            "refill_discrepancy_threshold": "S75",
            "refill_accuracy_band_pct": "S62",
            "granuloma_yearly_increase_pct": "S86",
            "default_step_pct_non_cancer": "S74",
            "default_step_pct_cancer": "S74",
            "max_single_reduction_pct": "safety:S26, S18, S94",
            "ten_fold_ratio": "safety:SR-05, safety:S26, safety:S28",
            "withdrawal_high_risk_sci_level": "S18",
            "rotation_reduction_pct": "ext:PALLCARE (25–50 %), clinical.md §2.1, S26",
            "unknown_stability": "clinic policy; S70",
            "respiratory_monitoring": "S3 (24–72 h after a start or increase)",
            "discharge_min_respiratory_rate": "S39 (10–12/min) [D]",
            "discharge_min_spo2_pct": "S39 (90–95 %) [D]",
            "trial_min_systolic_bp": "clinic policy (no retrieved source); ext:DURACLON, S80",
            "trial_min_heart_rate": "clinic policy (no retrieved source); ext:DURACLON, S80",
            "older_patient_age_years": "clinic policy; S5 (age a candidacy factor)",
            "endocrine_check_interval": "clinic policy; S5 (endocrine surveillance)",
            "opioid_tolerance_lost_after": "clinic policy (no retrieved source); S3, S5",
        }
    )

    @classmethod
    def source(cls, name: str) -> str:
        """The source key(s) behind the policy field ``name``."""
        return cls.SOURCES[name]
