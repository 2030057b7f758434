"""The second factor on real databases (SQLite and PostgreSQL): the enrolment columns, the
two-step log-in and its challenge, re-authentication with a code, the admin reset (SR-19)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from records_db import NOW
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from thecal.adapters.passwords import Argon2PasswordHasher
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import Settings
from thecal.domain.credentials import LoginChallengeInvalid, OneTimeCodeRequired, OneTimeCodeWrong
from thecal.domain.login_challenge import CHALLENGE_LIFETIME
from thecal.domain.totp import code_at, time_step
from thecal.domain.users import Actor, Role
from thecal.services.accounts import CreateUser, EnrolAuthenticator, ResetAuthenticator
from thecal.services.identity import (
    CompleteLogIn,
    LogIn,
    LoginResult,
    Reauthenticate,
    SecondFactorNeeded,
)

OPERATOR = Actor(user_id="operator", role=Role.ADMIN)
PASSWORD = "a long enough test password"  # noqa: S105 - a test account's password


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mfa_app(migrated: Engine, settings: Settings, clock: Clock) -> Iterator[Thecal]:
    required = settings.model_copy(update={"mfa_required": True})
    app = bootstrap(
        required,
        clock=clock,
        engine=migrated,
        hasher=Argon2PasswordHasher(time_cost=1, memory_cost_kib=64),
    )
    yield app
    app.close()


def _user(app: Thecal, username: str, role: Role) -> str:
    return app.run(
        app.accounts.create_user,
        CreateUser(
            actor=OPERATOR, username=username, role=role, display_name=username, password=PASSWORD
        ),
    ).id


def test_the_enrolment_round_trips_and_a_reset_clears_it(mfa_app: Thecal) -> None:
    user_id = _user(mfa_app, "dr.a", Role.PHYSICIAN)
    enrolment = mfa_app.run(
        mfa_app.accounts.enrol_authenticator, EnrolAuthenticator(actor=OPERATOR, user_id=user_id)
    )
    with mfa_app.uow() as uow:
        stored = uow.users.get(user_id)
    assert stored is not None
    assert (stored.totp_secret, stored.totp_enrolled_at, stored.totp_last_step) == (
        enrolment.secret,
        NOW,
        None,
    )
    mfa_app.run(
        mfa_app.accounts.reset_authenticator, ResetAuthenticator(actor=OPERATOR, user_id=user_id)
    )
    with mfa_app.uow() as uow:
        cleared = uow.users.get(user_id)
        actions = [e.action for e in uow.audit_log.entries()]
    assert cleared is not None
    assert (cleared.totp_secret, cleared.totp_enrolled_at, cleared.mfa_enrolled) == (
        None,
        None,
        False,
    )
    assert actions[-2:] == ["mfa.enrolled", "mfa.reset"]


def test_the_database_refuses_an_enrolment_without_its_secret(mfa_app: Thecal) -> None:
    user_id = _user(mfa_app, "nurse.b", Role.NURSE)
    with pytest.raises(IntegrityError), mfa_app.engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET totp_enrolled_at = created_at WHERE id = :id"), {"id": user_id}
        )


def test_the_two_step_log_in_enrols_then_asks_for_the_code_each_time(
    mfa_app: Thecal, clock: Clock
) -> None:
    user_id = _user(mfa_app, "nurse.c", Role.NURSE)
    first = mfa_app.run(mfa_app.identity.begin_log_in, LogIn(username="nurse.c", password=PASSWORD))
    assert isinstance(first, SecondFactorNeeded)
    assert first.enrolment is not None
    assert first.expires_at - NOW <= CHALLENGE_LIFETIME
    with mfa_app.uow() as uow:
        assert uow.sessions.get(first.challenge) is None  # a challenge is no session
        pending = uow.users.get(user_id)
    assert pending is not None
    assert (pending.totp_secret, pending.mfa_enrolled) == (first.enrolment.secret, False)

    code = code_at(first.enrolment.secret, clock.at)
    done = mfa_app.run(
        mfa_app.identity.complete_log_in,
        CompleteLogIn(challenge=first.challenge, one_time_code=code),
    )
    assert isinstance(done, LoginResult)
    with mfa_app.uow() as uow:
        enrolled = uow.users.get(user_id)
    assert enrolled is not None
    assert enrolled.mfa_enrolled
    assert enrolled.totp_last_step == time_step(clock.at)

    with pytest.raises(LoginChallengeInvalid):  # the challenge is used up with the code
        mfa_app.run(
            mfa_app.identity.complete_log_in,
            CompleteLogIn(challenge=first.challenge, one_time_code=code),
        )
    clock.at += dt.timedelta(seconds=30)
    second = mfa_app.run(
        mfa_app.identity.begin_log_in, LogIn(username="nurse.c", password=PASSWORD)
    )
    assert isinstance(second, SecondFactorNeeded)
    assert second.enrolment is None  # enrolled: just the code now
    with pytest.raises(OneTimeCodeWrong):  # the code already used (a replay)
        mfa_app.run(
            mfa_app.identity.complete_log_in,
            CompleteLogIn(challenge=second.challenge, one_time_code=code),
        )
    clock.at += CHALLENGE_LIFETIME
    with pytest.raises(LoginChallengeInvalid):  # five minutes later the step has ended
        mfa_app.run(
            mfa_app.identity.complete_log_in,
            CompleteLogIn(
                challenge=second.challenge,
                one_time_code=code_at(first.enrolment.secret, clock.at),
            ),
        )


def test_a_forged_challenge_for_another_account_grants_nothing(mfa_app: Thecal) -> None:
    _user(mfa_app, "nurse.d", Role.NURSE)
    pending = mfa_app.run(
        mfa_app.identity.begin_log_in, LogIn(username="nurse.d", password=PASSWORD)
    )
    assert isinstance(pending, SecondFactorNeeded)
    payload, _, mac = pending.challenge.rpartition(".")
    forged = payload.replace("v1.", "v1.x", 1) + "." + mac
    with pytest.raises(LoginChallengeInvalid):
        mfa_app.run(
            mfa_app.identity.complete_log_in,
            CompleteLogIn(challenge=forged, one_time_code="000000"),
        )


def test_re_authentication_needs_a_fresh_code_once_enrolled(mfa_app: Thecal, clock: Clock) -> None:
    user_id = _user(mfa_app, "dr.e", Role.PHYSICIAN)
    secret = mfa_app.run(
        mfa_app.accounts.enrol_authenticator, EnrolAuthenticator(actor=OPERATOR, user_id=user_id)
    ).secret
    actor = Actor(user_id=user_id, role=Role.PHYSICIAN)
    base = Reauthenticate(actor=actor, password=PASSWORD, change_id="c-1", diff_digest="d" * 64)
    with pytest.raises(OneTimeCodeRequired):
        mfa_app.run(mfa_app.identity.reauthenticate, base)
    code = code_at(secret, clock.at)
    token = mfa_app.run(
        mfa_app.identity.reauthenticate, dataclasses.replace(base, one_time_code=code)
    )
    assert token.user_id == user_id
    with pytest.raises(OneTimeCodeWrong):
        mfa_app.run(mfa_app.identity.reauthenticate, dataclasses.replace(base, one_time_code=code))
    with mfa_app.uow() as uow:
        failures = uow.login_failures.since("dr.e", NOW - dt.timedelta(hours=1))
    assert len(failures) == 1  # the replay counted; the missing code did not
