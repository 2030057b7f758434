"""The scheduling pages through TestClient: the public consultation form (its answer, its
guards: token, size, malformed fields, honeypot, throttle), triage into a patient and a booked
consultation, the day view, the portal's visit page and the clinician's .ics feed."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from api_support import Clinic, TestClient, logged_in
from httpx import Response
from sqlalchemy import text
from test_web_pages import browser_login, form_token

from thecal.domain.scheduling import Location, ReferralState, WorkingHours
from thecal.domain.users import Actor, Role
from thecal.entrypoints.web import pages_intake
from thecal.services.scheduling.calendars import (
    PutRoom,
    SetWorkingHours,
    put_room,
    set_working_hours,
)

ADMIN = Actor(user_id="operator", role=Role.ADMIN)
FORM = {
    "source": "patient",
    "family_name": "Moreau",
    "given_names": "Lena",
    "birth_date": "1968-07-14",
    "email": "lena@example.org",
    "phone": "",
    "condition": "failed_back_surgery_syndrome",
    "tried": ["oral-medicines", "surgery"],
    "tried_details": "oxycodone; fusion 2019",
    "consent": "yes",
}


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_intake, "_LIMITER", pages_intake.IntakeLimiter())


def _token(client: TestClient) -> str:
    page = client.get("/consultation")
    assert page.status_code == 200
    found = re.search(r'name="intake_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _send(client: TestClient, **changes: object) -> tuple[int, str]:
    data = {**FORM, "intake_token": _token(client), **changes}
    response = client.post("/consultation", data=data)
    return response.status_code, response.text


def _referrals(clinic: Clinic) -> int:
    with clinic.thecal.uow() as uow:
        return len(uow.referrals.page(states=None, limit=500, offset=0))


def _thanks(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.DOTALL)
    assert main
    return main.group(0)


def test_the_public_form_stores_a_referral_and_answers_the_same_whoever_asks(
    clinic: Clinic,
) -> None:
    client = clinic.client()
    status, stranger = _send(client)
    assert status == 200
    assert "has received your request" in stranger
    # the name and birth date of a registered patient (build_clinic's "Owens, Alex")
    status, patient = _send(
        client, family_name="Owens", given_names="Alex", birth_date="1960-05-17"
    )
    assert status == 200
    assert _thanks(patient) == _thanks(stranger)
    assert _referrals(clinic) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_date": "14/07/1968"}, "is not a date (YYYY-MM-DD)"),
        ({"condition": "headache"}, "choose one from the list"),
        ({"email": "", "phone": ""}, "give an e-mail address or a phone number"),
        ({"consent": ""}, "agree to be contacted"),
        ({"family_name": "x" * 101}, "longer than 100 characters"),
        ({"intake_token": "forged"}, "the form has expired"),
    ],
)
def test_malformed_input_is_refused_with_a_clear_message_and_nothing_is_stored(
    clinic: Clinic, changes: dict[str, object], message: str
) -> None:
    status, html = _send(clinic.client(), **changes)
    assert status == 422
    assert message in html
    assert 'value="Lena"' in html  # the answers are kept for the correction
    assert _referrals(clinic) == 0


def test_an_oversize_request_is_refused_before_it_is_read_whole(clinic: Clinic) -> None:
    status, html = _send(clinic.client(), message="x" * (pages_intake.MAX_BODY + 1))
    assert status == 413
    assert "larger than this form allows" in html
    assert _referrals(clinic) == 0


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_stored(clinic: Clinic) -> None:
    status, html = _send(clinic.client(), website="http://spam.example")
    assert status == 200
    assert "has received your request" in html
    assert _referrals(clinic) == 0


def test_a_client_is_throttled_after_five_requests_an_hour(clinic: Clinic) -> None:
    client = clinic.client()
    for _ in range(5):
        assert _send(client)[0] == 200
    status, html = _send(client)
    assert status == 429
    assert "too many requests" in html
    assert _referrals(clinic) == 5


def _furnish(clinic: Clinic) -> None:
    run = clinic.thecal.run
    run(put_room, PutRoom(actor=ADMIN, room_id="room-1", name="Room 1", location=Location.CLINIC))
    week = tuple(WorkingHours(weekday=d, starts=dt.time(8), ends=dt.time(17)) for d in range(5))
    run(
        set_working_hours,
        SetWorkingHours(actor=ADMIN, user_id=clinic.users[Role.PHYSICIAN], hours=week),
    )


def _triaged_to_booking(clinic: Clinic) -> tuple[TestClient, Response]:
    """A physician accepts the public form's referral; the answer is the booking page."""
    _furnish(clinic)
    _send(clinic.client())
    physician = browser_login(clinic, "physician")
    listing = physician.get("/referrals")
    referral = re.search(r'href="/referrals/([0-9a-f-]{36})"', listing.text)
    assert referral
    page = physician.get(f"/referrals/{referral.group(1)}")
    action = f"/referrals/{referral.group(1)}/triage"
    booking = physician.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": "1",
            "step": "accept",
            "mrn": "MRN-WEB-1",
        },
    )
    assert booking.status_code == 200
    assert "/visits/book?need=" in str(booking.url)
    return physician, booking


