"""A request for a consultation, from the public intake page, and its triage by a clinician.

::

    RECEIVED ─accept──────────────▶ ACCEPTED   (a patient record; candidacy to complete)
       │  ├─decline (reason)──────▶ DECLINED
       │  └─request_information──▶ INFORMATION_REQUESTED ─information_received─▶ RECEIVED
       └───────────────────────────────────── (accept / decline from either open state)

The form (:class:`IntakeForm`) is checked field by field with a clear message for each refusal;
nothing about it is ever matched against the clinic's patients on the public side, so the answer
to the person who sent it is the same whatever they wrote (docs/scheduling.md). Possible
duplicates are shown to the triaging clinician only.

Conditions are the indications the clinic treats (``domain/candidacy.Indication``, the clinic's
own list, clinical.md §8.1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.actors import (
    CLINICIANS,
    IllegalTransition,
    StateMachine,
    Transition,
    require_aware,
    require_role,
    require_text,
)
from thecal.domain.candidacy import Indication
from thecal.domain.date_plausibility import BIRTH_DATE, check_date
from thecal.domain.errors import Conflict, NotFound, RequestInvalid
from thecal.domain.users import Actor

__all__ = [
    "MAX_DETAILS",
    "MAX_MESSAGE",
    "IntakeForm",
    "Referral",
    "ReferralInvalid",
    "ReferralNotFound",
    "ReferralSource",
    "ReferralState",
    "ReferralStateError",
    "StaleReferralVersion",
    "TriedTreatment",
]

MAX_NAME = 100
MAX_CONTACT = 200
MAX_DETAILS = 1000
MAX_MESSAGE = 2000
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")


class ReferralSource(StrEnum):
    PATIENT = "patient"  # the patient asks for themself
    CLINICIAN = "clinician"  # a referring clinician asks for their patient


class TriedTreatment(StrEnum):
    ORAL_MEDICINES = "oral-medicines"
    INJECTIONS = "injections"
    SURGERY = "surgery"
    PHYSIOTHERAPY = "physiotherapy"


class ReferralState(StrEnum):
    RECEIVED = "received"
    INFORMATION_REQUESTED = "information-requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ReferralInvalid(RequestInvalid):
    code = "THC-REF-001"
    template = "{where}: {detail}"


class ReferralNotFound(NotFound):
    code = "THC-REF-002"
    template = "referral {ident} not found"


class ReferralStateError(IllegalTransition):
    code = "THC-REF-003"


class StaleReferralVersion(Conflict):
    code = "THC-REF-004"
    template = (
        "referral {ident} is at version {current}, not {expected}: someone else triaged it; "
        "reload and look again"
    )


def _clean(value: str, where: str, *, maximum: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise ReferralInvalid(where=where, detail="is required")
    if len(text) > maximum:
        raise ReferralInvalid(where=where, detail=f"is longer than {maximum} characters")
    allowed_controls = "\n\r\t" if maximum > MAX_CONTACT else ""
    if any(ord(c) < 32 and c not in allowed_controls for c in text) or "\x7f" in text:
        raise ReferralInvalid(where=where, detail="contains control characters")
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeForm:
    """What the person asking for a consultation told the clinic (every field checked)."""

    source: ReferralSource
    family_name: str
    given_names: str
    birth_date: dt.date
    email: str
    phone: str
    condition: Indication
    tried: frozenset[TriedTreatment]
    tried_details: str
    consent_to_contact: bool
    referrer_name: str = ""
    referrer_practice: str = ""
    referrer_contact: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        for name, maximum, required in (
            ("family_name", MAX_NAME, True),
            ("given_names", MAX_NAME, True),
            ("email", MAX_CONTACT, False),
            ("phone", MAX_CONTACT, False),
            ("tried_details", MAX_DETAILS, False),
            ("referrer_name", MAX_NAME, self.source is ReferralSource.CLINICIAN),
            ("referrer_practice", MAX_CONTACT, False),
            ("referrer_contact", MAX_CONTACT, self.source is ReferralSource.CLINICIAN),
            ("message", MAX_MESSAGE, False),
        ):
            text = _clean(
                getattr(self, name), name.replace("_", " "), maximum=maximum, required=required
            )
            object.__setattr__(self, name, text)
        if not self.email and not self.phone:
            raise ReferralInvalid(
                where="contact", detail="give an e-mail address or a phone number"
            )
        if self.email and not _EMAIL.match(self.email):
            raise ReferralInvalid(where="email", detail=f"{self.email!r} is not an e-mail address")
        if self.phone and not _PHONE.match(self.phone):
            raise ReferralInvalid(
                where="phone", detail="use digits, spaces and + ( ) - . / only (6–40 characters)"
            )
        if not self.consent_to_contact:
            raise ReferralInvalid(
                where="consent", detail="we can only answer if you agree to be contacted"
            )
        if isinstance(self.birth_date, dt.datetime) or not isinstance(self.birth_date, dt.date):
            raise ReferralInvalid(where="birth date", detail="must be a calendar date")
        if self.birth_date.year < 1900:
            raise ReferralInvalid(where="birth date", detail="is before 1900")

    def check_birth_date(self, today: dt.date) -> None:
        if self.birth_date > today:
            raise ReferralInvalid(where="birth date", detail=f"{self.birth_date} is in the future")
        check_date("birth date", self.birth_date, BIRTH_DATE, today=today)


class Referral(StateMachine[ReferralState]):
    """One request for a consultation. Compare by ``id``."""

    _kind = "referral"
    _error = ReferralStateError
    _previous = "the last triage step"

    def __init__(
        self,
        *,
        id: str,  # noqa: A002 - the aggregate's identity
        form: IntakeForm,
        received_at: dt.datetime,
        client_key: str,
    ) -> None:
        self.id = id
        self.form = form
        self.received_at = require_aware(received_at, name="received at")
        form.check_birth_date(received_at.date())
        self.client_key = client_key  # a keyed hash of the sender's address (throttling only)
        self.state = ReferralState.RECEIVED
        self.version = 1
        self.patient_id: str | None = None
        self.note: str | None = None  # the decline reason, or the question asked
        self.history: list[Transition] = [
            Transition.first(
                action="receive", to_state=self.state.value, user_id="public", at=received_at
            )
        ]

    @property
    def _ident(self) -> str:
        return self.id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Referral) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def open(self) -> bool:
        return self.state in _OPEN

    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise StaleReferralVersion(ident=self.id, current=self.version, expected=expected)

    def accept(self, *, actor: Actor, at: dt.datetime, patient_id: str) -> None:
        """Accepted: the patient (new or found) is ``patient_id``."""
        require_role(actor, CLINICIANS, action="accept a referral")
        self._expect("accept", at, *_OPEN)
        self.patient_id = require_text(patient_id, name="patient id")
        self._move("accept", ReferralState.ACCEPTED, actor.user_id, at)

    def decline(self, *, actor: Actor, at: dt.datetime, reason: str) -> None:
        require_role(actor, CLINICIANS, action="decline a referral")
        self._expect("decline", at, *_OPEN)
        self.note = _clean(reason, "reason", maximum=MAX_DETAILS, required=True)
        self._move("decline", ReferralState.DECLINED, actor.user_id, at)

    def request_information(self, *, actor: Actor, at: dt.datetime, question: str) -> None:
        require_role(actor, CLINICIANS, action="ask for more information")
        self._expect("request information", at, ReferralState.RECEIVED)
        self.note = _clean(question, "question", maximum=MAX_DETAILS, required=True)
        self._move("request information", ReferralState.INFORMATION_REQUESTED, actor.user_id, at)

    def information_received(self, *, actor: Actor, at: dt.datetime, note: str) -> None:
        """What the person answered (by phone or e-mail), back to triage."""
        require_role(actor, CLINICIANS, action="record the information received")
        self._expect("record information", at, ReferralState.INFORMATION_REQUESTED)
        self.note = _clean(note, "information", maximum=MAX_DETAILS, required=True)
        self._move("record information", ReferralState.RECEIVED, actor.user_id, at)


_OPEN = (ReferralState.RECEIVED, ReferralState.INFORMATION_REQUESTED)
