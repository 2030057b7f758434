"""The pending log-in between a correct password and its one-time code: a signed, short-lived token.

After the password, a log-in that needs a second factor gets a *challenge* instead of a session:
``v1.<user id, base64>.<user version>.<expires, Unix seconds>.<nonce>.<HMAC-SHA256>``, signed with a
server key that never leaves the server. It grants nothing by itself: it only lets the holder
offer a one-time code for that account, within :data:`CHALLENGE_LIFETIME` (5 minutes). It is
bound to the account's row version, which every accepted code (and every enrolment or reset)
increments, so a challenge is used at most once and dies with any change to the account.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["CHALLENGE_LIFETIME", "Challenge", "open_challenge", "seal_challenge"]

CHALLENGE_LIFETIME = dt.timedelta(minutes=5)
_VERSION = "v1"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Challenge:
    """Whose log-in is pending, at which row version, until when."""

    user_id: str
    user_version: int
    expires_at: dt.datetime


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def seal_challenge(
    key: bytes, *, user_id: str, user_version: int, at: dt.datetime
) -> tuple[str, Challenge]:
    """A new challenge for ``user_id`` expiring :data:`CHALLENGE_LIFETIME` after ``at``."""
    expires = at + CHALLENGE_LIFETIME
    seconds = int((expires - _EPOCH).total_seconds())
    ident = base64.urlsafe_b64encode(user_id.encode("utf-8")).decode("ascii")
    payload = ".".join(
        (_VERSION, ident, str(user_version), str(seconds), secrets.token_urlsafe(12))
    )
    challenge = Challenge(
        user_id=user_id,
        user_version=user_version,
        expires_at=_EPOCH + dt.timedelta(seconds=seconds),
    )
    return f"{payload}.{_mac(key, payload)}", challenge


def open_challenge(key: bytes, token: str, *, at: dt.datetime) -> Challenge | None:
    """The challenge behind ``token`` if its signature is good and it has not expired at ``at``."""
    payload, _, mac = token.rpartition(".")
    if not payload or not hmac.compare_digest(_mac(key, payload), mac):
        return None
    parts = payload.split(".")
    if len(parts) != 5 or parts[0] != _VERSION:  # the five fields of seal_challenge
        return None
    _, ident, version, seconds, _nonce = parts
    if not (version.isdigit() and seconds.isdigit()):
        return None
    user_id = base64.urlsafe_b64decode(ident.encode("ascii")).decode("utf-8")
    expires = _EPOCH + dt.timedelta(seconds=int(seconds))
    if at >= expires:
        return None
    return Challenge(user_id=user_id, user_version=int(version), expires_at=expires)
