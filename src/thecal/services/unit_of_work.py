"""The unit of work port, and the audit trail every transaction carries.

A use case reads::

    with uow:
        authorize(...)                    # before touching any record
        ...load, change, uow.patients.update(patient)...
        uow.audit.record(actor=..., action=..., subject=..., at=clock.now(), details=...)
        uow.commit()

Leaving the ``with`` block without :meth:`AbstractUnitOfWork.commit` rolls everything back,
including the audit entry, so the log and the records always agree. ``commit`` refuses a
transaction that wrote to a repository but recorded no audit entry (SR-17).

A read of PHI changes no record; its audit entry is appended with :meth:`AbstractUnitOfWork.
audit_read` (outside ``with uow:``), which returns once the entry is committed; an adapter may
commit the entries of concurrent reads together (group commit, ``adapters/sql/audit_group_commit.py``).

A transaction that only reads records that are not PHI (the session check of every request)
may say so: ``with uow.reading():`` opens it without the write lock (SQLite: a deferred
``BEGIN``, so it never queues behind writers); ``commit`` is then refused.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from thecal.domain.audit import AuditEntry, AuditKeyRing, append_entry
from thecal.domain.authorization import Action, Subject
from thecal.domain.errors import Conflict, WorkflowError
from thecal.domain.users import Actor
from thecal.services.audit_checkpoints import CheckpointStore
from thecal.services.audit_keys import AuditKeys, StaticAuditKeys
from thecal.services.repositories.appointments import AppointmentRepository
from thecal.services.repositories.assessments import AssessmentRepository
from thecal.services.repositories.audit import AuditRepository
from thecal.services.repositories.calendar_feeds import CalendarFeedRepository
from thecal.services.repositories.calendars import CalendarRepository
from thecal.services.repositories.candidacy import CandidacyRepository
from thecal.services.repositories.care_teams import CareTeamRepository
from thecal.services.repositories.device_event_records import DeviceEventRecordRepository
from thecal.services.repositories.device_log import DeviceCommandLog, DeviceLogRepository
from thecal.services.repositories.implants import ImplantRepository
from thecal.services.repositories.mri import MriPlanRepository
from thecal.services.repositories.patients import PatientRepository
from thecal.services.repositories.pharmacy import PharmacyVerificationRepository
from thecal.services.repositories.procedures import ProcedureRepository
from thecal.services.repositories.program_changes import ProgramChangeRepository, TokenLedger
from thecal.services.repositories.pumps import PumpRepository
from thecal.services.repositories.referrals import ReferralRepository
from thecal.services.repositories.refills import RefillRepository
from thecal.services.repositories.reminders import (
    ReminderPreferenceRepository,
    ReminderRepository,
)
from thecal.services.repositories.sessions import (
    ApiTokenRepository,
    LoginFailureRepository,
    SessionRepository,
)
from thecal.services.repositories.tasks import TaskRepository
from thecal.services.repositories.trials import TrialRepository
from thecal.services.repositories.users import UserRepository
from thecal.services.repositories.versioned import VersionedRepository
from thecal.services.repositories.visit_needs import VisitNeedRepository

__all__ = [
    "AbstractUnitOfWork",
    "AuditTrail",
    "ReadOnlyTransaction",
    "TransactionConflict",
    "UnauditedWrite",
]


class UnauditedWrite(WorkflowError):
    """A programming error: a use case changed records without writing the audit log."""

    code = "THC-UOW-001"
    template = "refusing to commit: {repositories} changed but no audit entry was recorded"


class ReadOnlyTransaction(WorkflowError):
    """A programming error: a use case tried to commit a transaction opened for reading."""

    code = "THC-UOW-004"
    template = "refusing to commit: the transaction was opened with uow.reading()"


class TransactionConflict(Conflict):
    code = "THC-UOW-003"
    template = "the change collided with concurrent changes {attempts} times; try again"


class AuditTrail:
    """Appends keyed, chained entries to the audit repository of the current transaction.

    Each entry is signed with the key ring's newest key and names it (``key_id``); the head is
    read (and locked) first, so a rotation committed by another process is seen here.
    """

    def __init__(self, log: AuditRepository, keys: bytes | AuditKeyRing | AuditKeys) -> None:
        self._log = log
        self._keys = StaticAuditKeys.of(keys)
        self.recorded = 0

    def record(
        self,
        *,
        actor: Actor,
        action: Action,
        subject: Subject,
        at: dt.datetime,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        return self.record_as(
            actor_id=actor.user_id,
            role=actor.role.value,
            action=action,
            subject=subject,
            at=at,
            details=details
            if actor.token_id is None
            else {**(details or {}), "via_token": actor.token_id},
        )

    def record_as(
        self,
        *,
        actor_id: str,
        role: str,
        action: Action,
        subject: Subject,
        at: dt.datetime,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append an entry for someone who is not an :class:`Actor` (an unknown user's log-in)."""
        head = self._log.head()
        key = self._keys.for_append(head.key_id if head else None)
        entry = append_entry(
            head,
            key=key.secret,
            key_id=key.key_id,
            occurred_at=at,
            actor=actor_id,
            action=action.value,
            subject=str(subject),
            details={"role": role, **(details or {})},
        )
        self._log.append(entry)
        self.recorded += 1
        return entry


