"""Credential rules: the password policy and login throttling, as plain maths (SR-19).

* Passwords are at least :data:`MIN_PASSWORD_LENGTH` (12) characters (ASVS 4.0.3 2.1.1,
  safety:S105) and at most :data:`MAX_PASSWORD_LENGTH` (128, ASVS 2.1.2); any characters are
  allowed, none are required (ASVS 2.1.9); a password containing the username, one on the
  breached-password list shipped in the package (``thecal/data/breached_passwords.txt``, 30,000
  passwords: a local stand-in for ASVS 2.1.7, no network look-up is made) and one that zxcvbn
  estimates easy to guess (score below :data:`MIN_STRENGTH_SCORE`, ASVS 2.1.8) are refused —
  ``Password123!`` among them.
* Login throttling: at most :data:`MAX_FAILURES_PER_WINDOW` (100) failed attempts per account in
  any :data:`THROTTLE_WINDOW` (one hour) (ASVS 2.2.1, safety:S105). When the window already holds
  100 failures the account is locked until the oldest of them leaves the window; while locked the
  password is not even checked, so no more than 100 guesses per hour are ever verified.
* A wrong or replayed one-time code (:mod:`thecal.domain.totp`, the second factor) is a failed
  attempt too: it is counted by the same throttle.

Error leaves (``THC-AUTH-*``; ``THC-AUTH-001`` is :class:`~thecal.domain.authorization.AccessDenied`)::

    RequestInvalid
    └── WeakPassword            THC-AUTH-010  the password breaks the policy
    PermissionDenied
    ├── LoginFailed             THC-AUTH-011  unknown user, wrong password or disabled account
    │   └── OneTimeCodeWrong    THC-AUTH-017  a wrong, stale or replayed one-time code (a failure)
    ├── AccountLocked           THC-AUTH-012  too many failures in the last hour
    ├── NotAuthenticated        THC-AUTH-013  no valid session or token was presented
    │   ├── OneTimeCodeRequired THC-AUTH-016  the account needs ``one_time_code`` too
    │   ├── MfaEnrolmentRequired THC-AUTH-018 the account must enrol an authenticator first
    │   └── LoginChallengeInvalid THC-AUTH-019 the pending log-in expired (5 min) or was used
    └── SessionExpired          THC-AUTH-014  idle or absolute timeout, or logged out
    Conflict
    └── MfaAlreadyEnrolled      THC-AUTH-020  an authenticator is enrolled: reset it first

(``THC-AUTH-015`` is :class:`~thecal.domain.sessions.SessionPolicyInvalid`, ``THC-AUTH-021``
:class:`~thecal.domain.totp.TotpInvalid`.)
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import zxcvbn  # type: ignore[import-untyped]

from thecal.domain.errors import Conflict, PermissionDenied, RequestInvalid

__all__ = [
    "MAX_FAILURES_PER_WINDOW",
    "MAX_PASSWORD_LENGTH",
    "MIN_NAME_IN_PASSWORD",
    "MIN_PASSWORD_LENGTH",
    "MIN_STRENGTH_SCORE",
    "THROTTLE_WINDOW",
    "AccountLocked",
    "LoginChallengeInvalid",
    "LoginFailed",
    "MfaAlreadyEnrolled",
    "MfaEnrolmentRequired",
    "NotAuthenticated",
    "OneTimeCodeRequired",
    "OneTimeCodeWrong",
    "SessionExpired",
    "ThrottleDecision",
    "WeakPassword",
    "check_password_policy",
    "secret_digest",
    "throttle",
]

MIN_PASSWORD_LENGTH = 12  # ASVS 4.0.3 2.1.1 (safety:S105), SR-19
MAX_PASSWORD_LENGTH = 128  # ASVS 4.0.3 2.1.2 (safety:S105)
MAX_FAILURES_PER_WINDOW = 100  # ASVS 4.0.3 2.2.1 (safety:S105), SR-19
THROTTLE_WINDOW = dt.timedelta(hours=1)

#: The least zxcvbn score accepted (0–4; 3 is "safely unguessable: moderate protection from an
#: offline slow-hash scenario", under 10^10 guesses) — clinic policy for ASVS 4.0.3 2.1.8's
#: strength estimate (safety:S105); no retrieved source gives a number.
MIN_STRENGTH_SCORE = 3
#: The shortest user name refused inside a password (shorter ones match by chance): clinic policy.
MIN_NAME_IN_PASSWORD = 3
_BREACHED_FILE = "breached_passwords.txt"  # in thecal.data: one casefolded password a line
_EDGES = "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@functools.cache
def _breached() -> frozenset[str]:
    """The breached-password list shipped in the package (no network look-up, ASVS 2.1.7)."""
    text = resources.files("thecal.data").joinpath(_BREACHED_FILE).read_text(encoding="utf-8")
    return frozenset(
        line for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _is_breached(folded: str) -> bool:
    """On the list as is, or once the digits and symbols around it are stripped
    ("Password123!" is "password" with a suffix every cracker tries first)."""
    listed = _breached()
    return folded in listed or folded.strip(_EDGES) in listed


class WeakPassword(RequestInvalid):
    code = "THC-AUTH-010"
    template = "the password is not acceptable: {detail}"


class LoginFailed(PermissionDenied):
    """Deliberately the same for an unknown user, a wrong password and a disabled account."""

    code = "THC-AUTH-011"
    template = "the username or password is wrong (or the account is disabled)"


class AccountLocked(PermissionDenied):
    code = "THC-AUTH-012"
    template = (
        "too many failed log-ins for this account in the last hour: "
        "try again after {retry_after} (UTC)"
    )


class NotAuthenticated(PermissionDenied):
    code = "THC-AUTH-013"
    template = "please log in: {detail}"


class SessionExpired(PermissionDenied):
    code = "THC-AUTH-014"
    template = "your session has ended ({reason}); please log in again"


class OneTimeCodeWrong(LoginFailed):
    """Counts as a failed log-in attempt, like a wrong password."""

    code = "THC-AUTH-017"
    template = (
        "the one-time code is wrong, expired or already used: enter the current 6-digit code "
        "from your authenticator app"
    )


class OneTimeCodeRequired(NotAuthenticated):
    code = "THC-AUTH-016"
    template = (
        "this account also needs a one-time code: send the current 6-digit code from your "
        "authenticator app in {field}"
    )


class MfaEnrolmentRequired(NotAuthenticated):
    """The password was right; the account must add an authenticator before it may log in."""

    code = "THC-AUTH-018"
    template = (
        "this account must use a one-time code: add the secret {secret} to your authenticator "
        "app (or open {otpauth_uri}), then log in again with its current code in {field}"
    )


class LoginChallengeInvalid(NotAuthenticated):
    code = "THC-AUTH-019"
    template = "the log-in has expired or was already completed: enter your password again"


class MfaAlreadyEnrolled(Conflict):
    code = "THC-AUTH-020"
    template = (
        "{username} already has an authenticator enrolled: reset it first "
        "(thecal users mfa-reset {username})"
    )


def check_password_policy(password: str, *, username: str) -> None:
    """Refuse a password that breaks the policy; accept any other.

    The rules, in order: 12–128 characters; not containing the username; not on the shipped
    breached list (also once stripped of leading and trailing digits and symbols); a zxcvbn
    strength score of at least :data:`MIN_STRENGTH_SCORE` (with the username as a known input).

    Raises:
        WeakPassword: naming the rule broken (never echoing the password).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(detail=f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(detail=f"use at most {MAX_PASSWORD_LENGTH} characters")
    folded = password.casefold()
    name = username.casefold().strip()
    if folded.strip() == "":
        raise WeakPassword(detail="it must not be only spaces")
    if len(name) >= MIN_NAME_IN_PASSWORD and name in folded:
        raise WeakPassword(detail="it must not contain the username")
    if _is_breached(folded):
        raise WeakPassword(detail="it is a well-known breached password; choose another")
    estimate = zxcvbn.zxcvbn(password, user_inputs=[username], max_length=MAX_PASSWORD_LENGTH)
    if int(estimate["score"]) < MIN_STRENGTH_SCORE:
        hint = str(estimate["feedback"].get("warning") or "it is too easy to guess").rstrip(".")
        raise WeakPassword(
            detail=f"{hint[:1].lower()}{hint[1:]}: try a few unrelated words (a passphrase)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottleDecision:
    """Whether a login attempt may be checked now, and if not, from when."""

    locked: bool
    failures_in_window: int
    retry_after: dt.datetime | None = None

    @property
    def remaining(self) -> int:
        return max(0, MAX_FAILURES_PER_WINDOW - self.failures_in_window)


def throttle(
    failures: Iterable[dt.datetime],
    *,
    now: dt.datetime,
    limit: int = MAX_FAILURES_PER_WINDOW,
    window: dt.timedelta = THROTTLE_WINDOW,
) -> ThrottleDecision:
    """Decide from the account's failure times whether another attempt may be verified.

    A failure counts while ``now - window < failed_at <= now``. With ``limit`` or more failures
    in the window, the account is locked until enough of them have aged out to leave room for
    one more attempt.
    """
    recent = sorted(at for at in failures if now - window < at <= now)
    if len(recent) < limit:
        return ThrottleDecision(locked=False, failures_in_window=len(recent))
    oldest_to_expire = recent[len(recent) - limit]
    return ThrottleDecision(
        locked=True, failures_in_window=len(recent), retry_after=oldest_to_expire + window
    )


def secret_digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy random token: what is stored instead of the token itself.

    Only for machine-generated tokens (≥ 128 random bits), never for passwords: those use the
    adaptive hasher behind :class:`~thecal.services.passwords.PasswordHasher`.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
