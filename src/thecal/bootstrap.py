"""The composition root: the one place real adapters are chosen and wired.

``bootstrap(settings)`` builds the engine, session factory, unit-of-work factory and clock, and
returns a :class:`Thecal` whose :meth:`Thecal.run` calls a use case with a fresh unit of work,
retrying the whole call on PostgreSQL serialization failures. Nothing happens at import time.
Tests build the same use cases with fakes instead (``FakeUnitOfWork``, a fixed clock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from thecal.adapters.audit.checkpoint_file import FileCheckpointStore, default_checkpoint_path
from thecal.adapters.audit.key_file import FileAuditKeys
from thecal.adapters.clock import SystemClock
from thecal.adapters.holidays_calendar import PublicHolidays
from thecal.adapters.mail import OutboxMailer, SmtpMailer
from thecal.adapters.observability.metered_driver import metered
from thecal.adapters.observability.metrics import Metrics
from thecal.adapters.observability.worklist_metrics import WorklistCollector
from thecal.adapters.passwords import Argon2PasswordHasher
from thecal.adapters.read_models.worklist_counts import WorklistCounts
from thecal.adapters.sql.audit_group_commit import AuditGroupCommit
from thecal.adapters.sql.clinic_clock import ClinicClock
from thecal.adapters.sql.database import make_engine, upgrade_database
from thecal.adapters.sql.unit_of_work import (
    AuditOnlyTransaction,
    SqlAlchemyUnitOfWork,
    retry_on_serialization_failure,
)
from thecal.adapters.twin.store import TwinStoreDriver
from thecal.config import Settings, load_settings
from thecal.domain.audit import AuditKey, AuditKeyInvalid
from thecal.domain.errors import ConfigurationInvalid, PermissionDenied
from thecal.domain.program_change import CoSigningPolicy
from thecal.domain.scheduling import WorkingHoursInvalid
from thecal.domain.sessions import SessionPolicy, SessionPolicyInvalid
from thecal.domain.users import Actor
from thecal.services.accounts import Accounts
from thecal.services.audit_checkpoints import CheckpointStore
from thecal.services.audit_keys import AuditKeys
from thecal.services.clock import Clock
from thecal.services.identity import Identity
from thecal.services.passwords import PasswordHasher
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.refusals import REFUSALS, RecordRefusal, record_refusal
from thecal.services.scheduling.mail import Mailer
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "DeviceUseCase",
    "Thecal",
    "UseCase",
    "audit_keys",
    "bootstrap",
    "checkpoint_store",
    "clinic_setup",
    "session_policy",
    "system_clock",
]

C_contra = TypeVar("C_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)
R = TypeVar("R")
C = TypeVar("C")


class UseCase(Protocol[C_contra, R_co]):
    """The shape every use case has: ``use_case(cmd, *, uow, clock)``."""

    def __call__(self, cmd: C_contra, /, *, uow: AbstractUnitOfWork, clock: Clock) -> R_co: ...


class DeviceUseCase(Protocol[C_contra, R_co]):
    """A use case that also talks to pumps: ``use_case(cmd, *, uow, clock, driver)``."""

    def __call__(
        self, cmd: C_contra, /, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
    ) -> R_co: ...


def system_clock() -> SystemClock:
    """The wall clock used by the CLI and the servers (tests pass fixed instants instead)."""
    return SystemClock()


@dataclass(frozen=True, slots=True, kw_only=True)
class Thecal:
    """The wired application: settings, engine, unit-of-work factory and clock."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    identity: Identity
    accounts: Accounts
    audit_keys: AuditKeys  # the key ring: THECAL_AUDIT_KEY, then THECAL_AUDIT_KEY_FILE's keys
    audit_checkpoints: CheckpointStore  # the chain's head, signed, outside the database
    retry_attempts: int = 8
    audit_reads: AuditGroupCommit | None = None  # group commit of read audit entries
    scheduling: ClinicSetup = field(default_factory=ClinicSetup)  # zone, holidays, portal URL

    @property
    def co_signing_policy(self) -> CoSigningPolicy:
        """Who may co-sign a program change: never the signer; the proposer only if allowed."""
        return CoSigningPolicy(proposer_may_co_sign=self.settings.proposer_may_co_sign)

    def mailer(self) -> Mailer:
        """The reminders' mailer: the SMTP server when configured, else the local outbox."""
        chosen = self.settings
        if chosen.smtp_host:
            return SmtpMailer(
                host=chosen.smtp_host,
                port=chosen.smtp_port,
                sender=chosen.mail_from,
                clock=self.clock,
                starttls=chosen.smtp_starttls,
                username=chosen.smtp_username,
                password=chosen.smtp_password.get_secret_value() if chosen.smtp_password else None,
            )
        return OutboxMailer(Path(chosen.outbox_dir), sender=chosen.mail_from, clock=self.clock)

    metrics: Metrics | None = None  # this server's Prometheus metrics (None: not measured)

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            self.session_factory,
            audit_key=self.audit_keys,
            reads=self.audit_reads,
            checkpoints=self.audit_checkpoints,
        )

    def run(self, use_case: UseCase[C, R], cmd: C) -> R:
        """Run one use case in its own transaction, retried on serialization failures.

        A refusal by the authorization policy is audited in a transaction of its own and
        re-raised (services/refusals.py).
        """
        call: Callable[[], R] = lambda: use_case(cmd, uow=self.uow(), clock=self.clock)  # noqa: E731
        try:
            return retry_on_serialization_failure(call, attempts=self.retry_attempts)
        except REFUSALS as refused:
            self._audit_refusal(use_case, cmd, refused)
            raise

    def run_device(self, use_case: DeviceUseCase[C, R], cmd: C) -> R:
        """Like :meth:`run`, with the persisted twin driver bound to the same transaction.

        Each attempt gets a fresh unit of work and a fresh driver, so a retried use case replays
        the pumps from the committed command log (adapters/twin/store.py). The driver's
        commands are counted in the metrics once the use case has returned (committed); a
        command the pump failed is counted even when the use case then raised.
        """

        def call() -> R:
            uow = self.uow()
            driver = metered(TwinStoreDriver.for_unit_of_work(uow, clock=self.clock))
            try:
                result = use_case(cmd, uow=uow, clock=self.clock, driver=driver)
            except BaseException:
                if self.metrics is not None:
                    self.metrics.count_device_commands(driver.failed())
                raise
            if self.metrics is not None:
                self.metrics.count_device_commands(driver.noted)
            return result

        try:
            return retry_on_serialization_failure(call, attempts=self.retry_attempts)
        except REFUSALS as refused:
            self._audit_refusal(use_case, cmd, refused)
            raise

    def _audit_refusal(self, use_case: object, cmd: object, refused: PermissionDenied) -> None:
        actor = getattr(cmd, "actor", None)
        if not isinstance(actor, Actor):  # no known actor (for example a login): nothing to name
            return
        name = str(getattr(use_case, "__name__", type(use_case).__name__))
        record = RecordRefusal(actor=actor, use_case=name, refusal=refused)
        retry_on_serialization_failure(
            lambda: record_refusal(record, uow=self.uow(), clock=self.clock),
            attempts=self.retry_attempts,
        )

    def upgrade_database(self, revision: str = "head") -> None:
        upgrade_database(self.engine, revision)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    hasher: PasswordHasher | None = None,
    session_clock: Clock | None = None,
) -> Thecal:
    """Wire thecal from settings (the environment when not given).

    ``clock`` is clinical time (default: the clinic clock, system time plus the demo offset);
    ``session_clock`` measures sessions (SR-20) in real time: default the system clock, or
    ``clock`` when only that is given (a test that moves one clock moves both).

    Raises:
        ConfigurationInvalid: a setting thecal cannot run with (THC-CONF-001), naming it.
    """
    chosen = settings if settings is not None else load_settings()
    bound = engine if engine is not None else database_engine(chosen)
    passwords = hasher if hasher is not None else Argon2PasswordHasher()
    sessions = sessionmaker(bind=bound, expire_on_commit=False)
    keys = audit_keys(chosen)
    real_time = session_clock or clock or system_clock()
    clinical_clock = clock if clock is not None else ClinicClock(bound)
    metrics = Metrics()
    metrics.add_scraped(WorklistCollector(WorklistCounts(bound), clinical_clock))
    identity = Identity(
        hasher=passwords,
        policy=session_policy(chosen),
        clock=real_time,
        mfa_required=chosen.mfa_enforced,
        challenge_key=chosen.login_challenge_key,
    )
    return Thecal(
        settings=chosen,
        engine=bound,
        session_factory=sessions,
        clock=clinical_clock,
        identity=identity,
        accounts=Accounts(hasher=passwords, identity=identity),
        audit_keys=keys,
        audit_checkpoints=checkpoint_store(chosen, clock=real_time),
        audit_reads=AuditGroupCommit(
            lambda: AuditOnlyTransaction(bound, audit_key=keys),
            run=retry_on_serialization_failure,
            observe=metrics.observe_audit_append,
        ),
        metrics=metrics,
        scheduling=clinic_setup(chosen),
    )


