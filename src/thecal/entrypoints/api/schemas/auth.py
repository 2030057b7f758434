"""Log-in and the session it opens."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
)

from thecal.domain.users import Role
from thecal.entrypoints.api.schemas.fields import (
    In,
    Out,
    text_rule,
)

__all__ = [
    "LoginRequest",
    "OneTimeCode",
    "SessionPublic",
]

#: The current 6-digit code of the account's authenticator app (RFC 6238 TOTP, SR-19).
OneTimeCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class LoginRequest(In):
    username: Annotated[str, text_rule(100, 1)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    one_time_code: OneTimeCode | None = Field(
        default=None,
        description=(
            "The current code of your authenticator app: needed once you have enrolled one, and "
            "for clinicians and admins when the clinic requires it (THECAL_MFA_REQUIRED). "
            "Without it such a log-in answers 401 THC-AUTH-016 (or THC-AUTH-018 with a new "
            "secret to enrol first)."
        ),
    )


class SessionPublic(Out):
    user_id: str
    username: str
    role: Role
    display_name: str
    patient_id: str | None
    csrf_token: str | None = Field(
        description="Send as X-CSRF-Token on state-changing requests made with the cookie."
    )
