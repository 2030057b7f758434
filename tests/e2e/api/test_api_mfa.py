"""The second factor over HTTP (SR-19): log-in with a one-time code, enrolment, throttle, replay.

On SQLite and PostgreSQL. The clinic's clock is the session clock, so codes are computed at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import (
    OPERATOR,
    PASSWORD,
    Clinic,
    TestClient,
    build_clinic,
    implant_pump_with_patient_bolus,
    logged_in,
)

from thecal.domain.credentials import MAX_FAILURES_PER_WINDOW
from thecal.domain.totp import code_at
from thecal.domain.users import Role
from thecal.services.accounts import EnrolAuthenticator, ResetAuthenticator

LOGIN = "/api/v1/auth/login"
SESSION = "/api/v1/auth/session"


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url, mfa_required=True)
    yield built
    built.thecal.close()


def _enrol(clinic: Clinic, role: Role) -> str:
    """Enrol an authenticator for the role's test user; its secret."""
    return clinic.thecal.run(
        clinic.thecal.accounts.enrol_authenticator,
        EnrolAuthenticator(actor=OPERATOR, user_id=clinic.users[role]),
    ).secret


def _login(client: TestClient, username: str, **extra: Any) -> Any:
    return client.post(LOGIN, json={"username": username, "password": PASSWORD, **extra})


def _audit_actions(clinic: Clinic) -> list[str]:
    with clinic.thecal.uow() as uow:
        return [entry.action for entry in uow.audit_log.entries()]


def test_an_unenrolled_clinician_gets_a_secret_and_no_session_until_its_first_code(
    clinic: Clinic,
) -> None:
    client = clinic.client()
    first = _login(client, "nurse")
    assert first.status_code == 401
    problem = first.json()
    assert problem["code"] == "THC-AUTH-018"
    assert problem["fields"]["field"] == "one_time_code"
    secret = problem["fields"]["secret"]
    assert problem["fields"]["otpauth_uri"].startswith("otpauth://totp/thecal:nurse?secret=")
    assert "set-cookie" not in first.headers
    assert client.get(SESSION).status_code == 401

    confirmed = _login(client, "nurse", one_time_code=code_at(secret, clinic.clock.at))
    assert confirmed.status_code == 200, confirmed.text
    assert client.get(SESSION).json()["username"] == "nurse"
    actions = _audit_actions(clinic)
    assert actions[-4:] == [
        "mfa.enrolment_started",
        "mfa.enrolled",
        "mfa.code_accepted",
        "session.login",
    ]


def test_an_enrolled_account_without_a_code_is_told_which_field_is_missing(
    clinic: Clinic,
) -> None:
    _enrol(clinic, Role.PHYSICIAN)
    client = clinic.client()
    response = _login(client, "physician")
    assert response.status_code == 401
    assert response.json()["code"] == "THC-AUTH-016"
    assert response.json()["fields"] == {"field": "one_time_code"}
    assert "one_time_code" in response.json()["detail"]
    assert "set-cookie" not in response.headers


def test_a_wrong_code_is_refused_counted_and_leaves_no_session(clinic: Clinic) -> None:
    secret = _enrol(clinic, Role.NURSE)
    right = code_at(secret, clinic.clock.at)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = clinic.client()
    response = _login(client, "nurse", one_time_code=wrong)
    assert response.status_code == 401
    assert response.json()["code"] == "THC-AUTH-017"
    assert "set-cookie" not in response.headers
    with clinic.thecal.uow() as uow:
        failures = uow.login_failures.since("nurse", clinic.clock.at.replace(hour=0))
    assert len(failures) == 1
    assert _audit_actions(clinic)[-1] == "mfa.code_refused"


def test_a_hundred_wrong_codes_lock_the_account_like_wrong_passwords(clinic: Clinic) -> None:
    secret = _enrol(clinic, Role.NURSE)
    client = clinic.client()
    for _ in range(MAX_FAILURES_PER_WINDOW):
        clinic.clock.advance(seconds=30)
        right = code_at(secret, clinic.clock.at)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        assert _login(client, "nurse", one_time_code=wrong).status_code == 401
    locked = _login(client, "nurse", one_time_code=code_at(secret, clinic.clock.at))
    assert locked.status_code == 429
    assert locked.json()["code"] == "THC-AUTH-012"


def test_a_code_is_accepted_once_and_its_replay_is_refused(clinic: Clinic) -> None:
    secret = _enrol(clinic, Role.PHARMACIST)
    code = code_at(secret, clinic.clock.at)
    assert _login(clinic.client(), "pharmacist", one_time_code=code).status_code == 200
    clinic.clock.advance(seconds=5)  # the same 30-second step (or the next: still within ±1)
    replay = _login(clinic.client(), "pharmacist", one_time_code=code)
    assert replay.status_code == 401
    assert replay.json()["code"] == "THC-AUTH-017"
    clinic.clock.advance(seconds=30)
    fresh = code_at(secret, clinic.clock.at)
    assert _login(clinic.client(), "pharmacist", one_time_code=fresh).status_code == 200


