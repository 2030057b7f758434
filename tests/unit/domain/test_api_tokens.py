"""Who may hold an API token and for how long (issue 15 §1)."""

from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.api_tokens import (
    DEFAULT_TOKEN_LIFETIME,
    MAX_TOKEN_LIFETIME,
    TokenExpiryInvalid,
    TokenForAnotherUser,
    check_token_holder,
    token_expiry,
)
from thecal.domain.users import Actor, Role

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_user_may_hold_their_own_token() -> None:
    check_token_holder(Actor(user_id="u-1", role=Role.NURSE), "u-1")


@pytest.mark.parametrize("role", list(Role))
def test_no_role_may_mint_a_token_for_another_account(role: Role) -> None:
    actor = Actor(user_id="u-1", role=role, patient_id="p-1" if role is Role.PATIENT else None)
    with pytest.raises(TokenForAnotherUser) as refused:
        check_token_holder(actor, "u-2")
    assert refused.value.code == "THC-TOKEN-002"
    assert "u-2" in str(refused.value)


def test_a_token_without_an_expiry_gets_the_default_lifetime() -> None:
    assert token_expiry(None, now=NOW) == NOW + DEFAULT_TOKEN_LIFETIME


def test_an_expiry_within_the_maximum_is_kept_exactly() -> None:
    assert token_expiry(NOW + MAX_TOKEN_LIFETIME, now=NOW) == NOW + MAX_TOKEN_LIFETIME
    assert token_expiry(NOW + dt.timedelta(seconds=1), now=NOW) == NOW + dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("requested", "reason"),
    [
        (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), "not in the future"),
        (NOW, "not in the future"),
        (dt.datetime(9999, 12, 31, tzinfo=dt.UTC), "more than 365 days"),
        (NOW + MAX_TOKEN_LIFETIME + dt.timedelta(seconds=1), "more than 365 days"),
        (dt.datetime(2026, 4, 1), "no time zone"),  # noqa: DTZ001 - the naive value under test
    ],
)
def test_an_expiry_outside_the_policy_is_refused_never_clamped(
    requested: dt.datetime, reason: str
) -> None:
    with pytest.raises(TokenExpiryInvalid) as refused:
        token_expiry(requested, now=NOW)
    assert refused.value.code == "THC-TOKEN-001"
    assert reason in str(refused.value)
