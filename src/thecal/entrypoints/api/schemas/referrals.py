"""Documents of ``/referrals``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from thecal.entrypoints.api.schemas.fields import Ident, In, Out, Whole, text_rule

__all__ = ["ReferralPublic", "ReferralTriageIn", "ReferralsPublic"]


class ReferralPublic(Out):
    id: str
    received_at: dt.datetime
    state: str
    source: str
    family_name: str
    given_names: str
    birth_date: dt.date
    email: str
    phone: str
    condition: str
    tried: list[str]
    tried_details: str
    referrer_name: str
    referrer_practice: str
    referrer_contact: str
    message: str
    patient_id: str | None
    note: str | None = Field(description="The decline reason, the question asked or the answer")
    version: int
    possible_patients: list[str] = Field(
        default_factory=list, description="Registered patients with the same name and birth date"
    )


class ReferralsPublic(Out):
    items: list[ReferralPublic]


class ReferralTriageIn(In):
    step: Literal["accept", "decline", "request-information", "information-received"]
    expected_version: Whole = Field(ge=1, le=1_000_000)
    text: Annotated[str, text_rule(1000)] = Field(
        default="", description="decline: the reason; request-information: the question; …"
    )
    mrn: Annotated[str, text_rule(40)] = Field(
        default="", description="accept: the new patient's record number"
    )
    patient_id: Ident | None = Field(
        default=None, description="accept: link this registered patient instead"
    )