def test_a_code_from_the_previous_step_still_works_but_not_two_steps_back(clinic: Clinic) -> None:
    secret = _enrol(clinic, Role.ADMIN)
    old = code_at(secret, clinic.clock.at)
    clinic.clock.advance(seconds=30)
    assert _login(clinic.client(), "admin", one_time_code=old).status_code == 200
    older = code_at(secret, clinic.clock.at)
    clinic.clock.advance(seconds=60)
    if older != code_at(secret, clinic.clock.at):  # skip a one-in-a-million collision
        assert _login(clinic.client(), "admin", one_time_code=older).status_code == 401


def test_patients_are_not_required_to_use_a_code(clinic: Clinic) -> None:
    assert _login(clinic.client(), "patient").status_code == 200


def test_an_enrolled_user_needs_the_code_even_when_the_clinic_does_not_require_it(
    sqlite_url: str,
) -> None:
    clinic = build_clinic(sqlite_url)  # THECAL_MFA_REQUIRED off (not production)
    try:
        assert _login(clinic.client(), "nurse").status_code == 200  # not enrolled: password only
        secret = _enrol(clinic, Role.NURSE)
        assert _login(clinic.client(), "nurse").json()["code"] == "THC-AUTH-016"
        code = code_at(secret, clinic.clock.at)
        assert _login(clinic.client(), "nurse", one_time_code=code).status_code == 200
        clinic.thecal.run(
            clinic.thecal.accounts.reset_authenticator,
            ResetAuthenticator(actor=OPERATOR, user_id=clinic.users[Role.NURSE]),
        )
        assert _login(clinic.client(), "nurse").status_code == 200  # reset: password only again
        assert _audit_actions(clinic).count("mfa.reset") == 1
    finally:
        clinic.thecal.close()


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 456"])
def test_a_malformed_code_is_refused_by_the_schema(clinic: Clinic, code: str) -> None:
    response = _login(clinic.client(), "nurse", one_time_code=code)
    assert response.status_code == 422
    assert "body.one_time_code" in response.json()["fields"]


def test_the_openapi_document_describes_the_code_and_its_refusals(clinic: Clinic) -> None:
    schema = clinic.app().openapi()
    login = schema["paths"][LOGIN]["post"]
    assert "THC-AUTH-016" in login["responses"]["401"]["description"]
    body = schema["components"]["schemas"]["LoginRequest"]["properties"]["one_time_code"]
    assert "authenticator" in body["description"]
    assert "one_time_code" not in schema["components"]["schemas"]["LoginRequest"].get(
        "required", []
    )


def test_signing_a_program_change_needs_a_fresh_code_once_the_signer_has_enrolled(
    database_url: str,
) -> None:
    clinic = build_clinic(database_url)  # the setting off: enrolment alone makes codes needed
    try:
        pump_id = implant_pump_with_patient_bolus(clinic)
        clinic.clock.advance(days=1)  # the titration interval after the implant
        secret = _enrol(clinic, Role.PHYSICIAN)
        login_code = code_at(secret, clinic.clock.at)
        physician = clinic.client()
        session = _login(physician, "physician", one_time_code=login_code)
        assert session.status_code == 200
        physician.headers["X-CSRF-Token"] = session.json()["csrf_token"]
        nurse = logged_in(clinic, "nurse")
        proposed = nurse.post(
            f"/api/v1/pumps/{pump_id}/program-changes",
            json={"daily_dose": "5.5 mg/day", "rationale": "pain above goal"},
            headers={"Idempotency-Key": "mfa-change-0001"},
        ).json()
        url = f"/api/v1/program-changes/{proposed['id']}/signature"
        body = {
            "password": PASSWORD,
            "diff_digest": proposed["diff_digest"],
            "acknowledged_warnings": [
                f["code"] for f in proposed["findings"] if f["severity"] == "warn"
            ],
            "overrides": [
                {"finding_code": f["code"], "reason": "clinical-judgement", "text": "plan"}
                for f in proposed["findings"]
                if f["severity"] == "override"
            ],
        }
        assert physician.post(url, json=body).json()["code"] == "THC-AUTH-016"
        replayed = physician.post(url, json={**body, "one_time_code": login_code})
        assert (replayed.status_code, replayed.json()["code"]) == (401, "THC-AUTH-017")
        clinic.clock.advance(seconds=30)
        fresh = {**body, "one_time_code": code_at(secret, clinic.clock.at)}
        signed = physician.post(url, json=fresh)
        assert signed.status_code == 200, signed.text
        assert signed.json()["signature"]["user_id"] == clinic.users[Role.PHYSICIAN]
    finally:
        clinic.thecal.close()
