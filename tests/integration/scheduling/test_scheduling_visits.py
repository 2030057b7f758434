"""Visits over the real use cases and databases: the booking rules, moves and cancellations, and
the visits the clinic's facts ask for — a refill proposed from the forecast and moved when a
program change moves the forecast, follow-ups after an implant's outcome episode, a referral
triaged into a patient with a consultation to book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

import pytest
from pathway_scenario import (
    NURSE,
    PATIENT_ID,
    PHARMACIST,
    PHYSICIAN,
    MovableClock,
    actor,
    cosign,
    implant,
    propose,
    sign,
)
from scheduling_scenario import book, monday

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.bootstrap import Thecal
from thecal.domain.authorization import AccessDenied
from thecal.domain.candidacy import Indication
from thecal.domain.procedure import ProcedureKind
from thecal.domain.scheduling import (
    AppointmentInvalid,
    AppointmentState,
    ClinicianUnavailable,
    IntakeForm,
    NeedState,
    PurposeKind,
    ReferralSource,
    ReferralState,
    SlotTaken,
    TriedTreatment,
    VisitNeed,
    VisitPurpose,
    VisitType,
)
from thecal.domain.tasks import TaskKind
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.procedures import RecordProcedure, record_procedure
from thecal.services.program_changes import (
    SendProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pump_record import Pump
from thecal.services.pumps import GetPump, get_pump, implant_pump
from thecal.services.scheduling.appointments import (
    CancelAppointment,
    RecordVisitOutcome,
    RescheduleAppointment,
    VisitOutcome,
    book_appointment,
    cancel_appointment,
    record_visit_outcome,
    reschedule_appointment,
)
from thecal.services.scheduling.calendars import (
    ListVisitNeeds,
    SuggestTimes,
    list_visit_needs,
    suggest_times,
)
from thecal.services.scheduling.referrals import (
    IntakeThrottled,
    SubmitReferral,
    TriageReferral,
    TriageStep,
    submit_referral,
    triage_referral,
)
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.worklist import WorklistKind, WorklistQuery


class OneHoliday:
    def between(self, first: dt.date, last: dt.date) -> Mapping[dt.date, str]:
        day = dt.date(2026, 1, 19)
        return {day: "Martin Luther King Jr. Day"} if first <= day <= last else {}


def needs(clinic: Thecal, patient_id: str = PATIENT_ID) -> dict[str, VisitNeed]:
    found = clinic.run(list_visit_needs, ListVisitNeeds(actor=actor(NURSE), patient_id=patient_id))
    return {f"{n.purpose.kind.value} {n.purpose.time_point or ''}".strip(): n for n in found}


# ----------------------------------------------------------------------------- booking rules


def test_a_visit_outside_hours_on_a_holiday_in_the_wrong_place_or_by_the_wrong_role_is_refused(
    clinic: Thecal,
) -> None:
    with pytest.raises(ClinicianUnavailable, match="outside working hours"):
        clinic.run(book_appointment, book(monday(7, 30)))
    holiday = replace(
        book(dt.datetime(2026, 1, 19, 10, tzinfo=dt.UTC)), setup=ClinicSetup(holidays=OneHoliday())
    )
    with pytest.raises(ClinicianUnavailable, match="public holiday"):
        clinic.run(book_appointment, holiday)
    with pytest.raises(AppointmentInvalid, match="not a clinic room"):
        clinic.run(book_appointment, book(monday(10), room="theatre"))
    with pytest.raises(AppointmentInvalid, match="not an active physician"):  # consultation
        clinic.run(book_appointment, book(monday(10), visit_type=VisitType.CONSULTATION))
    with pytest.raises(AccessDenied):
        clinic.run(book_appointment, book(monday(10), by=actor(PHARMACIST)))
    with clinic.uow() as uow:
        assert uow.appointments.for_patient(PATIENT_ID) == []


def test_a_visit_moves_into_its_own_slots_and_a_cancelled_visit_frees_them(clinic: Thecal) -> None:
    first = clinic.run(book_appointment, book(monday(10)))
    with pytest.raises(SlotTaken, match="Nina is already booked"):
        clinic.run(book_appointment, book(monday(10, 15), room="room-2"))
    moved = clinic.run(
        reschedule_appointment,
        RescheduleAppointment(
            actor=actor(NURSE),
            appointment_id=first.id,
            starts_at=monday(10, 15),
            expected_version=1,
        ),
    )
    with clinic.uow() as uow:
        old = uow.appointments.get(first.id)
    assert old is not None
    assert (old.state, old.replaced_by, moved.replaces) == (
        AppointmentState.RESCHEDULED,
        moved.id,
        first.id,
    )
    clinic.run(
        cancel_appointment,
        CancelAppointment(
            actor=actor(NURSE), appointment_id=moved.id, reason="patient in hospital"
        ),
    )
    again = clinic.run(book_appointment, book(monday(10, 15)))  # the freed slots
    assert again.state is AppointmentState.BOOKED


def test_attended_and_no_show_are_recorded_on_the_day(clinic: Thecal, clock: MovableClock) -> None:
    visit = clinic.run(book_appointment, book(monday(10)))
    clock.at = monday(9, 45)
    with pytest.raises(AppointmentInvalid, match="not missed yet"):
        clinic.run(
            record_visit_outcome,
            RecordVisitOutcome(
                actor=actor(NURSE), appointment_id=visit.id, outcome=VisitOutcome.NO_SHOW
            ),
        )
    done = clinic.run(
        record_visit_outcome,
        RecordVisitOutcome(
            actor=actor(NURSE), appointment_id=visit.id, outcome=VisitOutcome.ATTENDED
        ),
    )
    assert done.state is AppointmentState.ATTENDED


# ----------------------------------------------------------------------------- visit needs


def _change_dose(clinic: Thecal, clock: MovableClock, mg_per_day: str) -> None:
    change = clinic.run(propose_program_change, propose(mg_per_day)).change
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    version = clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version
    clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE), change_id=change.change_id, expected_pump_version=version
        ),
    )
    clock.advance(hours=1)
    clinic.run_device(interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1"))


def primed(pump: Pump) -> dt.timedelta:
    """The days the implant's priming bolus takes off the first fill at 0.2 mL/day: it is
    delivered at the maximum flow in place of the basal, so the basal starts when it ends."""
    anchor = pump.reservoir_anchor
    basal = pump.program.basal_flow
    assert anchor.priming.value > 0
    return (anchor.priming / basal).to_timedelta() - (anchor.primed_at - anchor.at)


def test_a_refill_visit_is_proposed_from_the_forecast_and_reopens_when_a_program_change_moves_it(
    clinic: Thecal, clock: MovableClock
) -> None:
    implanted = clinic.run_device(implant_pump, implant())  # 20 mL morphine 25 mg/mL, 5 mg/day
    refill = needs(clinic)["refill"]
    # 18 mL above the 2 mL alarm at 0.2 mL/day = 90 days, minus the 7-day margin (S48) — less
    # the priming bolus the pump delivered from the reservoir (S53): the record's history
    assert refill.latest == clock.now() + dt.timedelta(days=83) - primed(implanted.pump)
    assert refill.state is NeedState.OPEN
    assert "low-reservoir alarm (minus margin)" in refill.reason
    offered = clinic.run(
        suggest_times,
        SuggestTimes(
            actor=actor(NURSE),
            visit_type=VisitType.REFILL,
            earliest=refill.earliest,
            latest=refill.latest,
        ),
    )
    assert offered
    assert all(refill.earliest <= t.starts_at <= refill.latest for t in offered)
    purpose = VisitPurpose(kind=PurposeKind.REFILL, ref="pump-1")
    first = offered[-1]
    visit = clinic.run(
        book_appointment,
        book(first.starts_at, clinician=first.clinician_id, room=first.room_id, purpose=purpose),
    )
    assert needs(clinic)["refill"].state is NeedState.BOOKED

    clock.advance(days=1)
    _change_dose(clinic, clock, "6.4")  # 0.256 mL/day: the alarm comes 20 days sooner
    moved = needs(clinic)["refill"]
    assert moved.latest < visit.starts_at
    assert moved.state is NeedState.OPEN
    assert "move it" in moved.reason
    assert moved.appointment_id == visit.id

    earlier = clinic.run(
        suggest_times,
        SuggestTimes(
            actor=actor(NURSE),
            visit_type=VisitType.REFILL,
            earliest=moved.earliest,
            latest=moved.latest,
        ),
    )[0]
    clinic.run(
        reschedule_appointment,
        RescheduleAppointment(
            actor=actor(NURSE),
            appointment_id=visit.id,
            starts_at=earlier.starts_at,
            clinician_id=earlier.clinician_id,
            room_id=earlier.room_id,
        ),
    )
    assert needs(clinic)["refill"].state is NeedState.BOOKED


def test_an_implant_episode_asks_for_its_follow_ups_in_the_outcome_windows(
    clinic: Thecal, clock: MovableClock
) -> None:
    implanted = clinic.run_device(implant_pump, implant())
    clinic.run(
        record_procedure,
        RecordProcedure(
            actor=actor(PHYSICIAN),
            patient_id=PATIENT_ID,
            kind=ProcedureKind.INTRATHECAL_PUMP_IMPLANT,
            performed_on=clock.now().date(),
            indication="FBSS",
            source_record_id=implanted.implant.implant_id,
            procedure_id="implant-episode",
        ),
    )
    three = needs(clinic)["follow-up 3 months"]
    assert (three.earliest.date(), three.target.date()) == (
        clock.now().date() + dt.timedelta(days=60),
        clock.now().date() + dt.timedelta(days=90),
    )
    slot = clinic.run(
        suggest_times,
        SuggestTimes(
            actor=actor(NURSE),
            visit_type=VisitType.FOLLOW_UP,
            earliest=three.target,
            latest=three.latest,
        ),
    )[0]
    clinic.run(
        book_appointment,
        book(
            slot.starts_at,
            clinician=slot.clinician_id,
            room=slot.room_id,
            visit_type=VisitType.FOLLOW_UP,
            purpose=three.purpose,
        ),
    )
    found = needs(clinic)
    assert found["follow-up 3 months"].state is NeedState.BOOKED
    assert found["follow-up 1 month"].state is NeedState.OPEN


# ----------------------------------------------------------------------------- referrals


def _form() -> IntakeForm:
    return IntakeForm(
        source=ReferralSource.PATIENT,
        family_name="Moreau",
        given_names="Lena",
        birth_date=dt.date(1968, 7, 14),
        email="lena@example.org",
        phone="+1 555 0100",
        condition=Indication.FAILED_BACK_SURGERY_SYNDROME,
        tried=frozenset({TriedTreatment.ORAL_MEDICINES, TriedTreatment.SURGERY}),
        tried_details="oxycodone; fusion",
        consent_to_contact=True,
    )


def test_a_referral_is_accepted_into_a_patient_with_a_candidacy_task_and_a_consultation_to_book(
    clinic: Thecal,
) -> None:
    referral = clinic.run(submit_referral, SubmitReferral(form=_form(), client_key="client-a"))
    accepted = clinic.run(
        triage_referral,
        TriageReferral(
            actor=actor(PHYSICIAN),
            referral_id=referral.id,
            step=TriageStep.ACCEPT,
            expected_version=1,
            mrn="MRN-REF-1",
        ),
    )
    assert accepted.state is ReferralState.ACCEPTED
    assert accepted.patient_id is not None
    with clinic.uow() as uow:
        patient = uow.patients.get(accepted.patient_id)
        tasks = uow.tasks.for_patient(accepted.patient_id, open_only=True)
    assert patient is not None
    assert (patient.mrn, patient.demographics.contact.email) == ("MRN-REF-1", "lena@example.org")
    assert [t.task.kind for t in tasks] == [TaskKind.CANDIDACY_ASSESSMENT]
    consultation = needs(clinic, accepted.patient_id)["referral"]
    assert (consultation.visit_type, consultation.state) == (VisitType.CONSULTATION, NeedState.OPEN)


def test_a_client_sending_too_many_referrals_is_throttled(clinic: Thecal) -> None:
    for _ in range(5):
        clinic.run(submit_referral, SubmitReferral(form=_form(), client_key="client-b"))
    with pytest.raises(IntakeThrottled):
        clinic.run(submit_referral, SubmitReferral(form=_form(), client_key="client-b"))
    clinic.run(submit_referral, SubmitReferral(form=_form(), client_key="client-c"))  # others pass


def test_the_worklist_shows_the_visits_due_but_not_yet_booked(
    clinic: Thecal, clock: MovableClock
) -> None:
    implanted = clinic.run_device(implant_pump, implant())
    source = SqlWorklistReadModel(clinic.engine, cached=False)
    query = WorklistQuery(
        kinds=frozenset({WorklistKind.VISIT_TO_BOOK}),
        due_before=clock.now() + dt.timedelta(days=120),
    )
    [row] = source.page(query, now=clock.now()).rows
    due = clock.now() + dt.timedelta(days=83) - primed(implanted.pump)
    assert (row.patient_id, row.due) == (PATIENT_ID, due)
    assert row.detail.startswith("book a refill: refill before")
    refill = needs(clinic)["refill"]
    clinic.run(
        book_appointment,
        book(monday(10, weeks=10), purpose=refill.purpose),
    )
    assert source.page(query, now=clock.now()).rows == ()
