"""Posts that cannot repeat (issue 13 §5): the public consultation request answers with a redirect
to its thanks, so reloading the thanks sends nothing again."""

from __future__ import annotations

import pytest
from api_support import Clinic
from test_web_scheduling import FORM, _referrals, _token

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
