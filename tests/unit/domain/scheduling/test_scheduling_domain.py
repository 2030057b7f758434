"""The scheduling domain: the slot grid, availability, the visit state machine, the intake form
and its triage, the visits the clinic's facts ask for, and what a reminder may say."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from thecal.domain.actors import ActorNotAllowed
from thecal.domain.candidacy import Indication
from thecal.domain.policy import ClinicPolicy
from thecal.domain.procedure import ProcedureKind
from thecal.domain.scheduling import (
    Appointment,
    AppointmentInvalid,
    AppointmentState,
    AppointmentStateError,
    Availability,
    ClinicianUnavailable,
    Closure,
    EpisodeFacts,
    IntakeForm,
    NeedState,
    NotOnSlotBoundary,
    PatientFacts,
    PumpFacts,
    PurposeKind,
    Referral,
    ReferralInvalid,
    ReferralSource,
    ReferralState,
    ReferralStateError,
    Reminder,
    ReminderDetail,
    ReminderState,
    TriedTreatment,
    VisitCatalogue,
    VisitPurpose,
    VisitType,
    WorkingHours,
    compose_reminder,
    slot_starts,
    visit_needs,
)
from thecal.domain.scheduling.reminders import MAX_ATTEMPTS
from thecal.domain.time_points import DEFAULT_TIME_POINTS
from thecal.domain.users import Actor, Role

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # a Monday
NURSE = Actor(user_id="nina", role=Role.NURSE)
PHARMACIST = Actor(user_id="phil", role=Role.PHARMACIST)
SPECS = VisitCatalogue().specs(ClinicPolicy())
WEEKDAYS_9_TO_5 = tuple(
    WorkingHours(weekday=d, starts=dt.time(9), ends=dt.time(17)) for d in range(5)
)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


def refill_visit(start: dt.datetime, pump: str = "pump-1") -> Appointment:
    return Appointment.book(
        appointment_id=f"a-{start:%d%H%M}",
        patient_id="p1",
        spec=SPECS[VisitType.REFILL],
        purpose=VisitPurpose(kind=PurposeKind.REFILL, ref=pump),
        clinician_id="nina",
        room_id="room-1",
        starts_at=start,
        actor=NURSE,
        at=NOW,
    )


# ----------------------------------------------------------------------------- slots


def test_a_visit_occupies_whole_quarter_hours_and_off_grid_times_are_refused() -> None:
    assert slot_starts(at(3, 9), at(3, 10)) == tuple(at(3, 9, m) for m in (0, 15, 30, 45))
    with pytest.raises(NotOnSlotBoundary, match="quarter hour"):
        slot_starts(at(3, 9, 5), at(3, 10))


def test_a_trial_day_takes_the_room_for_the_observation_period_and_the_physician_for_the_dose() -> (
    None
):
    label = VisitCatalogue().spec(VisitType.TRIAL_DAY, ClinicPolicy())
    baclofen = VisitCatalogue().spec(VisitType.TRIAL_DAY, ClinicPolicy(), baclofen_screening=True)
    assert label.duration == dt.timedelta(hours=25)  # 1 h dosing + 24 h (S4)
    assert baclofen.duration == dt.timedelta(hours=9)  # 1 h + 8 h (S16, S37)
    assert label.clinician_time == dt.timedelta(hours=1)
    assert label.clinician_roles == frozenset({Role.PHYSICIAN})


# ----------------------------------------------------------------------------- availability


def test_availability_refuses_outside_hours_holidays_closures_and_leave() -> None:
    calendar = Availability(
        clinician="Nina",
        zone=ZoneInfo("Europe/Berlin"),
        hours=WEEKDAYS_9_TO_5,
        closures=(
            Closure(
                id="c1",
                starts_on=dt.date(2026, 3, 10),
                ends_on=dt.date(2026, 3, 11),
                reason="training",
            ),
            Closure(
                id="c2",
                starts_on=dt.date(2026, 3, 12),
                ends_on=dt.date(2026, 3, 12),
                reason="leave",
                user_id="nina",
            ),
        ),
        holidays={dt.date(2026, 3, 9): "Founders' Day"},
    )
    calendar.check(at(3, 8), at(3, 9))  # 09:00–10:00 in Berlin (UTC+1)
    refusals = {
        "outside working hours": (at(3, 7), at(3, 8)),  # 08:00 local
        "public holiday (Founders' Day)": (at(9, 9), at(9, 10)),
        "the clinic is closed": (at(10, 9), at(10, 10)),
        "on leave": (at(12, 9), at(12, 10)),
        "no working hours that day": (at(7, 9), at(7, 10)),
    }
    for reason, (start, end) in refusals.items():
        with pytest.raises(ClinicianUnavailable, match=re.escape(reason)):
            calendar.check(start, end)


def test_open_starts_lists_every_quarter_hour_a_visit_fits_on_open_days() -> None:
    calendar = Availability(clinician="Nina", zone=ZoneInfo("UTC"), hours=WEEKDAYS_9_TO_5)
    starts = list(
        calendar.open_starts(
            first_day=dt.date(2026, 3, 6),
            last_day=dt.date(2026, 3, 9),
            length=dt.timedelta(hours=1),
        )
    )
    assert starts[0] == at(6, 9)  # Friday
    assert starts[-1] == at(9, 16)  # Monday, the last hour
    assert len(starts) == 2 * 29  # 09:00 … 16:00 by quarters, Friday and Monday only


# ----------------------------------------------------------------------------- appointment


def test_a_visit_is_attended_or_missed_only_on_its_day_and_cancelled_only_before_it() -> None:
    visit = refill_visit(at(3, 10))
    with pytest.raises(AppointmentInvalid, match="not missed yet"):
        visit.no_show(actor=NURSE, at=at(3, 9))
    with pytest.raises(AppointmentInvalid, match="too early"):
        visit.attend(actor=NURSE, at=at(3, 8, 30))
    visit.attend(actor=NURSE, at=at(3, 9, 30))
    assert visit.state is AppointmentState.ATTENDED
    assert visit.version == 2
    with pytest.raises(AppointmentStateError, match="is attended: cannot cancel"):
        visit.cancel(actor=NURSE, at=at(3, 11), reason="late")

    other = refill_visit(at(4, 10))
    with pytest.raises(AppointmentInvalid, match="record attended or no-show"):
        other.cancel(actor=NURSE, at=at(4, 10, 5), reason="too late to cancel")
    other.cancel(actor=NURSE, at=at(3, 12), reason="patient unwell")
    assert other.state is AppointmentState.CANCELLED
    assert not other.holds_slots


def test_only_clinicians_book_and_a_visit_in_the_past_is_refused() -> None:
    with pytest.raises(ActorNotAllowed):
        Appointment.book(
            appointment_id="x",
            patient_id="p1",
            spec=SPECS[VisitType.REFILL],
            purpose=VisitPurpose(kind=PurposeKind.OTHER),
            clinician_id="nina",
            room_id="room-1",
            starts_at=at(3, 10),
            actor=PHARMACIST,
            at=NOW,
        )
    with pytest.raises(AppointmentInvalid, match="in the past"):
        refill_visit(at(1, 10))


def test_a_visit_occupies_its_clinicians_and_its_rooms_slots() -> None:
    visit = refill_visit(at(3, 10))
    assert visit.slots() == (
        ("clinician:nina", at(3, 10)),
        ("clinician:nina", at(3, 10, 15)),
        ("room:room-1", at(3, 10)),
        ("room:room-1", at(3, 10, 15)),
    )


# ----------------------------------------------------------------------------- referral


def form(**changes: object) -> IntakeForm:
    fields: dict[str, object] = {
        "source": ReferralSource.PATIENT,
        "family_name": "Moreau",
        "given_names": "Lena",
        "birth_date": dt.date(1968, 7, 14),
        "email": "lena@example.org",
        "phone": "",
        "condition": Indication.FAILED_BACK_SURGERY_SYNDROME,
        "tried": frozenset({TriedTreatment.ORAL_MEDICINES, TriedTreatment.SURGERY}),
        "tried_details": "oxycodone 40 mg/day; L4-L5 fusion 2019",
        "consent_to_contact": True,
    }
    return IntakeForm(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"family_name": " "}, "family name: is required"),
        ({"family_name": "x" * 101}, "longer than 100"),
        ({"email": "", "phone": ""}, "e-mail address or a phone number"),
        ({"email": "not-an-address"}, "is not an e-mail address"),
        ({"phone": "call me maybe"}, "digits, spaces"),
        ({"consent_to_contact": False}, "agree to be contacted"),
        ({"given_names": "Le\x00na"}, "control characters"),
        ({"source": ReferralSource.CLINICIAN}, "referrer name: is required"),
    ],
)
def test_the_intake_form_refuses_each_bad_field_with_its_own_message(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ReferralInvalid, match=message) as refused:
        form(**changes)
    assert refused.value.code == "THC-REF-001"


def test_a_referral_is_triaged_once_and_more_information_sends_it_back_to_triage() -> None:
    referral = Referral(id="r1", form=form(), received_at=NOW, client_key="k")
    referral.request_information(actor=NURSE, at=at(2, 9), question="Which surgery, and when?")
    assert referral.state is ReferralState.INFORMATION_REQUESTED
    referral.information_received(actor=NURSE, at=at(2, 10), note="fusion L4-L5 in 2019")
    referral.accept(actor=NURSE, at=at(2, 11), patient_id="patient-9")
    assert (referral.state, referral.patient_id, referral.version) == (
        ReferralState.ACCEPTED,
        "patient-9",
        4,
    )
    with pytest.raises(ReferralStateError):
        referral.decline(actor=NURSE, at=at(2, 12), reason="changed my mind")


def test_a_birth_date_in_the_future_is_refused_when_received() -> None:
    with pytest.raises(ReferralInvalid, match="in the future"):
        Referral(id="r", form=form(birth_date=dt.date(2027, 1, 1)), received_at=NOW, client_key="k")


# ----------------------------------------------------------------------------- visit needs


def pump_facts(deadline: dt.datetime) -> PumpFacts:
    return PumpFacts(
        pump_id="pump-1",
        last_filled_at=at(1, 9),
        refill_deadline=deadline,
        refill_binding="drug stability",
        eri_at=dt.datetime(2032, 1, 1, tzinfo=dt.UTC),
        end_of_service_at=dt.datetime(2032, 4, 1, tzinfo=dt.UTC),
    )


def test_a_refill_is_open_until_a_visit_by_the_deadline_is_booked() -> None:
    deadline = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
    [refill, _replacement] = visit_needs(
        PatientFacts(patient_id="p1", pumps=[pump_facts(deadline)]), DEFAULT_TIME_POINTS
    )
    assert (refill.state, refill.latest, refill.earliest) == (
        NeedState.OPEN,
        deadline,
        deadline - dt.timedelta(days=14),
    )
    booked = refill_visit(dt.datetime(2026, 3, 16, 10, tzinfo=dt.UTC))
    [refill, _] = visit_needs(
        PatientFacts(patient_id="p1", pumps=[pump_facts(deadline)], appointments=[booked]),
        DEFAULT_TIME_POINTS,
    )
    assert (refill.state, refill.appointment_id) == (NeedState.BOOKED, booked.id)


def test_when_a_program_change_moves_the_deadline_before_the_booked_visit_the_need_reopens() -> (
    None
):
    booked = refill_visit(dt.datetime(2026, 3, 16, 10, tzinfo=dt.UTC))
    earlier = dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC)
    [refill, _] = visit_needs(
        PatientFacts(patient_id="p1", pumps=[pump_facts(earlier)], appointments=[booked]),
        DEFAULT_TIME_POINTS,
    )
    assert refill.state is NeedState.OPEN
    assert refill.appointment_id == booked.id
    assert "is after the deadline 2026-03-12 09:00 UTC: move it" in refill.reason


def test_follow_ups_are_asked_for_at_each_time_point_in_its_window() -> None:
    needs = visit_needs(
        PatientFacts(
            patient_id="p1",
            episodes=[
                EpisodeFacts(
                    procedure_id="proc-1",
                    kind=ProcedureKind.INTRATHECAL_PUMP_IMPLANT,
                    performed_on=dt.date(2026, 1, 5),
                ),
                EpisodeFacts(
                    procedure_id="refill-1",
                    kind=ProcedureKind.REFILL,
                    performed_on=dt.date(2026, 1, 5),
                ),
            ],
        ),
        DEFAULT_TIME_POINTS,
    )
    assert [n.purpose.time_point for n in needs] == ["1 month", "3 months", "6 months", "12 months"]
    three = needs[1]
    assert three.earliest == dt.datetime(2026, 3, 6, tzinfo=dt.UTC)  # day 60
    assert three.target == dt.datetime(2026, 4, 5, tzinfo=dt.UTC)  # day 90
    assert three.latest == dt.datetime(2026, 5, 5, 23, 45, tzinfo=dt.UTC)  # the end of day 120


# ----------------------------------------------------------------------------- reminders


def test_a_reminder_says_the_visit_type_only_if_the_patient_chose_it() -> None:
    start = dt.datetime(2026, 3, 9, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    common = {
        "given_names": "Lena",
        "clinic": "Riverside Pain Clinic",
        "visit_label": "refill visit",
        "local_start": start,
        "portal_link": "https://clinic.example/portal/visits/a1",
        "questionnaires": True,
    }
    plain = compose_reminder(detail=ReminderDetail.TIME_ONLY, **common)  # type: ignore[arg-type]
    told = compose_reminder(detail=ReminderDetail.VISIT_TYPE, **common)  # type: ignore[arg-type]
    assert "refill" not in plain.subject + plain.body + plain.summary
    assert "Monday 09 March 2026 at 10:00 (CET)" in plain.body
    assert "https://clinic.example/portal/visits/a1" in plain.body
    assert "refill visit" in told.body
    assert told.summary.startswith("Refill visit")


def test_a_refused_reminder_is_retried_then_failed_and_an_interrupted_one_is_never_resent() -> None:
    reminder = Reminder(id="r1", appointment_id="a1", patient_id="p1", due_at=NOW)
    for _ in range(MAX_ATTEMPTS - 1):
        reminder.claim(NOW)
        reminder.not_sent("connection refused")
        assert reminder.state is ReminderState.PENDING
    reminder.claim(NOW)
    reminder.not_sent("connection refused")
    assert reminder.state is ReminderState.FAILED

    interrupted = Reminder(id="r2", appointment_id="a1", patient_id="p1", due_at=NOW)
    interrupted.claim(NOW)
    assert not interrupted.lease_expired(NOW + dt.timedelta(minutes=5))
    assert interrupted.lease_expired(NOW + dt.timedelta(minutes=11))
    interrupted.uncertain("claimed at 08:00, no outcome recorded")
    assert interrupted.state is ReminderState.UNCERTAIN
    assert interrupted.message_id == "<reminder-r2@thecal>"
