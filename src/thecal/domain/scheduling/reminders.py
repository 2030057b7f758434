"""Appointment reminders: when they are due, what they may say, and their sending record.

**What a reminder says is the patient's choice** (:class:`ReminderPreference`): by default only
that there is a visit at the clinic, when, and a link to the portal — no visit type, no
condition, drug, device or clinician. A patient may choose to be told the kind of visit
("refill visit"). A patient may also turn e-mail reminders off. Nothing else is ever written.

**Sending is at most once, and never silently lost** (docs/scheduling.md): a reminder is
*claimed* (``pending → sending``, committed) before the message leaves, and marked ``sent``
(committed) after the mail server accepted it. A refusal before the message was handed over
(connection refused, recipient refused) puts it back to ``pending`` for the next run, up to
:data:`MAX_ATTEMPTS`; an error after that point, or a claim found still open after
:data:`CLAIM_LEASE` (the process died mid-send), makes it ``uncertain``: it is not sent again
automatically, and staff see it. The message id is derived from the reminder id, so a copy sent
twice by hand is recognisable as the same message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from thecal.domain.errors import Conflict, NotFound
from thecal.domain.instruments import Instrument

__all__ = [
    "CLAIM_LEASE",
    "FOLLOW_UP_QUESTIONNAIRES",
    "MAX_ATTEMPTS",
    "REMINDER_OFFSETS",
    "Reminder",
    "ReminderDetail",
    "ReminderMessage",
    "ReminderNotFound",
    "ReminderPreference",
    "ReminderState",
    "ReminderStateError",
    "compose_reminder",
]

#: Reminders go this long before a visit (clinic choice).
REMINDER_OFFSETS = (dt.timedelta(days=7), dt.timedelta(days=1))
MAX_ATTEMPTS = 5
CLAIM_LEASE = dt.timedelta(minutes=10)

#: The questionnaires a follow-up visit asks for, by time point (clinic choice; the demo clinic's
#: scheme, docs/demo.md): pain and PGIC at every visit, ODI at 3 and 12 months, the BPI at 6 and
#: EQ-5D-5L at 12.
FOLLOW_UP_QUESTIONNAIRES: Mapping[str, tuple[Instrument, ...]] = MappingProxyType(
    {
        "1 month": (Instrument.NRS, Instrument.PGIC),
        "3 months": (Instrument.NRS, Instrument.PGIC, Instrument.ODI),
        "6 months": (Instrument.NRS, Instrument.PGIC, Instrument.BPI_SF),
        "12 months": (Instrument.NRS, Instrument.PGIC, Instrument.ODI, Instrument.EQ5D5L),
    }
)


class ReminderDetail(StrEnum):
    TIME_ONLY = "time-only"  # "a visit at the clinic" and when
    VISIT_TYPE = "visit-type"  # also what kind of visit ("refill visit")


class ReminderState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed: the message may be on its way
    SENT = "sent"
    UNCERTAIN = "uncertain"  # the outcome is unknown: never resent automatically
    FAILED = "failed"  # refused MAX_ATTEMPTS times
    SKIPPED = "skipped"  # no longer needed (visit cancelled or moved, no e-mail, turned off)


class ReminderNotFound(NotFound):
    code = "THC-REM-001"
    template = "reminder {ident} not found"


class ReminderStateError(Conflict):
    code = "THC-REM-002"
    template = "reminder {ident} is {state}: cannot {action}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderPreference:
    """How the patient wants to be reminded (a patient sets it in the portal)."""

    patient_id: str
    email: bool = True
    detail: ReminderDetail = ReminderDetail.TIME_ONLY
    version: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderMessage:
    subject: str
    body: str
    summary: str  # the calendar entry's title (the same detail as the body)


@dataclass(kw_only=True, eq=False)
class Reminder:
    """One reminder of one visit. Compare by ``id``."""

    id: str
    appointment_id: str
    patient_id: str
    due_at: dt.datetime
    state: ReminderState = ReminderState.PENDING
    attempts: int = 0
    claimed_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    outcome: str | None = None  # the server's answer or the error, for staff
    version: int = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reminder) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def message_id(self) -> str:
        return f"<reminder-{self.id}@thecal>"

    def _expect(self, action: str, *states: ReminderState) -> None:
        if self.state not in states:
            raise ReminderStateError(ident=self.id, state=self.state.value, action=action)

    def _set(self, state: ReminderState, outcome: str | None = None) -> None:
        self.state = state
        if outcome is not None:
            self.outcome = outcome[:500]
        self.version += 1

    def claim(self, at: dt.datetime) -> None:
        self._expect("claim", ReminderState.PENDING)
        self.claimed_at = at
        self.attempts += 1
        self._set(ReminderState.SENDING)

    def sent(self, at: dt.datetime, answer: str) -> None:
        self._expect("mark sent", ReminderState.SENDING)
        self.sent_at = at
        self._set(ReminderState.SENT, answer)

    def not_sent(self, reason: str) -> None:
        """The server refused before the message was handed over: try again next run."""
        self._expect("mark refused", ReminderState.SENDING)
        failed = self.attempts >= MAX_ATTEMPTS
        self._set(ReminderState.FAILED if failed else ReminderState.PENDING, reason)

    def uncertain(self, reason: str) -> None:
        self._expect("mark uncertain", ReminderState.SENDING)
        self._set(ReminderState.UNCERTAIN, reason)

    def skip(self, reason: str) -> None:
        self._expect("skip", ReminderState.PENDING)
        self._set(ReminderState.SKIPPED, reason)

    def lease_expired(self, now: dt.datetime) -> bool:
        return (
            self.state is ReminderState.SENDING
            and self.claimed_at is not None
            and now - self.claimed_at > CLAIM_LEASE
        )


def compose_reminder(
    *,
    given_names: str,
    clinic: str,
    visit_label: str,
    local_start: dt.datetime,
    detail: ReminderDetail,
    portal_link: str,
    questionnaires: bool,
) -> ReminderMessage:
    """The reminder's text, with no more than the patient chose to receive."""
    what = f"your {visit_label}" if detail is ReminderDetail.VISIT_TYPE else "your visit"
    when = f"{local_start:%A %d %B %Y at %H:%M} ({local_start.tzname()})"
    lines = [
        f"Dear {given_names},",
        "",
        f"This is a reminder of {what} at {clinic} on {when}.",
    ]
    if questionnaires:
        lines += [
            "",
            "Before your visit, please answer a few short questions in the patient portal:",
            portal_link,
        ]
    else:
        lines += ["", f"Your visits are listed in the patient portal: {portal_link}"]
    lines += [
        "",
        "If you cannot come, please call the clinic so we can give you another time.",
        "",
        f"{clinic}",
    ]
    title = visit_label.capitalize() if detail is ReminderDetail.VISIT_TYPE else "Clinic visit"
    return ReminderMessage(
        subject=f"Reminder: {what} on {local_start:%d %B %Y}",
        body="\n".join(lines),
        summary=f"{title} — {clinic}",
    )
