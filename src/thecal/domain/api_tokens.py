"""Who may hold an API token, and for how long (issue 15 §1: no impersonation).

A token acts with its holder's full authority and skips the log-in's second factor, so it is
issued only to the account that will hold it: a user for themselves. An administrator may not
mint a working token for another account (a physician's or a patient's token in an
administrator's hands is an impersonation: the audit trail would name the physician for what the
administrator did).

Every token expires. :data:`DEFAULT_TOKEN_LIFETIME` applies when no expiry is asked for and
:data:`MAX_TOKEN_LIFETIME` is the longest allowed; an expiry in the past or beyond the maximum is
refused (:class:`TokenExpiryInvalid`), never clamped. Both are clinic policy: no retrieved
source gives a number (SR-20 and ASVS 3.x, safety:S105, bound interactive sessions only); a
quarter and a year are the usual rotation periods for machine credentials.
"""

from __future__ import annotations

import datetime as dt

from thecal.domain.errors import PermissionDenied, RequestInvalid
from thecal.domain.users import Actor

__all__ = [
    "DEFAULT_TOKEN_LIFETIME",
    "MAX_TOKEN_LIFETIME",
    "TokenExpiryInvalid",
    "TokenForAnotherUser",
    "check_token_holder",
    "token_expiry",
]

#: Lifetime of a token issued without an expiry (clinic policy, see the module text).
DEFAULT_TOKEN_LIFETIME = dt.timedelta(days=90)
#: The longest lifetime a token may be given (clinic policy, see the module text).
MAX_TOKEN_LIFETIME = dt.timedelta(days=365)


class TokenExpiryInvalid(RequestInvalid):
    code = "THC-TOKEN-001"
    template = "the token's expiry {expires_at} {reason}"


class TokenForAnotherUser(PermissionDenied):
    code = "THC-TOKEN-002"
    template = (
        "an API token is issued only to its own holder: {actor_id} may not issue one acting as"
        " {user_id} (that would let one person act as another)"
    )


def check_token_holder(actor: Actor, user_id: str) -> None:
    """Refuse a token for anyone but the actor themselves.

    Raises:
        TokenForAnotherUser: ``user_id`` is not the actor.
    """
    if actor.user_id != user_id:
        raise TokenForAnotherUser(actor_id=actor.user_id, user_id=user_id)


def token_expiry(requested: dt.datetime | None, *, now: dt.datetime) -> dt.datetime:
    """The expiry of a token issued at ``now``: the requested one if allowed, else the default.

    Raises:
        TokenExpiryInvalid: naive, not after ``now``, or beyond :data:`MAX_TOKEN_LIFETIME`.
    """
    if requested is None:
        return now + DEFAULT_TOKEN_LIFETIME
    shown = requested.isoformat()
    if requested.tzinfo is None or requested.utcoffset() is None:
        raise TokenExpiryInvalid(expires_at=shown, reason="has no time zone")
    if requested <= now:
        raise TokenExpiryInvalid(expires_at=shown, reason="is not in the future")
    if requested - now > MAX_TOKEN_LIFETIME:
        raise TokenExpiryInvalid(
            expires_at=shown,
            reason=f"is more than {MAX_TOKEN_LIFETIME.days} days away (the longest a token may live)",
        )
    return requested
