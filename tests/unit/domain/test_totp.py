"""TOTP (RFC 6238) and the pending log-in challenge: vectors, drift window, replay, expiry."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from thecal.domain.credentials import MfaAlreadyEnrolled
from thecal.domain.login_challenge import CHALLENGE_LIFETIME, open_challenge, seal_challenge
from thecal.domain.totp import (
    SECRET_BYTES,
    CodeOutcome,
    TotpInvalid,
    check_code,
    code_at,
    group_secret,
    new_secret,
    otpauth_uri,
    secret_bytes,
    time_step,
)
from thecal.domain.users import Role, User

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode("ascii")
RFC_SHA1_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
AT = dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC)


def _instant(unix_seconds: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=unix_seconds)


@pytest.mark.parametrize(("unix_seconds", "expected"), RFC_SHA1_VECTORS)
def test_the_rfc_6238_sha1_vectors_give_the_published_eight_digit_codes(
    unix_seconds: int, expected: str
) -> None:
    assert code_at(RFC_SECRET, _instant(unix_seconds), digits=8) == expected


@pytest.mark.parametrize(("unix_seconds", "expected"), RFC_SHA1_VECTORS)
def test_six_digit_codes_are_the_same_truncation_modulo_a_million(
    unix_seconds: int, expected: str
) -> None:
    assert code_at(RFC_SECRET, _instant(unix_seconds)) == expected[-6:]


def test_the_time_step_is_thirty_seconds_from_the_unix_epoch() -> None:
    assert time_step(_instant(59)) == 1
    assert time_step(_instant(60)) == 2
    assert time_step(_instant(1111111109)) == 0x23523EC  # RFC 6238 Appendix B's T column


def test_naive_or_pre_epoch_times_are_refused() -> None:
    with pytest.raises(TotpInvalid):
        time_step(dt.datetime(2026, 3, 2, 9, 0))  # noqa: DTZ001 - the naive time under test
    with pytest.raises(TotpInvalid):
        time_step(dt.datetime(1969, 12, 31, tzinfo=dt.UTC))


def test_a_new_secret_is_160_random_bits_in_base32() -> None:
    first, second = new_secret(), new_secret()
    assert len(secret_bytes(first)) == SECRET_BYTES == 20
    assert len(first) == 32
    assert first != second


def test_text_that_is_not_base32_is_not_a_secret() -> None:
    with pytest.raises(TotpInvalid):
        secret_bytes("not base32 at all!")


def test_the_current_code_and_one_step_either_side_are_accepted() -> None:
    secret = new_secret()
    now = time_step(AT)
    for offset in (-30, 0, 30):
        code = code_at(secret, AT + dt.timedelta(seconds=offset))
        checked = check_code(secret, code, at=AT, last_accepted_step=None)
        assert checked.outcome is CodeOutcome.ACCEPTED
        assert checked.step == now + offset // 30


def test_codes_two_steps_away_are_wrong() -> None:
    secret = new_secret()
    for offset in (-60, 60):
        code = code_at(secret, AT + dt.timedelta(seconds=offset))
        if code == code_at(secret, AT):  # a one-in-a-million collision with the current code
            continue
        assert check_code(secret, code, at=AT, last_accepted_step=None).outcome is (
            CodeOutcome.WRONG
        )


def test_a_code_at_or_before_the_last_accepted_step_is_a_replay() -> None:
    secret = new_secret()
    code = code_at(secret, AT)
    first = check_code(secret, code, at=AT, last_accepted_step=None)
    assert first.accepted
    again = check_code(secret, code, at=AT, last_accepted_step=first.step)
    assert again.outcome is CodeOutcome.REPLAYED
    assert again.step is None
    earlier = code_at(secret, AT - dt.timedelta(seconds=30))
    assert check_code(secret, earlier, at=AT, last_accepted_step=first.step).outcome is (
        CodeOutcome.REPLAYED
    )
    later = code_at(secret, AT + dt.timedelta(seconds=30))
    assert check_code(secret, later, at=AT, last_accepted_step=first.step).accepted


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_anything_but_six_ascii_digits_is_wrong(typed: str) -> None:
    assert check_code(new_secret(), typed, at=AT, last_accepted_step=None).outcome is (
        CodeOutcome.WRONG
    )


def test_spaces_in_a_typed_code_are_ignored() -> None:
    secret = new_secret()
    code = code_at(secret, AT)
    assert check_code(secret, f" {code[:3]} {code[3:]} ", at=AT, last_accepted_step=None).accepted


def test_the_otpauth_uri_names_the_issuer_account_and_parameters() -> None:
    secret = new_secret()
    uri = urlparse(otpauth_uri(secret, account="dr.smith"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/thecal:dr.smith")
    query = parse_qs(uri.query)
    assert query == {
        "secret": [secret],
        "issuer": ["thecal"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }


def test_the_secret_is_shown_in_groups_of_four() -> None:
    assert group_secret("ABCDEFGHIJKL") == "ABCD EFGH IJKL"


KEY = b"k" * 32


def test_a_challenge_opens_until_five_minutes_after_it_was_sealed() -> None:
    token, sealed = seal_challenge(KEY, user_id="user-1", user_version=3, at=AT)
    assert sealed.expires_at == AT.replace(microsecond=0) + CHALLENGE_LIFETIME
    opened = open_challenge(KEY, token, at=AT + CHALLENGE_LIFETIME - dt.timedelta(seconds=1))
    assert opened == sealed
    assert open_challenge(KEY, token, at=AT + CHALLENGE_LIFETIME) is None


def test_a_challenge_with_another_key_or_an_edited_payload_does_not_open() -> None:
    token, _ = seal_challenge(KEY, user_id="user-1", user_version=3, at=AT)
    assert open_challenge(b"x" * 32, token, at=AT) is None
    payload, _, mac = token.rpartition(".")
    parts = payload.split(".")
    parts[2] = "4"  # another row version
    assert open_challenge(KEY, ".".join(parts) + "." + mac, at=AT) is None
    assert open_challenge(KEY, "garbage", at=AT) is None


def _nurse() -> User:
    return User(
        id="u-1",
        username="nora",
        role=Role.NURSE,
        display_name="Nora",
        created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )


def test_an_account_s_authenticator_goes_pending_enrolled_and_cleared() -> None:
    user, at = _nurse(), dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    user.begin_authenticator("JBSWY3DPEHPK3PXP")
    assert (user.totp_secret, user.mfa_enrolled) == ("JBSWY3DPEHPK3PXP", False)
    second = "KRSXG5CTMVRXEZLU"
    user.begin_authenticator(second)  # a pending secret may be replaced
    assert user.totp_secret == second
    assert user.accept_code_step(1_000, at) is True  # the first code confirms the enrolment
    assert (user.totp_enrolled_at, user.totp_last_step) == (at, 1_000)
    later = at + dt.timedelta(minutes=5)
    assert user.accept_code_step(1_010, later) is False  # later codes only move the step
    assert (user.totp_enrolled_at, user.totp_last_step) == (at, 1_010)
    with pytest.raises(MfaAlreadyEnrolled):  # a confirmed authenticator is not replaced
        user.begin_authenticator("MZXW6YTBOI======")
    with pytest.raises(MfaAlreadyEnrolled):
        user.enrol_authenticator("MZXW6YTBOI======", later)
    assert user.totp_secret == second
    user.clear_authenticator()
    assert (user.totp_secret, user.totp_enrolled_at, user.totp_last_step) == (None, None, None)
    user.enrol_authenticator("MZXW6YTBOI======", later)  # an administrator's: at once
    assert user.mfa_enrolled
    assert (user.totp_secret, user.totp_last_step) == ("MZXW6YTBOI======", None)