def _appointments(clinic: Clinic) -> int:
    with clinic.thecal.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM appointments")).scalar_one())


@pytest.mark.parametrize(
    ("starts_at", "cause"),
    [
        (  # the plausibility window of a visit (domain/date_plausibility.py)
            "9999-01-04T09:00:00Z",
            (
                "start: 9999-01-04 09:00 UTC is not a plausible visit start; it must be from "
                "2025-03-01 to 2028-03-03 09:00 UTC (a visit is booked at most two years ahead) "
                "(THC-INPUT-004)"
            ),
        ),
        (  # the booking's own rule comes first for a time in the past
            "0001-01-01T09:00:00Z",
            "invalid appointment start: 0001-01-01T09:00:00+00:00 is in the past (THC-APPT-005)",
        ),
    ],
)
def test_an_implausible_visit_time_is_refused_on_the_booking_page_and_nothing_is_booked(
    clinic: Clinic, starts_at: str, cause: str
) -> None:
    physician, booking = _triaged_to_booking(clinic)
    need = re.search(r'name="need" value="([^"]+)"', booking.text)
    assert need
    refused = physician.post(
        "/visits/book",
        data={
            "csrf_token": form_token(booking.text, "/visits/book"),
            "need": need.group(1),
            "starts_at": starts_at,
            "clinician_id": clinic.users[Role.PHYSICIAN],
            "room_id": "room-1",
        },
    )
    assert refused.status_code == 422, refused.text[-600:]
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", refused.text)))
    assert f"Not booked: {cause}" in words
    assert "first consultation after the accepted referral" in refused.text  # the page again
    assert _appointments(clinic) == 0


def test_a_physician_triages_a_referral_into_a_patient_and_books_the_consultation(
    clinic: Clinic,
) -> None:
    physician, booking = _triaged_to_booking(clinic)
    assert "first consultation after the accepted referral" in booking.text
    booked = physician.post(
        "/visits/book",
        data={
            "csrf_token": form_token(booking.text, "/visits/book"),
            "need": re.search(r'name="need" value="([^"]+)"', booking.text).group(1),  # type: ignore[union-attr]
            "starts_at": re.search(r'name="starts_at" value="([^"]+)"', booking.text).group(1),  # type: ignore[union-attr]
            "clinician_id": clinic.users[Role.PHYSICIAN],
            "room_id": "room-1",
        },
    )
    assert booked.status_code == 200
    assert "Moreau, Lena" in booked.text
    assert "consultation" in booked.text
    with clinic.thecal.uow() as uow:
        [stored] = uow.referrals.page(states=None, limit=5, offset=0)
    assert stored.state is ReferralState.ACCEPTED


def test_the_feed_url_serves_the_clinicians_visits_until_it_is_revoked(clinic: Clinic) -> None:
    _furnish(clinic)
    physician = logged_in(clinic, "physician")
    start = (clinic.clock.now() + dt.timedelta(days=1)).replace(hour=10, minute=0)
    while start.weekday() > 4:
        start += dt.timedelta(days=1)
    booked = physician.post(
        "/api/v1/appointments",
        json={
            "patient_id": clinic.own_patient,
            "visit_type": "consultation",
            "purpose": {"kind": "other"},
            "clinician_id": clinic.users[Role.PHYSICIAN],
            "room_id": "room-1",
            "starts_at": start.isoformat(),
        },
    )
    assert booked.status_code == 201, booked.text
    url = physician.post("/api/v1/calendar/feed").json()["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    feed = clinic.client().get(f"/{path}")  # no session: the secret URL only
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert f"DTSTART:{start.astimezone(dt.UTC):%Y%m%dT%H%M%S}Z" in feed.text
    assert "SUMMARY:Consultation · OWN-1" in feed.text
    assert "Owens" not in feed.text  # no names in a calendar feed
    assert physician.delete("/api/v1/calendar/feed").status_code == 204
    assert clinic.client().get(f"/{path}").status_code == 404
