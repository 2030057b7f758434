"""The trial plan: what is given, by which route, at which spinal level, and how long the patient
is watched.

The observation period is clinic policy, passed in with the plan: IT morphine label ≥ 24 h (S4)
vs PACC ≥ 6 h (S5) [D]; ITB screening 4–8 h (S16, S37).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.drugs import Drug, DrugClass
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.units import Duration, Mass

__all__ = ["TrialPlan", "TrialRoute", "spinal_level"]

_LEVEL = r"(C[1-7]|T(1[0-2]|[1-9])|L[1-5]|S[1-5])"
_LEVEL_RE = re.compile(rf"{_LEVEL}(-{_LEVEL})?")


def spinal_level(text: str) -> str:
    """Validate a vertebral level or interspace such as ``"T10"`` or ``"L3-L4"``."""
    value = text.strip().upper()
    if not _LEVEL_RE.fullmatch(value):
        raise ValueOutOfRange(
            name="spinal level",
            expected="a level like T10 or an interspace like L3-L4",
            value=repr(text),
        )
    return value


class TrialRoute(StrEnum):
    IT_BOLUS = "it-bolus"  # single intrathecal injection (S38)
    IT_CONTINUOUS = "it-continuous"  # infusion through a temporary catheter (S38)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialPlan:
    """What will be given, how, where, and how long the patient is watched."""

    drug_id: str
    drug_class: DrugClass
    dose: Mass
    route: TrialRoute
    spinal_level: str
    observation_period: Duration
    observation_source: str = "S4"

    def __post_init__(self) -> None:
        if self.dose.value <= 0:
            raise ValueOutOfRange(name="trial dose", expected="> 0", value=self.dose)
        if self.observation_period.value <= 0:
            raise ValueOutOfRange(
                name="observation period", expected="> 0", value=self.observation_period
            )
        object.__setattr__(self, "spinal_level", spinal_level(self.spinal_level))

    @classmethod
    def for_drug(
        cls,
        drug: Drug,
        *,
        dose: Mass,
        route: TrialRoute,
        level: str,
        observation_period: Duration,
        observation_source: str = "S4",
    ) -> TrialPlan:
        return cls(
            drug_id=drug.id,
            drug_class=drug.drug_class,
            dose=dose,
            route=route,
            spinal_level=level,
            observation_period=observation_period,
            observation_source=observation_source,
        )
