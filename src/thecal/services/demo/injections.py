"""The injection pathways: one facet joint or epidural steroid injection, then follow-ups.

The patient is registered and injected on their first day; the baseline questionnaires (answered
at the pre-procedure visit, up to ten days before) are entered that day, linked to the procedure;
each follow-up is entered on its own day. Responder shares are demo assumptions: 55 % for an
epidural steroid injection, 50 % for a facet joint injection.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from thecal.domain.procedure import ProcedureKind
from thecal.services.demo.cohort import Pathway, PatientPlan
from thecal.services.demo.context import SeedContext, at_clinic_hour
from thecal.services.demo.questionnaires import draw_course
from thecal.services.demo.visits import follow_up_acts
from thecal.services.procedures import RecordProcedure, record_procedure

__all__ = ["injection_course"]

# Shares of injection episodes that also follow function (ODI) and quality of life (EQ-5D-5L):
# a clinic asks the short questionnaires of everyone, the long ones of some (assumption).
_FUNCTION_PERCENT = 50
_QUALITY_PERCENT = 30

_KINDS = {
    Pathway.FACET_JOINT_INJECTION: (
        ProcedureKind.FACET_JOINT_INJECTION,
        ("L-FACET", "C-FACET"),
        50,
    ),
    Pathway.EPIDURAL_STEROID_INJECTION: (
        ProcedureKind.EPIDURAL_STEROID_INJECTION,
        ("L-RAD", "C-RAD"),
        55,
    ),
}


def injection_course(plan: PatientPlan, ctx: SeedContext) -> Iterator[dt.datetime]:
    """Yield the instants this patient acts at; act each time the seed resumes it."""
    rng = random.Random(plan.seed)
    kind, indications, responders = _KINDS[plan.pathway]
    day = plan.first_day
    yield at_clinic_hour(day, rng.randrange(0, 540))
    patient_id = ctx.register(plan)
    indication = indications[0] if rng.random() < 0.75 else indications[1]
    procedure = ctx.clinic.run(
        record_procedure,
        RecordProcedure(
            actor=ctx.staff.physician,
            patient_id=patient_id,
            kind=kind,
            performed_on=day,
            indication=indication,
            procedure_id=ctx.ident("procedure", plan.number, kind.value),
        ),
    )
    ctx.tally.add("procedures")
    ctx.tally.procedures_by_kind[kind.value] += 1
    course = draw_course(
        rng,
        responder_percent=responders,
        bpi=False,
        function_percent=_FUNCTION_PERCENT,
        quality_percent=_QUALITY_PERCENT,
        reminded_from_day=ctx.reminded_from_day(day),
    )
    ctx.questionnaires(
        patient_id=patient_id,
        procedure_id=procedure.id,
        procedure_day=day,
        day=course.baseline.day,
        answers=course.baseline.answers,
    )
    keep = ctx.keeper(
        patient_id=patient_id,
        procedure_id=procedure.id,
        procedure_day=day,
        answers={v.day: v.answers for v in course.follow_ups},
    )
    for at, act in follow_up_acts(
        ctx,
        rng=random.Random(f"visits-{plan.seed}"),
        patient_id=patient_id,
        procedure_id=procedure.id,
        procedure_day=day,
        course=course,
        keep=keep,
    ):
        yield at
        act()
