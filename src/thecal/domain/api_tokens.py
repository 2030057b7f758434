"""Who may hold an API token, and for how long (issue 15 §1: no impersonation).

A token acts with its holder's full authority and skips the log-in's second factor, so it is
issued in two cases only (:func:`token_grant`):

* **to oneself** (:attr:`TokenGrant.SELF`), after re-authenticating with the password and, when
  enrolled, a one-time code — so a stolen session or token cannot mint a longer-lived credential;
* **by an administrator to a service account** (:attr:`TokenGrant.SERVICE_ACCOUNT`): a
  non-clinical machine client (role ``integration``, :data:`~thecal.domain.users.SERVICE_ROLES`)
  with its own narrow read-only role.

An administrator may not mint a working token for a clinician or a patient (a physician's or a
patient's token in an administrator's hands is an impersonation: the audit trail would name the
physician for what the administrator did). A token is revoked by its holder or an administrator
(:func:`check_token_revoker`); every audit entry made with a token records the token's id.

Every token expires. :data:`DEFAULT_TOKEN_LIFETIME` applies when no expiry is asked for and
:data:`MAX_TOKEN_LIFETIME` is the longest allowed; an expiry in the past or beyond the maximum is
refused (:class:`TokenExpiryInvalid`), never clamped. Both are clinic policy: no retrieved
source gives a number (SR-20 and ASVS 3.x, safety:S105, bound interactive sessions only); a
quarter and a year are the usual rotation periods for machine credentials.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from thecal.domain.errors import PermissionDenied, RequestInvalid
from thecal.domain.users import SERVICE_ROLES, Actor, Role

__all__ = [
    "DEFAULT_TOKEN_LIFETIME",
    "MAX_TOKEN_LIFETIME",
    "TokenExpiryInvalid",
    "TokenForAnotherUser",
    "TokenGrant",
    "TokenNeedsReauthentication",
    "TokenNotYours",
    "check_token_holder",
    "check_token_revoker",
    "token_expiry",
    "token_grant",
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
        "an API token is issued only to its own holder, or by an administrator to a service"
        " account: {actor_id} may not issue one acting as {user_id} (that would let one person"
        " act as another)"
    )


class TokenNeedsReauthentication(PermissionDenied):
    code = "THC-TOKEN-003"
    template = (
        "issuing an API token for yourself needs your password again (and your authenticator's"
        " current code when you have one): {detail}"
    )


class TokenNotYours(PermissionDenied):
    code = "THC-TOKEN-004"
    template = "only the token's holder or an administrator may {what} it"


class TokenGrant(StrEnum):
    """Why a token may be issued (see the module text)."""

    SELF = "self"  # the holder, re-authenticated
    SERVICE_ACCOUNT = "service account"  # an administrator, for a non-clinical machine client


def token_grant(actor: Actor, *, holder_id: str, holder_role: Role) -> TokenGrant:
    """Whether ``actor`` may issue a token acting as the account ``holder_id`` (of ``holder_role``).

    Raises:
        TokenForAnotherUser: another account that is not a service account, or a non-administrator.
    """
    if actor.user_id == holder_id:
        return TokenGrant.SELF
    if actor.role is Role.ADMIN and holder_role in SERVICE_ROLES:
        return TokenGrant.SERVICE_ACCOUNT
    raise TokenForAnotherUser(actor_id=actor.user_id, user_id=holder_id)


def check_token_holder(actor: Actor, user_id: str) -> None:
    """Refuse a token for anyone but the actor themselves (the rule without service accounts).

    Raises:
        TokenForAnotherUser: ``user_id`` is not the actor.
    """
    if actor.user_id != user_id:
        raise TokenForAnotherUser(actor_id=actor.user_id, user_id=user_id)


def check_token_revoker(actor: Actor, holder_id: str, *, what: str = "revoke") -> None:
    """A token is listed or revoked by its holder or by an administrator.

    Raises:
        TokenNotYours: someone else's token, and the actor is not an administrator.
    """
    if actor.user_id != holder_id and actor.role is not Role.ADMIN:
        raise TokenNotYours(what=what)


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
