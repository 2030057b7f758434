"""Read the audit log (admin): newest entries first, a page at a time, or every entry of a query in
sequence order for a CSV export; filtered by person, patient, action and date; the read is itself
audited.

Reading the log is a security-relevant act (ASVS 7.3.3 protects security logs, safety:S105), so
every page read or export appends an entry naming the filters and the range returned. People and
patients are named (``names``: user ids and ``patient:<id>`` subjects → display name, with the
record number for a patient); the entries keep their ids.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thecal.domain.audit import AuditEntry
from thecal.domain.authorization import Action, Subject, authorize
from thecal.domain.date_plausibility import REPORT_DAY, check_date
from thecal.domain.errors import RequestInvalid
from thecal.domain.quantity_display import pump_model_name
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.repositories.audit import AuditQuery
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "MAX_AUDIT_EXPORT",
    "MAX_AUDIT_PAGE",
    "AuditFilter",
    "AuditPage",
    "ExportAuditLog",
    "ReadAuditLog",
    "export_audit_log",
    "read_audit_log",
]

MAX_AUDIT_PAGE = 200
MAX_AUDIT_EXPORT = 50_000  # one CSV; a larger range is exported in date slices


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    """Who did it (a user id), whose record (a patient's record number), which action (a code, or
    a family ending in a dot), and on which days (UTC, both ends included)."""

    user_id: str | None = None
    patient_mrn: str | None = None
    action: str | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def __post_init__(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise RequestInvalid(where="last_day", detail="must not be before the first day")

    @classmethod
    def from_text(
        cls,
        *,
        user_id: str | None,
        patient_mrn: str | None,
        action: str | None,
        first_day: str | None,
        last_day: str | None,
    ) -> AuditFilter:
        """The filter as a page or API query gives it: blanks mean "any", days as YYYY-MM-DD.

        Raises:
            RequestInvalid: a day that is not a date (named by its field).
        """

        def day(text: str | None, where: str) -> dt.date | None:
            if not text:
                return None
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise RequestInvalid(where=where, detail="a date as YYYY-MM-DD") from None

        return cls(
            user_id=user_id or None,
            patient_mrn=(patient_mrn or "").strip() or None,
            action=action or None,
            first_day=day(first_day, "first_day"),
            last_day=day(last_day, "last_day"),
        )

    def query(self, uow: AbstractUnitOfWork, *, today: dt.date) -> AuditQuery:
        """The repository's query (the record number looked up in ``uow``).

        Raises:
            DateOutOfRange: a day outside the plausible window of a report day (issue 15 §5).
            RequestInvalid: no patient has that record number.
        """
        for where, day in (("first_day", self.first_day), ("last_day", self.last_day)):
            if day is not None:
                check_date(where, day, REPORT_DAY, today=today)

        def start(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)

        subject = None
        if self.patient_mrn:
            patient = uow.patients.get_by_mrn(self.patient_mrn)
            if patient is None:
                raise RequestInvalid(
                    where="patient", detail=f"no patient has record number {self.patient_mrn}"
                )
            subject = f"patient:{patient.id}"
        return AuditQuery(
            actor=self.user_id or None,
            subject=subject,
            action=self.action or None,
            since=start(self.first_day) if self.first_day else None,
            until=start(self.last_day + dt.timedelta(days=1)) if self.last_day else None,
        )

    def described(self) -> dict[str, Any]:
        """The filters given, for the audit entry of the read."""
        given = {
            "user_id": self.user_id,
            "patient_mrn": self.patient_mrn,
            "action": self.action,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }
        return {key: value for key, value in given.items() if value}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadAuditLog:
    actor: Actor
    before_sequence: int | None = None  # None: start at the newest entry
    limit: int = 50
    filter: AuditFilter = field(default_factory=AuditFilter)

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_AUDIT_PAGE:
            raise RequestInvalid(where="limit", detail=f"must be 1–{MAX_AUDIT_PAGE}")
        if self.before_sequence is not None and self.before_sequence < 1:
            raise RequestInvalid(where="before_sequence", detail="must be ≥ 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    next_before_sequence: int | None  # the cursor for the next (older) page; None at the start
    names: Mapping[str, str] = field(default_factory=dict)  # user id / patient subject → name


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportAuditLog:
    actor: Actor
    filter: AuditFilter = field(default_factory=AuditFilter)


def _details_ids(entry: AuditEntry) -> dict[str, str]:
    """The ids an entry's details name, by key (``pump_id``, ``patient_id``, ``user_id``…)."""
    try:
        details = json.loads(entry.details_json)
    except ValueError:
        return {}
    if not isinstance(details, dict):
        return {}
    return {k: v for k, v in details.items() if k.endswith("_id") and isinstance(v, str)}


