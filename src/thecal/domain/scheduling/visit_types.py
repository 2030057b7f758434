"""The kinds of visit the clinic books: how long each takes, where, and who attends.

=====================  ==========  =========================  ==================================
visit type             where       clinician (time taken)      room taken for
=====================  ==========  =========================  ==================================
consultation           clinic      physician (60 min)          60 min
trial day              clinic      physician (60 min: dose)    60 min + the observation period
implant                hospital    physician (3 h)             3 h (the hospital's theatre)
refill                 clinic      physician or nurse (30 min) 30 min
follow-up              clinic      physician or nurse (30 min) 30 min
MRI interrogation      clinic      physician or nurse (15 min) 15 min
replacement            hospital    physician (2 h)             2 h (the hospital's theatre)
=====================  ==========  =========================  ==================================

The durations are clinic choices (a clinic changes them in :class:`VisitCatalogue`), except the
trial day's observation period, which is the clinic's trial policy: 24 h after an intrathecal
opioid dose (label, S4; PACC 6 h, S5 [D]) or 8 h after a baclofen screening bolus (S16, S37) —
``ClinicPolicy.trial_observation`` / ``baclofen_screening_observation``. The implant "usually
lasts one to three hours and will take place at a hospital or surgical center" (the clinic's own
page): the upper end is booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from thecal.domain.policy import ClinicPolicy
from thecal.domain.users import Role

__all__ = ["Location", "VisitCatalogue", "VisitType", "VisitTypeSpec"]

_PHYSICIAN = frozenset({Role.PHYSICIAN})
_CLINICIAN = frozenset({Role.PHYSICIAN, Role.NURSE})


class VisitType(StrEnum):
    CONSULTATION = "consultation"
    TRIAL_DAY = "trial-day"
    IMPLANT = "implant"
    REFILL = "refill"
    FOLLOW_UP = "follow-up"
    MRI_INTERROGATION = "mri-interrogation"
    REPLACEMENT = "replacement"

    @property
    def label(self) -> str:
        """How screens and reminders name it: "refill visit", "MRI interrogation"."""
        return _LABELS[self]


_LABELS = {
    VisitType.CONSULTATION: "consultation",
    VisitType.TRIAL_DAY: "trial day",
    VisitType.IMPLANT: "pump implant",
    VisitType.REFILL: "refill visit",
    VisitType.FOLLOW_UP: "follow-up visit",
    VisitType.MRI_INTERROGATION: "MRI interrogation",
    VisitType.REPLACEMENT: "pump replacement",
}


class Location(StrEnum):
    CLINIC = "clinic"
    HOSPITAL = "hospital"


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitTypeSpec:
    """One visit type: where it happens, who may attend as the clinician, and for how long.

    ``duration`` is how long the room (and the patient) is taken; ``clinician_time`` is the
    clinician's part from the start (the whole visit but for a trial day, whose observation the
    nurses of the observation room keep).
    """

    type: VisitType
    location: Location
    clinician_roles: frozenset[Role]
    duration: dt.timedelta
    clinician_time: dt.timedelta

    def __post_init__(self) -> None:
        if not dt.timedelta(0) < self.clinician_time <= self.duration:
            msg = f"{self.type}: clinician time must be > 0 and ≤ the duration"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitCatalogue:
    """The clinic's visit types (defaults above; every duration a clinic choice but the
    observation period, which comes from the clinic's trial policy)."""

    consultation: dt.timedelta = dt.timedelta(minutes=60)
    trial_dosing: dt.timedelta = dt.timedelta(minutes=60)
    implant: dt.timedelta = dt.timedelta(hours=3)
    refill: dt.timedelta = dt.timedelta(minutes=30)
    follow_up: dt.timedelta = dt.timedelta(minutes=30)
    mri_interrogation: dt.timedelta = dt.timedelta(minutes=15)
    replacement: dt.timedelta = dt.timedelta(hours=2)

    def specs(
        self, policy: ClinicPolicy, *, baclofen_screening: bool = False
    ) -> Mapping[VisitType, VisitTypeSpec]:
        """Every visit type; the trial day observes for the policy's period."""
        observation = (
            policy.baclofen_screening_observation
            if baclofen_screening
            else policy.trial_observation
        ).to_timedelta()

        def spec(
            kind: VisitType, where: Location, roles: frozenset[Role], length: dt.timedelta
        ) -> VisitTypeSpec:
            return VisitTypeSpec(
                type=kind,
                location=where,
                clinician_roles=roles,
                duration=length,
                clinician_time=length,
            )

        trial = VisitTypeSpec(
            type=VisitType.TRIAL_DAY,
            location=Location.CLINIC,
            clinician_roles=_PHYSICIAN,
            duration=self.trial_dosing + observation,
            clinician_time=self.trial_dosing,
        )
        return MappingProxyType(
            {
                VisitType.CONSULTATION: spec(
                    VisitType.CONSULTATION, Location.CLINIC, _PHYSICIAN, self.consultation
                ),
                VisitType.TRIAL_DAY: trial,
                VisitType.IMPLANT: spec(
                    VisitType.IMPLANT, Location.HOSPITAL, _PHYSICIAN, self.implant
                ),
                VisitType.REFILL: spec(VisitType.REFILL, Location.CLINIC, _CLINICIAN, self.refill),
                VisitType.FOLLOW_UP: spec(
                    VisitType.FOLLOW_UP, Location.CLINIC, _CLINICIAN, self.follow_up
                ),
                VisitType.MRI_INTERROGATION: spec(
                    VisitType.MRI_INTERROGATION,
                    Location.CLINIC,
                    _CLINICIAN,
                    self.mri_interrogation,
                ),
                VisitType.REPLACEMENT: spec(
                    VisitType.REPLACEMENT, Location.HOSPITAL, _PHYSICIAN, self.replacement
                ),
            }
        )

    def spec(
        self, kind: VisitType, policy: ClinicPolicy, *, baclofen_screening: bool = False
    ) -> VisitTypeSpec:
        return self.specs(policy, baclofen_screening=baclofen_screening)[kind]