class AbstractUnitOfWork(abc.ABC):
    """One transaction: repositories as attributes, commit or roll back, and the audit trail."""

    patients: PatientRepository
    candidacy: CandidacyRepository
    users: UserRepository
    procedures: ProcedureRepository
    assessments: AssessmentRepository
    audit_log: AuditRepository
    audit: AuditTrail
    # the clinical pathway (one port per aggregate in services/repositories/)
    pumps: PumpRepository
    implants: ImplantRepository
    program_changes: ProgramChangeRepository
    refills: RefillRepository
    pharmacy: PharmacyVerificationRepository
    tasks: TaskRepository
    device_log: DeviceLogRepository
    device_commands: DeviceCommandLog
    tokens: TokenLedger
    trials: TrialRepository
    mri_plans: MriPlanRepository
    device_events: DeviceEventRecordRepository
    sessions: SessionRepository
    login_failures: LoginFailureRepository
    api_tokens: ApiTokenRepository
    # the scheduling aggregates (docs/scheduling.md)
    referrals: ReferralRepository
    appointments: AppointmentRepository
    calendars: CalendarRepository
    visit_needs: VisitNeedRepository
    reminders: ReminderRepository
    reminder_preferences: ReminderPreferenceRepository
    calendar_feeds: CalendarFeedRepository
    care_teams: CareTeamRepository  # SR-21: teams, members, patients' teams, break-glass

    def __init__(
        self,
        *,
        audit_key: bytes | AuditKeyRing | AuditKeys,
        checkpoints: CheckpointStore | None = None,
    ) -> None:
        if isinstance(audit_key, bytes) and len(audit_key) < 16:
            msg = "the audit key must be at least 16 bytes"
            raise ValueError(msg)
        self._audit_keys = StaticAuditKeys.of(audit_key)
        self._checkpoints = checkpoints
        self._read_only = False

    @property
    def read_only(self) -> bool:
        """True inside ``with uow.reading():``."""
        return self._read_only

    def reading(self) -> Self:
        """Open the next ``with`` block as a read-only transaction (no write lock, no commit)."""
        self._read_only = True
        return self

    @property
    def audit_keys(self) -> AuditKeys:
        """The key ring: the newest key signs; every key verifies what it signed."""
        return self._audit_keys

    @property
    def audit_key(self) -> bytes:
        """The secret of the newest key (the one new entries are signed with)."""
        return self._audit_keys.ring().signing.secret

    @property
    def checkpoints(self) -> CheckpointStore:
        """Where checkpoints of the chain's head are kept, outside the database.

        Raises:
            RuntimeError: this unit of work was built without a store (a wiring error).
        """
        if self._checkpoints is None:
            msg = "this unit of work has no checkpoint store (wire one in bootstrap)"
            raise RuntimeError(msg)
        return self._checkpoints

    def __enter__(self) -> Self:
        self._begin()
        self.audit = AuditTrail(self.audit_log, self._audit_keys)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
            self._end()
        finally:
            self._read_only = False

    def audit_read(
        self,
        *,
        actor: Actor,
        action: Action,
        subject: Subject,
        at: dt.datetime,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Audit a read that changed nothing; durable (committed) when this returns.

        Called outside ``with uow:``. This default commits the entry in a transaction of its
        own; the SQL unit of work may share the transaction with concurrent reads' entries.
        """
        with self:
            entry = self.audit.record(
                actor=actor, action=action, subject=subject, at=at, details=details
            )
            self.commit()
        return entry

    def commit(self) -> None:
        if self._read_only:
            raise ReadOnlyTransaction
        written = [
            repo.kind
            for repo in vars(self).values()
            if isinstance(repo, VersionedRepository) and repo.written
        ]
        if written and self.audit.recorded == 0:
            raise UnauditedWrite(repositories=", ".join(sorted(written)))
        self._commit()

    @abc.abstractmethod
    def _begin(self) -> None:
        """Start a transaction and set the repository attributes."""

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """Undo everything not committed; harmless after a commit."""

    def _end(self) -> None:  # noqa: B027 - optional hook: release the connection
        """Release resources after the ``with`` block."""