def _names(uow: AbstractUnitOfWork, entries: Sequence[AuditEntry]) -> dict[str, str]:
    """Names for the entries' actors, patient subjects and the ids their details name."""
    mentioned = [_details_ids(e) for e in entries]
    users = {e.actor for e in entries} | {
        v for ids in mentioned for k, v in ids.items() if k in {"user_id", "actor_id"}
    }
    patients = {
        e.subject.removeprefix("patient:") for e in entries if e.subject.startswith("patient:")
    }
    patients |= {v for ids in mentioned for k, v in ids.items() if k == "patient_id"}
    pumps = {v for ids in mentioned for k, v in ids.items() if k == "pump_id"}
    names: dict[str, str] = {}
    for ident in users:
        user = uow.users.get(ident)
        if user is not None:
            names[ident] = user.display_name
            names[f"user:{ident}"] = user.display_name
    for ident in patients:
        patient = uow.patients.get(ident)
        if patient is not None:
            names[f"patient:{ident}"] = names[ident] = f"{patient.display_name} ({patient.mrn})"
    for ident in pumps:
        pump = uow.pumps.get(ident)
        if pump is not None:
            names[ident] = f"pump {pump.serial} ({pump_model_name(pump.model_id)})"
    return names


def _record_read(
    uow: AbstractUnitOfWork,
    cmd: ReadAuditLog | ExportAuditLog,
    entries: Sequence[AuditEntry],
    at: dt.datetime,
    **extra: Any,
) -> None:
    uow.audit.record(
        actor=cmd.actor,
        action=Action.AUDIT_READ,
        subject=Subject.collection("audit"),
        at=at,
        details={
            **extra,
            **cmd.filter.described(),
            "returned": [entries[0].sequence, entries[-1].sequence] if entries else [],
        },
    )


def _today(clock: Clock) -> dt.date:
    return clock.now().astimezone(dt.UTC).date()


def read_audit_log(cmd: ReadAuditLog, *, uow: AbstractUnitOfWork, clock: Clock) -> AuditPage:
    """A page of the entries the filter admits, newest first, strictly below ``before_sequence``."""
    authorize(cmd.actor, Action.AUDIT_READ, Subject.collection("audit"))
    with uow:
        entries = tuple(
            uow.audit_log.newest(
                before_sequence=cmd.before_sequence,
                limit=cmd.limit,
                query=cmd.filter.query(uow, today=_today(clock)),
            )
        )
        names = _names(uow, entries)
        _record_read(uow, cmd, entries, clock.now(), before_sequence=cmd.before_sequence)
        uow.commit()
    oldest = entries[-1].sequence if entries else None
    more = oldest is not None and oldest > 1 and len(entries) == cmd.limit
    return AuditPage(entries=entries, next_before_sequence=oldest if more else None, names=names)


def export_audit_log(cmd: ExportAuditLog, *, uow: AbstractUnitOfWork, clock: Clock) -> AuditPage:
    """Every entry the filter admits, in sequence order (oldest first), for a CSV export.

    Raises:
        RequestInvalid: more than MAX_AUDIT_EXPORT entries match (narrow the dates).
    """
    authorize(cmd.actor, Action.AUDIT_READ, Subject.collection("audit"))
    with uow:
        newest = uow.audit_log.newest(
            limit=MAX_AUDIT_EXPORT + 1, query=cmd.filter.query(uow, today=_today(clock))
        )
        if len(newest) > MAX_AUDIT_EXPORT:
            raise RequestInvalid(
                where="filter",
                detail=f"more than {MAX_AUDIT_EXPORT:,} entries match; export fewer days at a time",
            )
        entries = tuple(reversed(newest))
        names = _names(uow, entries)
        _record_read(uow, cmd, entries, clock.now(), export="csv")
        uow.commit()
    return AuditPage(entries=entries, next_before_sequence=None, names=names)
