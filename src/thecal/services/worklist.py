"""The worklist: one read model of everything due, for every pump and patient, by due date.

Kinds of row (``WorklistKind``):

* ``refill-overdue`` / ``refill-due`` — the pump's next refill date (``pumps.next_refill_due``,
  from the record's history at the implant, every send, interrogation and refill:
  ``services/pump_reservoir.py``), before / after now;
* ``low-reservoir`` — the projected low-reservoir alarm; ``stability-expiry`` — the reservoir
  admixture's in-pump stability ends; ``elective-replacement`` / ``end-of-service`` — projected
  from the implant date and the model's service life, or reported by an interrogation (device
  event). Projections: ``services/pump_projection.py``;
* ``trial-decision`` — a discharged trial awaiting the physician's decision;
* ``program-cosign`` — a signed program change awaiting its co-signature (SR-02);
* ``reservoir-discrepancy`` (a task) — an interrogation's count beyond the accuracy band of the
  record's estimate (``services/pump_reservoir.py``);
* ``program-mismatch`` (a task) — an interrogation found the pump running a program the record
  does not explain (``services/device.py``);
* ``visit-to-book`` — a visit the clinic's facts ask for (a refill before the forecast's deadline,
  a follow-up in its outcome window, a post-MRI interrogation, a consultation after an accepted
  referral, an elective replacement) that no booked visit answers yet, due by the window's last
  day (``visit_needs``, ``services/scheduling/planning.py``);
* open tasks by their own kind: ``post-mri-interrogation``, ``program-resend``,
  ``pocket-fill-watch``, ``reconciliation-review``, ``post-implant-monitoring``, … (``domain/tasks.py``).

**Filters the clinic uses** (:class:`WorklistFilter`, applied by :func:`filter_worklist` to the
rows the read model answered): a due window (overdue / today / next 7 days / next 30 days / all),
a priority, a patient (part of the name or MRN) and a pump model. They are applied after the
(cached) page, so the read model's cache key stays the kinds and the page — a filter never
serves another filter's rows; the rows due after the window are counted (``later``), not shown.

The rows come from a :class:`WorklistSource` (the SQL is in ``adapters/read_models/worklist.py``);
:func:`read_worklist` authorizes the reader (``worklist.read``) and audits the page as a PHI read
(filters, row count and the patients shown), committed before the page is returned
(``uow.audit_read``: concurrent reads may share the transaction, never skip it). Both happen on
every request, whether the read model answers from its cache or not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from thecal.domain.authorization import AccessDenied, Action, Subject, authorize
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.tasks import TaskKind
from thecal.domain.users import Actor, Role
from thecal.services.clock import Clock
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "DEFAULT_WINDOW",
    "KINDS_BY_ROLE",
    "MAX_PAGE",
    "MAX_PATIENT_TEXT",
    "PRIORITIES",
    "PUMP_KINDS",
    "TASK_KINDS",
    "DueWindow",
    "FilteredWorklist",
    "ReadWorklist",
    "WorklistFilter",
    "WorklistKind",
    "WorklistPage",
    "WorklistQuery",
    "WorklistRow",
    "WorklistSource",
    "filter_worklist",
    "read_worklist",
]

MAX_PAGE = 500
WORKLIST_SUBJECT = Subject.collection("worklist")


class WorklistKind(StrEnum):
    REFILL_OVERDUE = "refill-overdue"
    REFILL_DUE = "refill-due"
    LOW_RESERVOIR = "low-reservoir"
    STABILITY_EXPIRY = "stability-expiry"
    ELECTIVE_REPLACEMENT = "elective-replacement"
    END_OF_SERVICE = "end-of-service"
    TRIAL_DECISION = "trial-decision"
    PROGRAM_COSIGN = "program-cosign"
    VISIT_TO_BOOK = "visit-to-book"  # a visit the clinic's facts ask for, not booked yet
    # open tasks, by the task's own kind
    POST_MRI_INTERROGATION = TaskKind.POST_MRI_INTERROGATION.value
    PROGRAM_RESEND = TaskKind.PROGRAM_RESEND.value
    PROGRAM_FAILURE_REVIEW = TaskKind.PROGRAM_FAILURE_REVIEW.value
    POCKET_FILL_WATCH = TaskKind.POCKET_FILL_WATCH.value
    RECONCILIATION_REVIEW = TaskKind.RECONCILIATION_REVIEW.value
    POST_IMPLANT_MONITORING = TaskKind.POST_IMPLANT_MONITORING.value
    CANDIDACY_ASSESSMENT = TaskKind.CANDIDACY_ASSESSMENT.value
    RESERVOIR_DISCREPANCY = TaskKind.RESERVOIR_DISCREPANCY.value
    BREAK_GLASS_REVIEW = TaskKind.BREAK_GLASS_REVIEW.value  # the administrators' alert (SR-21)
    TRIAL_VITAL_SIGN_ALERT = TaskKind.TRIAL_VITAL_SIGN_ALERT.value
    PROGRAM_MISMATCH = TaskKind.PROGRAM_MISMATCH.value


#: Kinds read from the pump row (projected or recorded dates).
PUMP_KINDS = frozenset(
    {
        WorklistKind.REFILL_OVERDUE,
        WorklistKind.REFILL_DUE,
        WorklistKind.LOW_RESERVOIR,
        WorklistKind.STABILITY_EXPIRY,
        WorklistKind.ELECTIVE_REPLACEMENT,
        WorklistKind.END_OF_SERVICE,
    }
)
#: Kinds read from open tasks: task kind → worklist kind. ``refill-due`` tasks are not listed: the
#: refill date is read from the pump (``refill-due``/``refill-overdue``), which every later refill
#: moves, so the list never shows a refill twice or a stale one.
TASK_KINDS: dict[TaskKind, WorklistKind] = {
    TaskKind.POST_MRI_INTERROGATION: WorklistKind.POST_MRI_INTERROGATION,
    TaskKind.PROGRAM_RESEND: WorklistKind.PROGRAM_RESEND,
    TaskKind.PROGRAM_FAILURE_REVIEW: WorklistKind.PROGRAM_FAILURE_REVIEW,
    TaskKind.POCKET_FILL_WATCH: WorklistKind.POCKET_FILL_WATCH,
    TaskKind.RECONCILIATION_REVIEW: WorklistKind.RECONCILIATION_REVIEW,
    TaskKind.POST_IMPLANT_MONITORING: WorklistKind.POST_IMPLANT_MONITORING,
    TaskKind.CANDIDACY_ASSESSMENT: WorklistKind.CANDIDACY_ASSESSMENT,
    TaskKind.RESERVOIR_DISCREPANCY: WorklistKind.RESERVOIR_DISCREPANCY,
    TaskKind.BREAK_GLASS_REVIEW: WorklistKind.BREAK_GLASS_REVIEW,
    TaskKind.TRIAL_VITAL_SIGN_ALERT: WorklistKind.TRIAL_VITAL_SIGN_ALERT,
    TaskKind.PROGRAM_MISMATCH: WorklistKind.PROGRAM_MISMATCH,
}

#: What a role's worklist holds when it is not the whole list (minimum necessary): the pharmacist
#: prepares and verifies refill admixtures, so sees the refill dates, projected low reservoirs and
#: stability expiries, not trial decisions, co-signatures or clinical tasks.
KINDS_BY_ROLE: dict[Role, frozenset[WorklistKind]] = {
    Role.PHARMACIST: frozenset(
        {
            WorklistKind.REFILL_OVERDUE,
            WorklistKind.REFILL_DUE,
            WorklistKind.LOW_RESERVOIR,
            WorklistKind.STABILITY_EXPIRY,
        }
    ),
    # the administrators review who broke the glass (SR-21); clinicians see everything else
    Role.ADMIN: frozenset({WorklistKind.BREAK_GLASS_REVIEW}),
    Role.PHYSICIAN: frozenset(WorklistKind) - {WorklistKind.BREAK_GLASS_REVIEW},
    Role.NURSE: frozenset(WorklistKind) - {WorklistKind.BREAK_GLASS_REVIEW},
}


@dataclass(frozen=True, slots=True, kw_only=True)
class WorklistQuery:
    """Filters and page: kinds (None = all), rows due strictly before ``due_before``."""

    kinds: frozenset[WorklistKind] | None = None
    due_before: dt.datetime | None = None
    limit: int = 50
    offset: int = 0
    #: Only these patients' rows (a clinician's care-team reach, SR-21); None: every patient.
    within: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise ValueOutOfRange(name="page size", expected=f"1–{MAX_PAGE}", value=self.limit)
        if self.offset < 0:
            raise ValueOutOfRange(name="offset", expected="≥ 0", value=self.offset)
        if self.due_before is not None and self.due_before.utcoffset() is None:
            raise ValueOutOfRange(
                name="due before", expected="timezone-aware", value=self.due_before
            )

    def wants(self, kind: WorklistKind) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass(frozen=True, slots=True, kw_only=True)
class WorklistRow:
    kind: WorklistKind
    due: dt.datetime
    patient_id: str
    mrn: str
    patient_name: str
    pump_id: str | None
    serial: str | None
    record_id: str  # the pump, task, trial or program change the row is about
    detail: str
    priority: str  # "urgent" or "routine"
    model_id: str | None = None  # the pump's model (rows about a pump)
    opened: dt.datetime | None = None  # when a task was opened (task rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorklistPage:
    rows: tuple[WorklistRow, ...]
    next_offset: int | None  # None on the last page
    as_of: dt.datetime


class WorklistSource(Protocol):
    """The read model: a page of the worklist as of ``now`` (overdue is relative to it).

    The SQL read model answers as of the start of ``now``'s minute and caches the page until the
    clinical data, the clinic clock or the minute changes; ``WorklistPage.as_of`` is the instant
    the page is true for.
    """

    def page(self, query: WorklistQuery, *, now: dt.datetime) -> WorklistPage: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadWorklist:
    actor: Actor
    query: WorklistQuery


def read_worklist(
    cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock, source: WorklistSource
) -> WorklistPage:
    """A page of the worklist (authorized, audited as a PHI read with the patients shown)."""
    authorize(cmd.actor, Action.WORKLIST_READ, WORKLIST_SUBJECT)
    query = _for_role(cmd.actor, cmd.query)
    if cmd.actor.reach is not None:  # a clinician's care teams' patients only (SR-21)
        query = dataclasses.replace(query, within=cmd.actor.reach.all)
    now = clock.now()
    page = source.page(query, now=now)
    patients: Sequence[str] = sorted({r.patient_id for r in page.rows})
    uow.audit_read(  # committed before the page is returned
        actor=cmd.actor,
        action=Action.WORKLIST_READ,
        subject=WORKLIST_SUBJECT,
        at=now,
        details={
            "kinds": sorted(k.value for k in query.kinds) if query.kinds else None,
            "due_before": query.due_before.isoformat() if query.due_before else None,
            "limit": query.limit,
            "offset": query.offset,
            "rows": len(page.rows),
            "patients": list(patients),
        },
    )
    return page


def _for_role(actor: Actor, query: WorklistQuery) -> WorklistQuery:
    """The query narrowed to the kinds the actor's role sees (KINDS_BY_ROLE).

    Raises:
        AccessDenied: the query asks only for kinds outside the role's worklist.
    """
    allowed = KINDS_BY_ROLE.get(actor.role)
    if allowed is None:
        return query
    if query.kinds is not None and not query.kinds <= allowed:
        refused = ", ".join(sorted(k.value for k in query.kinds - allowed))
        raise AccessDenied(
            role=actor.role.value, action="read the worklist rows", subject=f"of kind {refused}"
        )
    return dataclasses.replace(query, kinds=query.kinds or allowed)


MAX_PATIENT_TEXT = 100


class DueWindow(StrEnum):
    """How far ahead the worklist looks (each window holds the overdue rows too)."""

    OVERDUE = "overdue"
    TODAY = "today"
    NEXT_7_DAYS = "7-days"
    NEXT_30_DAYS = "30-days"
    ALL = "all"

    def ends(self, now: dt.datetime) -> dt.datetime | None:
        """The instant the window ends (rows due at or after it are later); None: never."""
        if self is DueWindow.OVERDUE:
            return now
        if self is DueWindow.TODAY:  # the end of the day, UTC
            return dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
        if self is DueWindow.NEXT_7_DAYS:
            return now + dt.timedelta(days=7)
        if self is DueWindow.NEXT_30_DAYS:
            return now + dt.timedelta(days=30)
        return None


#: The worklist's default: what is due in the next 30 days (and everything overdue); later rows
#: (an elective replacement months ahead) are folded into a count.
DEFAULT_WINDOW = DueWindow.NEXT_30_DAYS
PRIORITIES = ("urgent", "routine")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorklistFilter:
    """What the clinic narrows the worklist to (all None: every row in the window).

    Raises:
        ValueOutOfRange: an unknown priority, a patient text over 100 characters.
    """

    window: DueWindow = DEFAULT_WINDOW
    priority: str | None = None  # "urgent" or "routine"
    patient: str | None = None  # part of the patient's name or MRN, any case
    model_id: str | None = None  # the pump model

    def __post_init__(self) -> None:
        if self.priority is not None and self.priority not in PRIORITIES:
            raise ValueOutOfRange(
                name="priority", expected=" or ".join(PRIORITIES), value=self.priority
            )
        if self.patient is not None:
            text = self.patient.strip()
            if len(text) > MAX_PATIENT_TEXT:
                raise ValueOutOfRange(
                    name="patient",
                    expected=f"at most {MAX_PATIENT_TEXT} characters",
                    value=len(text),
                )
            object.__setattr__(self, "patient", text.casefold() or None)

    def matches(self, row: WorklistRow) -> bool:
        """True when the row passes every filter but the window."""
        if self.priority is not None and row.priority != self.priority:
            return False
        if self.model_id is not None and row.model_id != self.model_id:
            return False
        if self.patient is not None:
            text = self.patient
            return text in row.patient_name.casefold() or text in row.mrn.casefold()
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class FilteredWorklist:
    rows: tuple[WorklistRow, ...]  # in the window, due first
    later: int  # rows that pass the filters but fall due after the window
    complete: bool  # False: the page read was cut at its size; more rows may exist
    as_of: dt.datetime


def filter_worklist(page: WorklistPage, wanted: WorklistFilter) -> FilteredWorklist:
    """The page's rows that pass ``wanted``, and how many more fall due after its window
    (measured against the page's ``as_of``)."""
    ends = wanted.window.ends(page.as_of)
    shown: list[WorklistRow] = []
    later = 0
    for row in page.rows:
        if not wanted.matches(row):
            continue
        if ends is not None and row.due >= ends:
            later += 1
        else:
            shown.append(row)
    return FilteredWorklist(
        rows=tuple(shown), later=later, complete=page.next_offset is None, as_of=page.as_of
    )
