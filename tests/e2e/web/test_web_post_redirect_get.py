"""Posts that cannot repeat and refusals that keep the page (issue 13 §5): the public consultation
request answers with a redirect to its thanks, so reloading the thanks sends nothing again; a
visit time taken meanwhile shows the booking page with the cause and the times free now."""

from __future__ import annotations

import re

import pytest
from api_support import Clinic, logged_in
from test_web_pages import browser_login, form_token
from test_web_scheduling import FORM, _furnish, _referrals, _send, _token

from thecal.domain.users import Role
from thecal.entrypoints.web import pages_intake


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_intake, "_LIMITER", pages_intake.IntakeLimiter())


def test_a_consultation_request_redirects_to_its_thanks_and_a_reload_sends_nothing(
    clinic: Clinic,
) -> None:
    client = clinic.client()
    sent = client.post(
        "/consultation", data={**FORM, "intake_token": _token(client)}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/consultation?sent=1"
    assert _referrals(clinic) == 1
    for _ in range(2):  # the browser's reload of the answer is a GET
        thanks = client.get(sent.headers["location"])
        assert thanks.status_code == 200
        assert 'id="sent"' in thanks.text
    assert _referrals(clinic) == 1


def test_a_robot_that_fills_the_honeypot_gets_the_same_redirect_and_stores_nothing(
    clinic: Clinic,
) -> None:
    client = clinic.client()
    data = {**FORM, "intake_token": _token(client), pages_intake._HONEYPOT: "http://spam"}
    sent = client.post("/consultation", data=data, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/consultation?sent=1"
    assert _referrals(clinic) == 0


def test_a_time_taken_meanwhile_shows_the_booking_page_with_the_times_free_now(
    clinic: Clinic,
) -> None:
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
            "mrn": "MRN-WEB-2",
        },
    )
    need = re.search(r'name="need" value="([^"]+)"', booking.text)
    starts = re.search(r'name="starts_at" value="([^"]+)"', booking.text)
    assert need
    assert starts
    # someone else books that very time for another patient first
    taken = logged_in(clinic, "physician").post(
        "/api/v1/appointments",
        json={
            "patient_id": clinic.own_patient,
            "visit_type": "consultation",
            "purpose": {"kind": "other"},
            "clinician_id": clinic.users[Role.PHYSICIAN],
            "room_id": "room-1",
            "starts_at": starts.group(1),
        },
    )
    assert taken.status_code == 201, taken.text
    refused = physician.post(
        "/visits/book",
        data={
            "csrf_token": form_token(booking.text, "/visits/book"),
            "need": need.group(1),
            "starts_at": starts.group(1),
            "clinician_id": clinic.users[Role.PHYSICIAN],
            "room_id": "room-1",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 409
    assert 'id="form-refusal"' in refused.text  # the booking page again, with the cause
    assert "Not booked:" in refused.text
    assert 'action="/visits/book"' in refused.text  # with times to choose from now
