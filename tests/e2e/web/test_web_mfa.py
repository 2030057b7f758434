"""The web log-in's second step and the account security page (SR-19)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
from test_web_pages import form_token

from thecal.domain.totp import code_at
from thecal.domain.users import Role
from thecal.services.accounts import EnrolAuthenticator


@pytest.fixture
def make_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Clinic]]:
    built: list[Clinic] = []

    def make(**settings: Any) -> Clinic:
        clinic = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('web')}/thecal.db", **settings)
        built.append(clinic)
        return clinic

    yield make
    for clinic in built:
        clinic.thecal.close()


def _password_step(client: TestClient, username: str) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": form_token(page.text, "/login"),
        },
        follow_redirects=False,
    )


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def _code_step(client: TestClient, step: Any, code: str) -> Any:
    return client.post(
        "/login/code",
        data={
            "challenge": _hidden(step.text, "challenge"),
            "one_time_code": code,
            "csrf_token": form_token(step.text, "/login/code"),
            "next": "/",
        },
        follow_redirects=False,
    )


def _secret_shown(html: str) -> str:
    found = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html)
    assert found, "no secret on the page"
    return found.group(1).replace(" ", "")


def test_a_required_clinician_enrols_at_log_in_and_gets_a_session_only_after_the_code(
    make_clinic: Callable[..., Clinic],
) -> None:
    clinic = make_clinic(mfa_required=True)
    client = clinic.client()
    step = _password_step(client, "nurse")
    assert step.status_code == 200
    assert "thecal_session" not in client.cookies  # nothing granted after the password alone
    assert '<label for="one_time_code">One-time code</label>' in step.text
    assert 'autocomplete="one-time-code"' in step.text
    assert 'inputmode="numeric"' in step.text
    assert "otpauth://totp/thecal:nurse?secret=" in step.text
    grouped = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', step.text)
    assert grouped is not None
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", grouped.group(1))
    assert client.get("/", follow_redirects=False).status_code == 303  # still not logged in

    secret = _secret_shown(step.text)
    right = code_at(secret, clinic.clock.at)
    wrong = _code_step(client, step, f"{(int(right) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 401
    assert "the one-time code is wrong" in wrong.text
    assert "thecal_session" not in client.cookies
    assert _secret_shown(wrong.text) == secret  # the same key, to try again

    done = _code_step(client, wrong, right)
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    assert client.get("/").status_code == 200


def test_an_enrolled_user_is_asked_only_for_the_code(make_clinic: Callable[..., Clinic]) -> None:
    clinic = make_clinic()  # the clinic does not require codes; the enrolment does
    secret = clinic.thecal.run(
        clinic.thecal.accounts.enrol_authenticator,
        EnrolAuthenticator(actor=OPERATOR, user_id=clinic.users[Role.PHYSICIAN]),
    ).secret
    client = clinic.client()
    step = _password_step(client, "physician")
    assert "Enter the current 6-digit code" in step.text
    assert "otpauth://" not in step.text
    done = _code_step(client, step, code_at(secret, clinic.clock.at))
    assert done.status_code == 303
    clinic.clock.advance(minutes=6)
    browser = clinic.client()
    late = _password_step(browser, "physician")
    clinic.clock.advance(minutes=5)  # the five minutes of the code step are over
    expired = _code_step(browser, late, code_at(secret, clinic.clock.at))
    assert expired.status_code == 401
    assert "enter your password again" in expired.text


def test_the_account_page_enrols_an_authenticator_for_a_user_who_wants_one(
    make_clinic: Callable[..., Clinic],
) -> None:
    clinic = make_clinic()
    client = clinic.client()
    assert _password_step(client, "nurse").status_code == 303  # no code needed yet
    page = client.get("/")
    assert 'href="/account/security"' in page.text
    status = client.get("/account/security")
    assert "No authenticator is set up" in status.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', status.text)
    assert csrf is not None
    token = csrf.group(1)
    started = client.post("/account/security/enrolment", data={"csrf_token": token})
    assert started.status_code == 200
    secret = _secret_shown(started.text)
    assert 'autocomplete="one-time-code"' in started.text
    wrong = client.post(
        "/account/security/confirmation",
        data={"csrf_token": token, "one_time_code": "abcdef"},
    )
    assert wrong.status_code == 400
    assert "the one-time code is wrong" in wrong.text
    confirmed = client.post(
        "/account/security/confirmation",
        data={"csrf_token": token, "one_time_code": code_at(secret, clinic.clock.at)},
    )
    assert confirmed.status_code == 200
    assert "An authenticator is set up for your account" in confirmed.text
    clinic.clock.advance(seconds=30)
    again = _password_step(clinic.client(), "nurse")
    assert again.status_code == 200  # from now on the log-in asks for the code
    assert "Enter the current 6-digit code" in again.text


def test_the_sign_form_asks_an_enrolled_physician_for_a_fresh_code(
    make_clinic: Callable[..., Clinic],
) -> None:
    clinic = make_clinic()
    pump_id = implant_pump_with_patient_bolus(clinic)
    clinic.clock.advance(days=1)  # the titration interval after the implant
    proposed = logged_in(clinic, "nurse").post(
        f"/api/v1/pumps/{pump_id}/program-changes",
        json={"daily_dose": "5.5 mg/day", "rationale": "pain above goal"},
        headers={"Idempotency-Key": "web-mfa-change-1"},
    )
    change = proposed.json()
    secret = clinic.thecal.run(
        clinic.thecal.accounts.enrol_authenticator,
        EnrolAuthenticator(actor=OPERATOR, user_id=clinic.users[Role.PHYSICIAN]),
    ).secret
    browser = clinic.client()
    login_code = code_at(secret, clinic.clock.at)
    assert _code_step(browser, _password_step(browser, "physician"), login_code).status_code == 303
    page_url = f"/pumps/{pump_id}/program-changes/{change['id']}"
    page = browser.get(page_url)
    assert '<label for="sign-code">One-time code</label>' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {
        "csrf_token": csrf.group(1),
        "diff_digest": change["diff_digest"],
        "password": PASSWORD,
        "acknowledge": [f["code"] for f in change["findings"] if f["severity"] == "warn"],
        "override": [f["code"] for f in change["findings"] if f["severity"] == "override"],
        **{
            f"override_text_{f['code']}": "titration plan"
            for f in change["findings"]
            if f["severity"] == "override"
        },
    }
    replayed = browser.post(
        f"{page_url}/sign", data={**form, "one_time_code": login_code}, follow_redirects=False
    )
    assert replayed.status_code == 422  # refused: the signing form again, saying why
    assert "one-time code is wrong" in replayed.text
    assert 'action="' + page_url + '/sign"' in replayed.text
    with clinic.thecal.uow() as uow:
        assert "program.sign" not in [e.action for e in uow.audit_log.entries()]  # not signed
    clinic.clock.advance(seconds=30)
    fresh = code_at(secret, clinic.clock.at)
    signed = browser.post(
        f"{page_url}/sign", data={**form, "one_time_code": fresh}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == page_url
    with clinic.thecal.uow() as uow:
        actions = [e.action for e in uow.audit_log.entries()]
    assert "program.sign" in actions
    assert actions.count("mfa.code_refused") == 1
