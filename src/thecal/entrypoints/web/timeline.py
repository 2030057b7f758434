"""The patient timeline: one dated list of what happened, newest first.

Today it shows registration and candidacy assessments; procedures, trials, programs, refills,
alarms and assessments join as their use cases land (each adds one ``TimelineItem`` source).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.candidacy import CandidacyAssessment
from thecal.domain.patient import Patient
from thecal.domain.units import plain

__all__ = ["TimelineItem", "patient_timeline"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineItem:
    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    link: str = ""


def patient_timeline(
    patient: Patient, assessments: Sequence[CandidacyAssessment]
) -> list[TimelineItem]:
    items = [
        TimelineItem(
            at=patient.registered_at,
            kind="registration",
            title="Registered",
            detail=f"MRN {patient.mrn}",
        )
    ]
    for a in assessments:
        concerns = len(a.concerns())
        items.append(
            TimelineItem(
                at=a.assessed_at,
                kind="candidacy",
                title="Candidacy assessment",
                detail=(
                    f"{a.details.indication.value.replace('_', ' ')}; oral MME "
                    f"{plain(a.mme.total_mg_per_day)} mg/day ({a.mme.table_id}); "
                    f"{concerns} concern{'s' if concerns != 1 else ''}"
                ),
                link=f"#candidacy-{a.id}",
            )
        )
    return sorted(items, key=lambda item: item.at, reverse=True)
