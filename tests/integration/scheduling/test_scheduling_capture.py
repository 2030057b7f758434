"""Follow-up capture per time point over the real use cases: an episode whose 3-month follow-up
was booked, reminded, attended and answered, beside one that was never booked — the capture
counts each (due, booked, attended, answered, lost; with and without a reminder)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pathway_scenario import NURSE, PATIENT_ID, PHYSICIAN, MovableClock, actor
from scheduling_scenario import ADMIN, book

from thecal.adapters.mail import OutboxMailer
from thecal.adapters.read_models.follow_up_capture import SqlCaptureReadModel
from thecal.bootstrap import Thecal
from thecal.domain.instruments import Instrument
from thecal.domain.patient import Contact, DemographicsAmendment
from thecal.domain.procedure import ProcedureKind
from thecal.domain.scheduling import PurposeKind, VisitPurpose, VisitType
from thecal.domain.time_points import DEFAULT_TIME_POINTS
from thecal.reports.follow_up_capture import CaptureQuery, capture_sentence
from thecal.services.assessments import RecordAssessment, record_assessment
from thecal.services.patients import AmendDemographics, amend_demographics
from thecal.services.procedures import RecordProcedure, record_procedure
from thecal.services.scheduling.appointments import (
    RecordVisitOutcome,
    VisitOutcome,
    book_appointment,
    record_visit_outcome,
)
from thecal.services.scheduling.reminders import ClaimDueReminders, send_due_reminders


def _episode(clinic: Thecal, day: dt.date, ident: str) -> None:
    clinic.run(
        record_procedure,
        RecordProcedure(
            actor=actor(PHYSICIAN),
            patient_id=PATIENT_ID,
            kind=ProcedureKind.EPIDURAL_STEROID_INJECTION,
            performed_on=day,
            indication="L-RAD",
            procedure_id=ident,
        ),
    )


def test_the_capture_counts_booked_attended_answered_and_lost_with_and_without_reminders(
    clinic: Thecal, clock: MovableClock, tmp_path: Path
) -> None:
    day = clock.now().date()  # Monday 2026-01-05
    _episode(clinic, day, "kept")
    _episode(clinic, day, "missed")
    clinic.run(
        amend_demographics,
        AmendDemographics(
            actor=actor(NURSE),
            patient_id=PATIENT_ID,
            expected_version=1,
            amendment=DemographicsAmendment(contact=Contact(email="jane@example.org")),
        ),
    )
    start = dt.datetime(2026, 4, 6, 10, tzinfo=dt.UTC)  # day 91, a Monday
    visit = clinic.run(
        book_appointment,
        book(
            start,
            visit_type=VisitType.FOLLOW_UP,
            purpose=VisitPurpose(kind=PurposeKind.FOLLOW_UP, ref="kept", time_point="3 months"),
        ),
    )
    clock.at = start - dt.timedelta(days=7)
    mailer = OutboxMailer(tmp_path / "outbox", sender="clinic@example.org", clock=clock)
    assert (
        send_due_reminders(ClaimDueReminders(actor=ADMIN), run=clinic.run, mailer=mailer).sent == 1
    )
    clock.at = start
    clinic.run(
        record_visit_outcome,
        RecordVisitOutcome(
            actor=actor(NURSE), appointment_id=visit.id, outcome=VisitOutcome.ATTENDED
        ),
    )
    clinic.run(
        record_assessment,
        RecordAssessment(
            actor=actor(NURSE),
            patient_id=PATIENT_ID,
            instrument=Instrument.NRS,
            answers={"pain": 3},
            assessed_on=start.date(),
            procedure_id="kept",
        ),
    )
    query = CaptureQuery(
        kinds=("epidural_steroid_injection",), report_date=day + dt.timedelta(days=130)
    )
    [month, three, *later] = SqlCaptureReadModel(clinic.engine).capture(query, DEFAULT_TIME_POINTS)
    assert (month.due, month.booked, month.answered, month.lost) == (2, 0, 0, 2)
    assert (three.due, three.booked, three.attended, three.no_show) == (2, 1, 1, 0)
    assert (three.answered, three.lost) == (1, 1)
    assert (three.reminded, three.reminded_answered, three.not_reminded_answered) == (1, 1, 0)
    assert [row.due for row in later] == [0, 0]  # 6 and 12 months: not due by day 130
    assert capture_sentence(three) == (
        "3 months: 2 due, 1 booked (1 attended, 0 no-shows), 1 answered, 1 lost; answered "
        "100.0 % with a reminder (1 of 1)"
    )
