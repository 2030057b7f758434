"""A procedure on record: what was done to whom, when, for which indication, and by whom.

Any procedure of the pathway is recorded the same way — facet joint injection, epidural steroid
injection, intrathecal trial, pump implant, pump replacement, catheter revision, refill — so that
outcome reports can group patients by what was done (issue 7) and the FHIR export can list them.
The detailed pathway records (trial, implant, refill) live in their own aggregates; a procedure
may point at one of them by ``source_record_id`` (an opaque id, never a foreign key).

Error leaves (``THC-OUT-*``)::

    RequestInvalid
    └── ProcedureInvalid            THC-OUT-001  a field is missing or malformed
    NotFound
    └── ProcedureNotFound           THC-OUT-002  no procedure with that id
    Conflict
    └── ProcedureOfAnotherPatient   THC-OUT-003  an assessment linked to someone else's procedure
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from thecal.domain.date_plausibility import RECORDED_DAY, check_date
from thecal.domain.errors import Conflict, NotFound, RequestInvalid

__all__ = [
    "MAX_INDICATION_LENGTH",
    "ProcedureInvalid",
    "ProcedureKind",
    "ProcedureNotFound",
    "ProcedureOfAnotherPatient",
    "ProcedureRecord",
]

MAX_INDICATION_LENGTH = 64
_MAX_NOTES_LENGTH = 2000


class ProcedureKind(StrEnum):
    """The procedures thecal records; the value is the stored code."""

    FACET_JOINT_INJECTION = "facet_joint_injection"
    EPIDURAL_STEROID_INJECTION = "epidural_steroid_injection"
    INTRATHECAL_TRIAL = "intrathecal_trial"
    INTRATHECAL_PUMP_IMPLANT = "intrathecal_pump_implant"
    PUMP_REPLACEMENT = "pump_replacement"
    CATHETER_REVISION = "catheter_revision"
    REFILL = "refill"

    @property
    def label(self) -> str:
        """Human wording: ``"epidural steroid injection"``."""
        return self.value.replace("_", " ")


class ProcedureInvalid(RequestInvalid):
    code = "THC-OUT-001"
    template = "invalid procedure {where}: {detail}"


class ProcedureNotFound(NotFound):
    code = "THC-OUT-002"
    template = "procedure {ident} not found"


class ProcedureOfAnotherPatient(Conflict):
    code = "THC-OUT-003"
    template = "procedure {procedure_id} belongs to another patient than {patient_id}"


def check_code(value: str, *, where: str) -> str:
    """A short code (an indication such as ``L-RAD``): no spaces around, no control characters.

    Raises:
        ProcedureInvalid: empty, too long, padded or with control characters.
    """
    if not value or value != value.strip():
        raise ProcedureInvalid(where=where, detail="is required, without surrounding spaces")
    if len(value) > MAX_INDICATION_LENGTH:
        raise ProcedureInvalid(where=where, detail=f"is longer than {MAX_INDICATION_LENGTH}")
    if any(ord(char) < 32 for char in value):
        raise ProcedureInvalid(where=where, detail="contains control characters")
    return value


@dataclass(kw_only=True, eq=False)
class ProcedureRecord:
    """One procedure done to a patient (identity: ``id``; ``version`` starts at 1).

    Attributes:
        id: the record's id.
        patient_id: whose procedure.
        kind: what was done.
        performed_on: the calendar day it was done (day 0 of every follow-up time point).
        indication: the indication code it was done for (compared exactly in reports).
        performer_id: the user id of the clinician who did it.
        recorded_by: the user id who put it on record.
        recorded_at: when it was put on record (timezone-aware).
        source_record_id: the pathway record (trial, implant, refill) it summarises, if any.
        notes: free text.
    """

    id: str
    patient_id: str
    kind: ProcedureKind
    performed_on: dt.date
    indication: str
    performer_id: str
    recorded_by: str
    recorded_at: dt.datetime
    source_record_id: str | None = None
    notes: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.performed_on, dt.datetime) or not isinstance(self.performed_on, dt.date):
            raise ProcedureInvalid(where="performed_on", detail="must be a calendar date")
        if self.recorded_at.utcoffset() is None:
            raise ProcedureInvalid(where="recorded_at", detail="must be timezone-aware")
        check_code(self.indication, where="indication")
        if not self.performer_id:
            raise ProcedureInvalid(where="performer_id", detail="is required")
        if len(self.notes) > _MAX_NOTES_LENGTH:
            raise ProcedureInvalid(where="notes", detail=f"is longer than {_MAX_NOTES_LENGTH}")

    def check_not_after(self, today: dt.date) -> None:
        """Refuse a procedure dated after ``today`` (a plan is not a record).

        Raises:
            ProcedureInvalid: ``performed_on`` is later than ``today``.
        """
        if self.performed_on > today:
            raise ProcedureInvalid(
                where="performed_on", detail=f"{self.performed_on} is after today ({today})"
            )
        check_date("performed_on", self.performed_on, RECORDED_DAY, today=today)

    def days_until(self, day: dt.date) -> int:
        """Whole days from the procedure to ``day``: negative before it, 0 on the day."""
        return (day - self.performed_on).days

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProcedureRecord) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
