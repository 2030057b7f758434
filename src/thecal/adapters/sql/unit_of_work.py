"""The SQLAlchemy unit of work, and the bounded retry for serialization failures (SR-24).

On PostgreSQL every transaction is SERIALIZABLE; two transactions that touch the same rows (the
same patient, or the audit chain's head, which every audited transaction locks) may fail with
SQLSTATE 40001 (serialization failure) or 40P01 (deadlock). Such a failure means "nothing
happened, run it again": :func:`retry_on_serialization_failure` reruns the whole use case, a
bounded number of times with a short jittered back-off, then gives up with
:class:`~thecal.services.unit_of_work.TransactionConflict`. A rerun reads the new state, so an
optimistic version check then fails cleanly with a ``Conflict`` instead of losing an update.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from thecal.adapters.sql.audit_group_commit import AuditGroupCommit
from thecal.adapters.sql.clinical_generation import bump_if_clinical
from thecal.adapters.sql.database import READ_ONLY, Executor
from thecal.adapters.sql.repositories.appointments import SqlAlchemyAppointmentRepository
from thecal.adapters.sql.repositories.assessments import SqlAlchemyAssessmentRepository
from thecal.adapters.sql.repositories.audit import SqlAlchemyAuditRepository
from thecal.adapters.sql.repositories.calendar_feeds import SqlAlchemyCalendarFeedRepository
from thecal.adapters.sql.repositories.calendars import SqlAlchemyCalendarRepository
from thecal.adapters.sql.repositories.candidacy import SqlAlchemyCandidacyRepository
from thecal.adapters.sql.repositories.care_teams import SqlAlchemyCareTeamRepository
from thecal.adapters.sql.repositories.device_event_records import (
    SqlAlchemyDeviceEventRecordRepository,
)
from thecal.adapters.sql.repositories.device_log import (
    SqlAlchemyDeviceCommandLog,
    SqlAlchemyDeviceLogRepository,
)
from thecal.adapters.sql.repositories.implants import SqlAlchemyImplantRepository
from thecal.adapters.sql.repositories.mri import SqlAlchemyMriPlanRepository
from thecal.adapters.sql.repositories.patients import SqlAlchemyPatientRepository
from thecal.adapters.sql.repositories.pharmacy import SqlAlchemyPharmacyVerificationRepository
from thecal.adapters.sql.repositories.procedures import SqlAlchemyProcedureRepository
from thecal.adapters.sql.repositories.program_changes import (
    SqlAlchemyProgramChangeRepository,
    SqlAlchemyTokenLedger,
)
from thecal.adapters.sql.repositories.pumps import SqlAlchemyPumpRepository
from thecal.adapters.sql.repositories.referrals import SqlAlchemyReferralRepository
from thecal.adapters.sql.repositories.refills import SqlAlchemyRefillRepository
from thecal.adapters.sql.repositories.reminders import (
    SqlAlchemyReminderPreferenceRepository,
    SqlAlchemyReminderRepository,
)
from thecal.adapters.sql.repositories.sessions import (
    SqlAlchemyApiTokenRepository,
    SqlAlchemyLoginFailureRepository,
    SqlAlchemySessionRepository,
)
from thecal.adapters.sql.repositories.tasks import SqlAlchemyTaskRepository
from thecal.adapters.sql.repositories.trials import SqlAlchemyTrialRepository
from thecal.adapters.sql.repositories.users import SqlAlchemyUserRepository
from thecal.adapters.sql.repositories.visit_needs import SqlAlchemyVisitNeedRepository
from thecal.domain.audit import AuditEntry
from thecal.domain.authorization import Action, Subject
from thecal.domain.users import Actor
from thecal.services.audit_checkpoints import CheckpointStore
from thecal.services.audit_keys import AuditKeys
from thecal.services.unit_of_work import AbstractUnitOfWork, AuditTrail, TransactionConflict

__all__ = [
    "RETRYABLE_SQLSTATES",
    "AuditOnlyTransaction",
    "SqlAlchemyUnitOfWork",
    "is_serialization_failure",
    "retry_on_serialization_failure",
]

log = logging.getLogger(__name__)

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
T = TypeVar("T")


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """One session per ``with`` block; repositories share it; nothing commits but ``commit``.

    A commit that wrote a clinical table also bumps the clinical generation in the same
    transaction (``adapters/sql/clinical_generation.py``); audit-only commits do not. A read-only
    block (``with uow.reading():``) runs the repositories on a plain read-only connection
    instead of an ORM session: the same Core statements, without building and tearing down a
    session (the session check of every request is one).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        audit_key: bytes | AuditKeys,
        reads: AuditGroupCommit | None = None,
        checkpoints: CheckpointStore | None = None,
    ) -> None:
        super().__init__(audit_key=audit_key, checkpoints=checkpoints)
        self._session_factory = session_factory
        self._session: Session | None = None
        self._connection: Connection | None = None
        self._reads = reads  # group commit of read audit entries (None: one transaction each)

    def audit_read(
        self,
        *,
        actor: Actor,
        action: Action,
        subject: Subject,
        at: dt.datetime,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        if self._reads is None:
            return super().audit_read(
                actor=actor, action=action, subject=subject, at=at, details=details
            )
        return self._reads.record(
            actor=actor, action=action, subject=subject, at=at, details=details
        )

    def _begin(self) -> None:
        session: Executor
        if self.read_only:  # begin now, on a connection that takes no write lock
            engine = self._session_factory.kw["bind"]
            session = self._connection = engine.connect().execution_options(**READ_ONLY)
            session.begin()
        else:
            session = self._session = self._session_factory()
        self.patients = SqlAlchemyPatientRepository(session)
        self.candidacy = SqlAlchemyCandidacyRepository(session)
        self.users = SqlAlchemyUserRepository(session)
        self.procedures = SqlAlchemyProcedureRepository(session)
        self.assessments = SqlAlchemyAssessmentRepository(session)
        self.audit_log = SqlAlchemyAuditRepository(session)
        self.pumps = SqlAlchemyPumpRepository(session)
        self.implants = SqlAlchemyImplantRepository(session)
        self.program_changes = SqlAlchemyProgramChangeRepository(session)
        self.refills = SqlAlchemyRefillRepository(session)
        self.pharmacy = SqlAlchemyPharmacyVerificationRepository(session)
        self.tasks = SqlAlchemyTaskRepository(session)
        self.device_log = SqlAlchemyDeviceLogRepository(session)
        self.device_commands = SqlAlchemyDeviceCommandLog(session)
        self.tokens = SqlAlchemyTokenLedger(session)
        self.trials = SqlAlchemyTrialRepository(session)
        self.mri_plans = SqlAlchemyMriPlanRepository(session)
        self.device_events = SqlAlchemyDeviceEventRecordRepository(session)
        self.sessions = SqlAlchemySessionRepository(session)
        self.login_failures = SqlAlchemyLoginFailureRepository(session)
        self.api_tokens = SqlAlchemyApiTokenRepository(session)
        self.referrals = SqlAlchemyReferralRepository(session)
        self.appointments = SqlAlchemyAppointmentRepository(session)
        self.calendars = SqlAlchemyCalendarRepository(session)
        self.visit_needs = SqlAlchemyVisitNeedRepository(session)
        self.reminders = SqlAlchemyReminderRepository(session)
        self.reminder_preferences = SqlAlchemyReminderPreferenceRepository(session)
        self.calendar_feeds = SqlAlchemyCalendarFeedRepository(session)
        self.care_teams = SqlAlchemyCareTeamRepository(session)

    def _commit(self) -> None:
        assert self._session is not None, "commit outside `with uow:`"  # noqa: S101
        bump_if_clinical(self._session)  # clinical writes change the generation, in this commit
        self._session.commit()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        if self._connection is not None:
            self._connection.rollback()

    def _end(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class AuditOnlyTransaction:
    """A write transaction that can only append to the audit trail, on a plain connection.

    What the group commit of read audit entries (``AuditGroupCommit``) needs and nothing more:
    the same audit repository and trail (head, chain, HMAC) as a unit of work, without an ORM
    session and the clinical repositories built and torn down for every batch. Audit entries are
    not clinical data: no generation to bump. Nothing is kept unless :meth:`commit` is called.

    On PostgreSQL it runs READ COMMITTED, not SERIALIZABLE: it reads nothing but the head, which
    it locks (``SELECT … FOR UPDATE``); under READ COMMITTED a batch that finds the head locked by
    another process's append waits and then reads the new head, where SERIALIZABLE would fail
    with a serialization error and rerun. The chain stays linear either way (the head row lock,
    and the head only advances from the sequence it was read at). With several server processes
    the retries otherwise ran out under load (``bench/bench_workers.py``: reads answered 409).
    """

    def __init__(self, engine: Engine, *, audit_key: bytes | AuditKeys) -> None:
        self._engine = engine
        self._audit_key = audit_key
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        self._connection = connection
        try:
            if self._engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="READ COMMITTED")
            connection.begin()  # SQLite: BEGIN IMMEDIATE behind the writer lock
        except BaseException:
            connection.close()
            self._connection = None
            raise
        self.audit = AuditTrail(SqlAlchemyAuditRepository(connection), self._audit_key)
        return self

    def commit(self) -> None:
        assert self._connection is not None, "commit outside `with`"  # noqa: S101
        self._connection.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.rollback()  # harmless after a commit
            finally:
                connection.close()


def is_serialization_failure(error: BaseException) -> bool:
    """True for a PostgreSQL serialization failure or deadlock (SQLSTATE 40001 / 40P01)."""
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate in RETRYABLE_SQLSTATES


def retry_on_serialization_failure(
    run: Callable[[], T],
    *,
    attempts: int = 8,
    base_delay_s: float = 0.005,
    sleep: Callable[[float], None] = time.sleep,
    jitter: random.Random | None = None,
) -> T:
    """Call ``run`` (a whole use case with a fresh unit of work) until it is not serialised away.

    Raises:
        TransactionConflict: still failing after ``attempts`` tries.
    """
    rng = jitter
    for attempt in range(1, attempts + 1):
        try:
            return run()
        except DBAPIError as error:
            if not is_serialization_failure(error):
                raise
            log.info("serialization failure, attempt %d of %d", attempt, attempts)
            if attempt == attempts:
                raise TransactionConflict(attempts=attempts) from error
            rng = rng or random.Random()  # the jitter, made only when a retry needs it
            sleep(base_delay_s * (2 ** (attempt - 1)) * (1 + rng.random()))
    raise AssertionError  # pragma: no cover - the loop returns or raises
