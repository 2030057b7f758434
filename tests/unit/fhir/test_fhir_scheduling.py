"""The scheduling records as FHIR R4: Appointment in every state, ServiceRequest for an accepted
referral, Schedule and busy Slots — each validated by the R4B models of ``fhir.resources``."""

from __future__ import annotations

import datetime as dt

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.slot import Slot

from thecal.adapters.fhir.appointment import (
    appointment_resource,
    schedule_resources,
    service_request_resource,
)
from thecal.domain.candidacy import Indication
from thecal.domain.policy import ClinicPolicy
from thecal.domain.scheduling import (
    Appointment,
    IntakeForm,
    PurposeKind,
    Referral,
    ReferralSource,
    TriedTreatment,
    VisitCatalogue,
    VisitPurpose,
    VisitType,
)
from thecal.domain.users import Actor, Role

NOW = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
NURSE = Actor(user_id="nina", role=Role.NURSE)


def _visit(ident: str, hour: int, purpose: VisitPurpose) -> Appointment:
    return Appointment.book(
        appointment_id=ident,
        patient_id="p1",
        spec=VisitCatalogue().spec(VisitType.FOLLOW_UP, ClinicPolicy()),
        purpose=purpose,
        clinician_id="nina",
        room_id="room-1",
        starts_at=NOW.replace(hour=hour),
        actor=NURSE,
        at=NOW,
    )


def test_visits_in_every_state_are_valid_appointments() -> None:
    follow_up = VisitPurpose(kind=PurposeKind.FOLLOW_UP, ref="proc-1", time_point="3 months")
    kept, missed, cancelled, moved = (_visit(f"a{i}", 9 + i, follow_up) for i in range(4))
    kept.attend(actor=NURSE, at=NOW.replace(hour=9))
    missed.no_show(actor=NURSE, at=NOW.replace(hour=11))
    cancelled.cancel(actor=NURSE, at=NOW, reason="patient unwell")
    moved.reschedule(actor=NURSE, at=NOW, replaced_by="a9")
    resources = [appointment_resource(a) for a in (kept, missed, cancelled, moved)]
    for resource in resources:
        FhirAppointment.model_validate(resource)
    assert [r["status"] for r in resources] == ["fulfilled", "noshow", "cancelled", "cancelled"]
    assert resources[0]["reasonReference"] == [{"reference": "Procedure/proc-1"}]
    assert resources[2]["cancelationReason"] == {"text": "patient unwell"}
    assert resources[0]["minutesDuration"] == 30


def test_an_accepted_referral_is_a_service_request_and_its_consultation_is_based_on_it() -> None:
    form = IntakeForm(
        source=ReferralSource.CLINICIAN,
        family_name="Moreau",
        given_names="Lena",
        birth_date=dt.date(1968, 7, 14),
        email="lena@example.org",
        phone="",
        condition=Indication.CANCER_PAIN,
        tried=frozenset({TriedTreatment.ORAL_MEDICINES}),
        tried_details="morphine 200 mg/day",
        consent_to_contact=True,
        referrer_name="Dr Ada Quinn",
        referrer_practice="Riverside GP",
        referrer_contact="+1 555 0101",
    )
    referral = Referral(id="r1", form=form, received_at=NOW, client_key="k")
    referral.accept(actor=NURSE, at=NOW, patient_id="p1")
    request = service_request_resource(referral, consulted=False)
    ServiceRequest.model_validate(request)
    assert (request["intent"], request["status"]) == ("order", "active")
    consultation = appointment_resource(
        _visit("c1", 10, VisitPurpose(kind=PurposeKind.REFERRAL, ref="r1"))
    )
    FhirAppointment.model_validate(consultation)
    assert consultation["basedOn"] == [{"reference": "ServiceRequest/r1"}]


def test_a_clinicians_schedule_has_a_busy_slot_per_visit_they_keep() -> None:
    kept = _visit("a1", 9, VisitPurpose(kind=PurposeKind.OTHER))
    gone = _visit("a2", 10, VisitPurpose(kind=PurposeKind.OTHER))
    gone.cancel(actor=NURSE, at=NOW, reason="moved away")
    [schedule, slot] = schedule_resources(
        clinician_id="nina",
        clinician="Nina",
        start=NOW,
        end=NOW + dt.timedelta(days=1),
        visits=[kept, gone],
    )
    Schedule.model_validate(schedule)
    Slot.model_validate(slot)
    assert slot["schedule"] == {"reference": f"Schedule/{schedule['id']}"}
    assert (slot["status"], slot["start"]) == ("busy", "2026-03-02T09:00:00+00:00")
