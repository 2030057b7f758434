"""Vital-sign alerts after a trial dose (issue 13 §7, issue 14 §8; clinical.md §11 rule 4).

Each observation's respiratory rate, SpO2, POSS sedation, systolic blood pressure and heart rate
is compared with the clinic's alert limits:

* respiratory rate below 10/min and SpO2 below 90 %: the ASA neuraxial-opioid guideline names
  10–12/min and 90–95 % as signs of respiratory depression (S39) [D]; the lower ends are the
  clinic's defaults (``ClinicPolicy.discharge_min_respiratory_rate`` / ``discharge_min_spo2_pct``);
* POSS 3 or 4: frequently drowsy or somnolent, not fit to leave (Pasero, not among the retrieved
  sources [U]; sedation is monitored with breathing, S39);
* systolic blood pressure below 90 mmHg and heart rate below 50/min: clinic policy with no
  retrieved number (``trial_min_systolic_bp`` / ``trial_min_heart_rate``); the Duraclon label
  warns of hypotension (ext:DURACLON) and a clonidine overdose showed low BP and HR (S80).

A respiratory or sedation alert after an opioid dose carries the naloxone prompt of the Duramorph
label (S99). An alert raises an urgent worklist task (``services/trials.py``) and blocks discharge
until a later observation with a sedation score and a full set of vital signs is within the
limits (:mod:`.discharge`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.policy import ClinicPolicy
from thecal.domain.trial.observation import TrialObservation

__all__ = [
    "NALOXONE_PROMPT",
    "VitalSign",
    "VitalSignAlert",
    "VitalSignLimits",
    "alerts_in",
]

#: What to do for opioid-induced respiratory depression (Duramorph label, S99 [C]).
NALOXONE_PROMPT = (
    "give naloxone 0.4–2 mg IV, repeat every 2–3 min (reconsider the diagnosis if no response "
    "after 10 mg); intrathecal morphine outlasts naloxone: redose and keep monitoring (S99)"
)


class VitalSign(StrEnum):
    RESPIRATORY_RATE = "respiratory rate"
    SPO2 = "SpO2"
    SEDATION = "sedation"
    SYSTOLIC_BP = "systolic blood pressure"
    HEART_RATE = "heart rate"

    @property
    def respiratory(self) -> bool:
        """A sign of opioid-induced respiratory depression (naloxone is the antidote)."""
        return self in (VitalSign.RESPIRATORY_RATE, VitalSign.SPO2, VitalSign.SEDATION)


@dataclass(frozen=True, slots=True, kw_only=True)
class VitalSignLimits:
    """The alert limits in use, each with its source."""

    min_respiratory_rate: int
    min_spo2_pct: int
    min_systolic_bp: int
    min_heart_rate: int

    @classmethod
    def from_policy(cls, policy: ClinicPolicy) -> VitalSignLimits:
        return cls(
            min_respiratory_rate=policy.discharge_min_respiratory_rate,
            min_spo2_pct=policy.discharge_min_spo2_pct,
            min_systolic_bp=policy.trial_min_systolic_bp,
            min_heart_rate=policy.trial_min_heart_rate,
        )

    def describe(self) -> str:
        """The limits as one line, for a page or a message."""
        return (
            f"respiratory rate ≥ {self.min_respiratory_rate}/min and SpO2 ≥ {self.min_spo2_pct} % "
            f"(S39), sedation POSS S, 1 or 2 (Pasero [U]), systolic BP ≥ {self.min_systolic_bp} "
            f"mmHg and heart rate ≥ {self.min_heart_rate}/min (clinic policy; ext:DURACLON, S80)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class VitalSignAlert:
    """One breached limit in one observation."""

    sign: VitalSign
    observed: str  # "8/min", "88 %", "POSS 3"
    limit: str  # "alert below 10/min"
    source: str
    naloxone: bool  # the naloxone prompt applies (respiratory sign after an opioid)

    def describe(self) -> str:
        text = f"{self.sign.value} {self.observed} ({self.limit}, {self.source})"
        return f"{text}: {NALOXONE_PROMPT}" if self.naloxone else text


def alerts_in(
    observation: TrialObservation, limits: VitalSignLimits, *, opioid: bool
) -> tuple[VitalSignAlert, ...]:
    """The limits ``observation`` breaches (none for a sign not recorded)."""
    found: list[VitalSignAlert] = []

    def add(sign: VitalSign, observed: str, limit: str, source: str) -> None:
        found.append(
            VitalSignAlert(
                sign=sign,
                observed=observed,
                limit=limit,
                source=source,
                naloxone=opioid and sign.respiratory,
            )
        )

    vitals = observation.vitals
    if vitals is not None:
        if vitals.respiratory_rate < limits.min_respiratory_rate:
            add(
                VitalSign.RESPIRATORY_RATE,
                f"{vitals.respiratory_rate}/min",
                f"alert below {limits.min_respiratory_rate}/min",
                "S39",
            )
        if vitals.spo2_pct < limits.min_spo2_pct:
            add(
                VitalSign.SPO2,
                f"{vitals.spo2_pct} %",
                f"alert below {limits.min_spo2_pct} %",
                "S39",
            )
        if vitals.systolic_bp < limits.min_systolic_bp:
            add(
                VitalSign.SYSTOLIC_BP,
                f"{vitals.systolic_bp} mmHg",
                f"alert below {limits.min_systolic_bp} mmHg",
                "clinic policy; ext:DURACLON",
            )
        if vitals.heart_rate < limits.min_heart_rate:
            add(
                VitalSign.HEART_RATE,
                f"{vitals.heart_rate}/min",
                f"alert below {limits.min_heart_rate}/min",
                "clinic policy; ext:DURACLON",
            )
    sedation = observation.sedation
    if sedation is not None and sedation.unacceptable:
        add(VitalSign.SEDATION, f"POSS {sedation.value}", "alert at POSS 3 or 4", "Pasero [U]; S39")
    return tuple(found)