def database_engine(settings: Settings) -> Engine:
    """The engine of ``THECAL_DATABASE_URL`` (no connection is made yet).

    Raises:
        ConfigurationInvalid: the URL cannot be parsed, names another database than SQLite or
            PostgreSQL, or a driver that is not installed. The password is never shown.
    """
    try:
        return make_engine(settings.database_url)
    except (ArgumentError, ValueError, ImportError) as refused:  # ImportError: no such driver
        raise ConfigurationInvalid(
            variable="THECAL_DATABASE_URL",
            problem=f"{_without_password(settings.database_url)} is refused ({refused})",
            fix=(
                "set it to sqlite:///path/to/thecal.db or "
                "postgresql+psycopg://user:password@host:5432/thecal"
            ),
        ) from None


def _without_password(url: str) -> str:
    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except ArgumentError:
        return "the value" if "@" in url else repr(url)  # perhaps a password in it


def clinic_setup(settings: Settings) -> ClinicSetup:
    """The clinic's scheduling setup from settings (time zone, holidays, name, portal URL).

    Raises:
        ConfigurationInvalid: an unknown time zone, country or subdivision.
    """
    try:
        zone = ZoneInfo(settings.clinic_timezone)
    except (ZoneInfoNotFoundError, ValueError) as unknown:
        raise ConfigurationInvalid(
            variable="THECAL_CLINIC_TIMEZONE",
            problem=f"{settings.clinic_timezone!r} is not a known IANA time zone",
            fix="set it to the clinic's zone, e.g. Europe/Berlin or America/New_York",
        ) from unknown
    try:
        holidays = PublicHolidays(settings.clinic_country, settings.clinic_subdivision)
    except WorkingHoursInvalid as unknown:
        raise ConfigurationInvalid(
            variable="THECAL_CLINIC_COUNTRY, THECAL_CLINIC_SUBDIVISION",
            problem=(
                f"no public holidays are known for {settings.clinic_country!r}"
                f" / {settings.clinic_subdivision!r}"
            ),
            fix="set an ISO 3166 country code (e.g. US, DE) and one of its subdivisions, or unset",
        ) from unknown
    return ClinicSetup(
        name=settings.clinic_name,
        zone=zone,
        holidays=holidays,
        portal_url=settings.public_url,
    )


