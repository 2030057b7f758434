"""The patient timeline: one dated list of what happened, newest first.

Registration, candidacy assessments, intrathecal trials (linked to their trial page), pumps,
program changes, refills, alarms, procedures and assessments (each one ``TimelineItem`` source).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.assessment_text import assessment_summary
from thecal.domain.candidacy import CandidacyAssessment
from thecal.domain.library import reference_library
from thecal.domain.patient import Patient
from thecal.domain.program import InfusionProgram
from thecal.domain.quantity_display import drug_unit, pump_model_name, shown
from thecal.domain.trial import Trial
from thecal.domain.units import MassUnit, plain
from thecal.services.therapy_history import TherapyHistory

__all__ = ["TimelineItem", "patient_timeline", "therapy_items", "trial_items"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineItem:
    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    link: str = ""


def patient_timeline(
    patient: Patient,
    assessments: Sequence[CandidacyAssessment],
    therapy: TherapyHistory | None = None,
    trials: Sequence[Trial] = (),
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
    items += trial_items(trials)
    if therapy is not None:
        items += therapy_items(therapy)
    return sorted(items, key=lambda item: item.at, reverse=True)


def trial_items(trials: Sequence[Trial]) -> list[TimelineItem]:
    """Each trial at its plan time, linked to its page; the decision, if made, in the detail."""
    items: list[TimelineItem] = []
    for t in trials:
        detail = f"{t.plan.drug_id} {shown(t.plan.dose, mass=drug_unit(t.plan.drug_id))} at {t.plan.spinal_level}; {t.state.value}"
        if t.decision is not None:
            detail += f" — decision: {t.decision.value}"
        items.append(
            TimelineItem(
                at=t.history[0].at,
                kind="trial",
                title="Intrathecal trial",
                detail=detail,
                link=f"/trials/{t.trial_id}",
            )
        )
    return items


def _unit(program: InfusionProgram) -> MassUnit:
    """The display unit of the program's primary drug."""
    return reference_library().drug(program.admixture.primary.drug_id).dose_unit


def _day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def therapy_items(therapy: TherapyHistory) -> list[TimelineItem]:
    """Pumps, program changes, refills, pump alarms, procedures and assessments."""
    items: list[TimelineItem] = []
    for h in therapy.pumps:
        pump = h.pump
        items.append(
            TimelineItem(
                at=pump.implanted_at,
                kind="pump",
                title=f"Pump {pump.serial} implanted",
                detail=f"{pump_model_name(pump.model_id)}; catheter tip {pump.catheter_tip_level}",
                link=f"/pumps/{pump.id}",
            )
        )
        items.extend(
            TimelineItem(
                at=c.history[-1].at,
                kind="program",
                title=f"Program change {c.state.value}",
                detail=(  # in each drug's display unit (mcg/day of baclofen, mg/day of morphine)
                    f"{shown(c.old_program.basal_daily_dose, mass=_unit(c.old_program))} → "
                    f"{shown(c.new_program.basal_daily_dose, mass=_unit(c.new_program))}"
                ),
                link=f"/pumps/{pump.id}/program-changes/{c.change_id}",
            )
            for c in h.changes
        )
        items.extend(
            TimelineItem(
                at=r.history[-1].at,
                kind="refill",
                title=f"Refill {r.state.value}",
                detail=f"pump {pump.serial}",
            )
            for r in h.refills
        )
        items.extend(
            TimelineItem(
                at=e.at,
                kind="alarm",
                title=f"Pump alarm: {e.code}",
                detail=f"{e.priority.value if e.priority else ''} priority; {e.detail}",
            )
            for e in h.alarms
        )
    items.extend(
        TimelineItem(
            at=_day(p.performed_on),
            kind="procedure",
            title=p.kind.value.replace("_", " ").capitalize(),
            detail=p.notes[:120],
        )
        for p in therapy.procedures
    )
    for a in therapy.assessments:
        summary = assessment_summary(a)
        items.append(
            TimelineItem(
                at=_day(a.assessed_on),
                kind="assessment",
                title=f"{a.instrument.value.upper()} assessment",
                detail=summary[:160],
            )
        )
    return items
