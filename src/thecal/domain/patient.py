"""The Patient aggregate: identity, demographics, and a version for optimistic locking.

Demographics change only through :meth:`Patient.amend`, which checks the caller saw the current
version (SR-24), applies the change, bumps the version by one and returns what changed so the
use case can write the old and new values to the audit log (amendments never obscure earlier
values, 21 CFR Part 11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from enum import StrEnum

from thecal.domain.date_plausibility import BIRTH_DATE, check_date
from thecal.domain.errors import Conflict, NotFound, RequestInvalid
from thecal.domain.person_names import normal_name

__all__ = [
    "Contact",
    "Demographics",
    "DemographicsAmendment",
    "DuplicateMrn",
    "FieldChange",
    "Patient",
    "PatientInvalid",
    "PatientNotFound",
    "Sex",
    "StalePatientVersion",
]

MAX_NAME_LENGTH = 100
MAX_MRN_LENGTH = 40


class Sex(StrEnum):
    """Administrative sex (FHIR ``AdministrativeGender`` codes)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class PatientInvalid(RequestInvalid):
    code = "THC-PAT-001"
    template = "invalid patient {where}: {detail}"


class PatientNotFound(NotFound):
    code = "THC-PAT-002"
    template = "patient {ident} not found"


class StalePatientVersion(Conflict):
    code = "THC-PAT-003"
    template = (
        "patient {ident} is at version {current}, not {expected}: someone else changed it; "
        "reload and apply your change again"
    )


class DuplicateMrn(Conflict):
    code = "THC-PAT-004"
    template = "medical record number {mrn!r} is already registered"


def _text(value: str, where: str, *, maximum: int = MAX_NAME_LENGTH, required: bool = True) -> None:
    if value != value.strip():
        raise PatientInvalid(where=where, detail="has leading or trailing spaces")
    if required and not value:
        raise PatientInvalid(where=where, detail="is required")
    if len(value) > maximum:
        raise PatientInvalid(where=where, detail=f"is longer than {maximum} characters")
    if any(ord(char) < 32 for char in value):
        raise PatientInvalid(where=where, detail="contains control characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    phone: str = ""
    email: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        _text(self.phone, "phone", maximum=40, required=False)
        _text(self.email, "email", maximum=200, required=False)
        _text(self.address, "address", maximum=400, required=False)
        if self.email and "@" not in self.email:
            raise PatientInvalid(where="email", detail="is not an e-mail address")


@dataclass(frozen=True, slots=True, kw_only=True)
class Demographics:
    family_name: str
    given_names: str
    birth_date: dt.date
    sex: Sex
    contact: Contact = Contact()

    def __post_init__(self) -> None:
        # the names as NFKC without bidi or zero-width characters (domain/person_names.py)
        object.__setattr__(self, "family_name", normal_name(self.family_name))
        object.__setattr__(self, "given_names", normal_name(self.given_names))
        _text(self.family_name, "family_name")
        _text(self.given_names, "given_names")
        if isinstance(self.birth_date, dt.datetime) or not isinstance(self.birth_date, dt.date):
            raise PatientInvalid(where="birth_date", detail="must be a calendar date")
        if self.birth_date.year < 1900:
            raise PatientInvalid(where="birth_date", detail="is before 1900")

    def check_not_after(self, today: dt.date) -> None:
        if self.birth_date > today:
            raise PatientInvalid(where="birth_date", detail=f"{self.birth_date} is in the future")
        check_date("birth_date", self.birth_date, BIRTH_DATE, today=today)


@dataclass(frozen=True, slots=True, kw_only=True)
class DemographicsAmendment:
    """The fields to change; ``None`` leaves a field as it is."""

    family_name: str | None = None
    given_names: str | None = None
    birth_date: dt.date | None = None
    sex: Sex | None = None
    contact: Contact | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChange:
    field: str
    old: str
    new: str


def _as_text(value: object) -> str:
    if isinstance(value, Contact):
        return f"phone={value.phone}; email={value.email}; address={value.address}"
    return str(value)


@dataclass(kw_only=True, eq=False)
class Patient:
    """A registered patient. Entities compare by id; ``version`` starts at 1."""

    id: str
    mrn: str
    demographics: Demographics
    registered_at: dt.datetime
    version: int = 1

    def __post_init__(self) -> None:
        _text(self.mrn, "mrn", maximum=MAX_MRN_LENGTH)
        if self.registered_at.utcoffset() is None:
            raise PatientInvalid(where="registered_at", detail="must be timezone-aware")
        if self.version < 1:
            raise PatientInvalid(where="version", detail="must be ≥ 1")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Patient) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def display_name(self) -> str:
        return f"{self.demographics.family_name}, {self.demographics.given_names}"

    def amend(
        self, amendment: DemographicsAmendment, *, expected_version: int, today: dt.date
    ) -> tuple[FieldChange, ...]:
        """Apply ``amendment`` if the caller saw the current version.

        Raises:
            StalePatientVersion: the patient changed since the caller read it.
            PatientInvalid: the amendment is empty or makes invalid demographics.
        """
        if expected_version != self.version:
            raise StalePatientVersion(
                ident=self.id, current=self.version, expected=expected_version
            )
        if amendment.is_empty():
            raise PatientInvalid(where="amendment", detail="changes nothing")
        changes = {
            f.name: getattr(amendment, f.name)
            for f in fields(amendment)
            if getattr(amendment, f.name) is not None
        }
        updated = replace(self.demographics, **changes)
        updated.check_not_after(today)
        diff = tuple(
            FieldChange(
                field=name,
                old=_as_text(getattr(self.demographics, name)),
                new=_as_text(getattr(updated, name)),
            )
            for name in changes
            if getattr(self.demographics, name) != getattr(updated, name)
        )
        if not diff:
            raise PatientInvalid(where="amendment", detail="changes nothing")
        self.demographics = updated
        self.version += 1
        return diff