def audit_keys(settings: Settings) -> FileAuditKeys:
    """The audit key ring: ``THECAL_AUDIT_KEY`` (id ``THECAL_AUDIT_KEY_ID``), then the key file's.

    Raises:
        ConfigurationInvalid: ``THECAL_AUDIT_KEY_FILE`` cannot be read or has a line that is
            not ``<id> <hex secret>``.
    """
    first = AuditKey(settings.audit_key_id, settings.audit_key_bytes)
    try:
        return FileAuditKeys(first, settings.audit_key_file)
    except (OSError, UnicodeDecodeError, AuditKeyInvalid) as unreadable:
        problem = (
            unreadable.message
            if isinstance(unreadable, AuditKeyInvalid)
            else f"{str(settings.audit_key_file)!r} cannot be read ({type(unreadable).__name__}:"
            f" {getattr(unreadable, 'strerror', None) or unreadable})"
        )
        raise ConfigurationInvalid(
            variable="THECAL_AUDIT_KEY_FILE",
            problem=problem,
            fix=(
                "point it at the key file `thecal audit rotate-key` writes (a text file of "
                "'<id> <hex secret>' lines, readable by the server's user, mode 0600), or unset it"
            ),
        ) from None


def checkpoint_store(settings: Settings, *, clock: Clock) -> FileCheckpointStore:
    """The checkpoint file (``THECAL_AUDIT_CHECKPOINT_FILE``, or the default beside the data)."""
    path = settings.audit_checkpoint_file or default_checkpoint_path(settings.database_url)
    return FileCheckpointStore(path, clock=clock, to_log=settings.audit_checkpoint_log)


def session_policy(settings: Settings) -> SessionPolicy:
    """The session lifetimes from settings (SR-20).

    Raises:
        ConfigurationInvalid: an idle timeout not longer than the one-minute touch interval,
            or an absolute lifetime shorter than the idle timeout.
    """
    try:
        return SessionPolicy(
            idle_timeout=dt.timedelta(minutes=settings.idle_timeout_minutes),
            absolute_timeout=dt.timedelta(hours=settings.absolute_timeout_hours),
        )
    except SessionPolicyInvalid as refused:
        if refused.fields.get("where") == "absolute_timeout":
            raise ConfigurationInvalid(
                variable="THECAL_ABSOLUTE_TIMEOUT_HOURS",
                problem=(
                    f"{settings.absolute_timeout_hours} h is shorter than the idle timeout "
                    f"(THECAL_IDLE_TIMEOUT_MINUTES={settings.idle_timeout_minutes})"
                ),
                fix="set it to at least the idle timeout (default 12 hours), or unset it",
            ) from None
        raise ConfigurationInvalid(
            variable="THECAL_IDLE_TIMEOUT_MINUTES",
            problem=(
                f"{settings.idle_timeout_minutes} min is refused: a session is touched once a "
                "minute, so the idle timeout must be longer than one minute"
            ),
            fix="set it to 2 minutes or more (default 15, SR-20), or unset it",
        ) from None
