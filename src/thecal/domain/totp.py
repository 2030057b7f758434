"""Time-based one-time passwords (RFC 6238 TOTP over RFC 4226 HOTP), standard library only.

The second factor of SR-19 (ASVS 4.0.3 2.8, safety:S105): HMAC-SHA1, a 30-second time step and
6 digits, the parameters every authenticator app uses by default.

* A secret is :data:`SECRET_BYTES` (20, i.e. 160 bits, RFC 4226 §4 R6) random bytes, written in
  unpadded base32 (32 characters) for authenticator apps.
* :func:`check_code` accepts the code of the current step or of one step either side
  (:data:`DRIFT_STEPS`, clock drift, RFC 6238 §5.2), and refuses a step at or before the last one
  accepted for the account (a code is used once, ASVS 2.8.4).
* :func:`otpauth_uri` is the ``otpauth://totp/…`` link authenticator apps read (issuer
  ``thecal``).

Time is passed in (``at``: a timezone-aware instant); nothing here reads a clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlencode

from thecal.domain.errors import RequestInvalid

__all__ = [
    "CODE_DIGITS",
    "DRIFT_STEPS",
    "ISSUER",
    "SECRET_BYTES",
    "STEP_SECONDS",
    "CodeCheck",
    "CodeOutcome",
    "TotpInvalid",
    "check_code",
    "code_at",
    "group_secret",
    "hotp",
    "new_secret",
    "otpauth_uri",
    "secret_bytes",
    "time_step",
]

STEP_SECONDS = 30  # RFC 6238 §4.1 default X
CODE_DIGITS = 6  # RFC 4226 §5.3: at least 6
SECRET_BYTES = 20  # 160 bits: RFC 4226 §4 R6, the HMAC-SHA1 block's natural key length
DRIFT_STEPS = 1  # one step either side (RFC 6238 §5.2)
ISSUER = "thecal"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class TotpInvalid(RequestInvalid):
    code = "THC-AUTH-021"
    template = "invalid one-time-password {where}: {detail}"


class CodeOutcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # matches no step in the window (or is not 6 digits)
    REPLAYED = "replayed"  # matches only steps at or before the last accepted one


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeCheck:
    """The outcome of checking a code; ``step`` is the accepted step (record it as the last)."""

    outcome: CodeOutcome
    step: int | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is CodeOutcome.ACCEPTED


def new_secret() -> str:
    """A fresh random secret of :data:`SECRET_BYTES` bytes, unpadded base32 (32 characters)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_bytes(secret: str) -> bytes:
    """The key behind a base32 secret (spaces and case ignored, padding optional).

    Raises:
        TotpInvalid: not base32.
    """
    text = "".join(secret.split()).upper().rstrip("=")
    padded = text + "=" * (-len(text) % 8)
    try:
        key = base64.b32decode(padded, casefold=False)
    except ValueError:
        raise TotpInvalid(where="secret", detail="is not base32 text") from None
    if not key:
        raise TotpInvalid(where="secret", detail="must not be empty")
    return key


def group_secret(secret: str) -> str:
    """The secret in groups of four characters, for typing into an app: ``ABCD EFGH …``."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def time_step(at: dt.datetime, *, step_seconds: int = STEP_SECONDS) -> int:
    """The RFC 6238 counter T = floor((at − Unix epoch) / X) for a timezone-aware instant.

    Raises:
        TotpInvalid: ``at`` is naive or before the Unix epoch.
    """
    if at.utcoffset() is None:
        raise TotpInvalid(where="at", detail="must be timezone-aware")
    elapsed = at - _EPOCH
    if elapsed < dt.timedelta(0):
        raise TotpInvalid(where="at", detail="must not be before 1970-01-01")
    return int(elapsed.total_seconds()) // step_seconds


def hotp(key: bytes, counter: int, *, digits: int = CODE_DIGITS, algorithm: str = "sha1") -> str:
    """RFC 4226 HOTP: HMAC of the 8-byte big-endian counter, dynamic truncation, mod 10^digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, algorithm)).digest()
    offset = mac[-1] & 0x0F
    binary = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def code_at(
    secret: str, at: dt.datetime, *, digits: int = CODE_DIGITS, algorithm: str = "sha1"
) -> str:
    """The TOTP code of ``secret`` for the time step containing ``at``."""
    return hotp(secret_bytes(secret), time_step(at), digits=digits, algorithm=algorithm)


def check_code(
    secret: str, code: str, *, at: dt.datetime, last_accepted_step: int | None
) -> CodeCheck:
    """Check a 6-digit code against the steps ``now − 1 … now + 1`` (spaces in the code ignored).

    A matching step at or before ``last_accepted_step`` is a replay and is never accepted; the
    latest matching step after it is.
    """
    typed = "".join(code.split())
    if len(typed) != CODE_DIGITS or not typed.isascii() or not typed.isdigit():
        return CodeCheck(outcome=CodeOutcome.WRONG)
    key = secret_bytes(secret)
    now = time_step(at)
    matched = [
        step
        for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1)
        if step >= 0 and hmac.compare_digest(hotp(key, step), typed)
    ]
    fresh = [step for step in matched if last_accepted_step is None or step > last_accepted_step]
    if fresh:
        return CodeCheck(outcome=CodeOutcome.ACCEPTED, step=max(fresh))
    return CodeCheck(outcome=CodeOutcome.REPLAYED if matched else CodeOutcome.WRONG)


def otpauth_uri(secret: str, *, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://totp/ISSUER:ACCOUNT?secret=…`` URI (Google Authenticator key-URI format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": CODE_DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
