"""What is scored before and after the trial dose: the baseline and each observation time point.

* NRS pain 0–10, a function score 0–100 (higher is better) with a note, vitals (respiratory rate,
  SpO2, heart rate, systolic BP: physical ranges only), Ashworth 0–4 and spasm frequency 0–4
  (Penn) for baclofen screening, side effects with the clinician's "intolerable" judgement.
* Sedation uses the Pasero Opioid-induced Sedation Scale (POSS: S, 1–4; Pasero 2009, not among the
  retrieved sources [U]); 3 = frequently drowsy, drifts off mid-conversation, 4 = somnolent — both
  mean the patient is not fit to leave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.actors import require_aware
from thecal.domain.errors import ValueOutOfRange

__all__ = ["Sedation", "TrialBaseline", "TrialObservation", "Vitals"]


def _in_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise ValueOutOfRange(name=name, expected=f"{low}–{high}", value=value)


class Sedation(StrEnum):
    """Pasero Opioid-induced Sedation Scale (POSS) [U]."""

    SLEEPING = "S"  # sleeping, easily aroused
    AWAKE = "1"  # awake and alert
    SLIGHTLY_DROWSY = "2"  # slightly drowsy, easily aroused
    FREQUENTLY_DROWSY = "3"  # frequently drowsy, arousable, drifts off during conversation
    SOMNOLENT = "4"  # somnolent, minimal or no response

    @property
    def unacceptable(self) -> bool:
        return self in (Sedation.FREQUENTLY_DROWSY, Sedation.SOMNOLENT)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vitals:
    """Respiratory rate (/min), SpO2 (%), heart rate (/min), systolic BP (mmHg): physical ranges only."""

    respiratory_rate: int
    spo2_pct: int
    heart_rate: int
    systolic_bp: int

    def __post_init__(self) -> None:
        _in_range("respiratory rate", self.respiratory_rate, 0, 80)
        _in_range("SpO2", self.spo2_pct, 0, 100)
        _in_range("heart rate", self.heart_rate, 0, 300)
        _in_range("systolic BP", self.systolic_bp, 0, 300)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialBaseline:
    """Scores before the dose: NRS pain 0–10, optional function score (0–100, higher is better),
    Ashworth 0–4 and spasm frequency 0–4 (Penn) for baclofen screening."""

    at: dt.datetime
    pain_nrs: int | None = None
    function_score: int | None = None
    ashworth: int | None = None
    spasm_frequency: int | None = None

    def __post_init__(self) -> None:
        require_aware(self.at, name="baseline time")
        _in_range("NRS pain", self.pain_nrs, 0, 10)
        _in_range("function score", self.function_score, 0, 100)
        _in_range("Ashworth", self.ashworth, 0, 4)
        _in_range("spasm frequency", self.spasm_frequency, 0, 4)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialObservation:
    """One time point after the dose."""

    at: dt.datetime
    pain_nrs: int | None = None
    function_score: int | None = None
    function_note: str = ""
    vitals: Vitals | None = None
    sedation: Sedation | None = None
    ashworth: int | None = None
    spasm_frequency: int | None = None
    side_effects: tuple[str, ...] = ()
    intolerable: bool = False  # the clinician judges the side effects intolerable

    def __post_init__(self) -> None:
        require_aware(self.at, name="observation time")
        _in_range("NRS pain", self.pain_nrs, 0, 10)
        _in_range("function score", self.function_score, 0, 100)
        _in_range("Ashworth", self.ashworth, 0, 4)
        _in_range("spasm frequency", self.spasm_frequency, 0, 4)
        if self.intolerable and not self.side_effects:
            raise ValueOutOfRange(
                name="intolerable side effects", expected="named", value="none listed"
            )
