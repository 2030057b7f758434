"""A small clinic, seeded through the real use cases, with figures counted by hand.

Epidural steroid injections for indication L-RAD, all on 2025-01-10; report date 2025-07-01, so
the 3-month window (day 60–120) has passed for all of them. Baseline pain is recorded 3 days
before, follow-ups at day 88–95.

======  ========  =========  ====  ===========  ======================================
patient baseline  follow-up  PGIC  ODI (b → f)  counts
======  ========  =========  ====  ===========  ======================================
P1      8         2 (−75 %)  1     60 → 40      improved, ≥ 50 %, ≥ 30 %, ODI −20
P2      6         3 (−50 %)  2     50 → 44      improved, ≥ 50 %, ≥ 30 %, ODI −6
P3      5         4 (−20 %)  3     —            minimally improved: no responder, < 30 %
P4      7         7 (0 %)    4     40 → 30      no change in PGIC, ODI −10
P5      9         —          —     —            lost to follow-up (nothing in the window)
P6      0         —          5     —            baseline pain 0: no pain baseline; PGIC 5
======  ========  =========  ====  ===========  ======================================

Hand counts at 3 months (eligible = due with the measure's baseline):

* PGIC improved ("much improved" or better, the default): eligible 6, completers 5 (P1–P4, P6),
  responders 2 (P1, P2) → 40 %.
* ≥ 50 % less pain: eligible 5 (P6 has no usable baseline), completers 4, responders 2 → 50 %.
* ≥ 30 % less pain: same denominators, responders 2 → 50 %.
* ODI −10: eligible 3 (P1, P2, P4), completers 3, responders 2 → "Over 66 %".
* EQ VAS: nobody has one: eligible 0.

A facet joint injection for P1 (indication L-FACET) is added to prove the filter.
"""

from __future__ import annotations

import datetime as dt

from thecal.bootstrap import Thecal
from thecal.domain.instruments import ODI_ITEMS, Instrument
from thecal.domain.patient import Sex
from thecal.domain.procedure import ProcedureKind
from thecal.domain.users import Actor
from thecal.services.assessments import RecordAssessment, record_assessment
from thecal.services.patients import RegisterPatient, register_patient
from thecal.services.procedures import RecordProcedure, record_procedure

PROCEDURE_DAY = dt.date(2025, 1, 10)
REPORT_DATE = dt.date(2025, 7, 1)


def odi_answers(percent: int) -> dict[str, int | None]:
    """All ten sections answered, summing to ``percent`` / 2 (score = sum / 50 × 100)."""
    total = percent // 2
    answers: dict[str, int | None] = {}
    for item in ODI_ITEMS:
        step = min(5, total)
        answers[item] = step
        total -= step
    return answers


#: patient → (baseline pain, follow-up pain, PGIC, baseline ODI, follow-up ODI)
CLINIC: dict[str, tuple[int, int | None, int | None, int | None, int | None]] = {
    "P1": (8, 2, 1, 60, 40),
    "P2": (6, 3, 2, 50, 44),
    "P3": (5, 4, 3, None, None),
    "P4": (7, 7, 4, 40, 30),
    "P5": (9, None, None, None, None),
    "P6": (0, None, 5, None, None),
}


def seed_clinic(app: Thecal, clinician: Actor) -> dict[str, str]:
    """Register the clinic; returns patient label → procedure id (the epidurals)."""
    episodes: dict[str, str] = {}
    for number, (label, row) in enumerate(CLINIC.items(), start=1):
        base_pain, pain, pgic, base_odi, odi = row
        patient = app.run(
            register_patient,
            RegisterPatient(
                actor=clinician,
                mrn=f"MRN-{label}",
                family_name=f"Patient{number}",
                given_names="Test",
                birth_date=dt.date(1960, 1, number),
                sex=Sex.FEMALE,
            ),
        )
        procedure = app.run(
            record_procedure,
            RecordProcedure(
                actor=clinician,
                patient_id=patient.id,
                kind=ProcedureKind.EPIDURAL_STEROID_INJECTION,
                performed_on=PROCEDURE_DAY,
                indication="L-RAD",
            ),
        )
        episodes[label] = procedure.id
        before = PROCEDURE_DAY - dt.timedelta(days=3)
        after = PROCEDURE_DAY + dt.timedelta(days=88 + number)

        def give(instrument: Instrument, answers: dict[str, int | None], day: dt.date) -> None:
            app.run(
                record_assessment,
                RecordAssessment(
                    actor=clinician,
                    patient_id=patient.id,  # noqa: B023 - called at once, inside the loop
                    instrument=instrument,
                    answers=answers,
                    assessed_on=day,
                    procedure_id=procedure.id,  # noqa: B023
                ),
            )

        give(Instrument.NRS, {"pain": base_pain}, before)
        if pain is not None:
            give(Instrument.NRS, {"pain": pain}, after)
        if pgic is not None:
            give(Instrument.PGIC, {"change": pgic}, after)
        if base_odi is not None:
            give(Instrument.ODI, odi_answers(base_odi), before)
        if odi is not None:
            give(Instrument.ODI, odi_answers(odi), after)
        if label == "P1":
            facet = app.run(
                record_procedure,
                RecordProcedure(
                    actor=clinician,
                    patient_id=patient.id,
                    kind=ProcedureKind.FACET_JOINT_INJECTION,
                    performed_on=PROCEDURE_DAY,
                    indication="L-FACET",
                ),
            )
            episodes["P1-facet"] = facet.id
    return episodes
