"""A restored clinic checked before it is accepted, in this order (the first failure stops it):

1. ``integrity`` — SQLite's ``PRAGMA integrity_check`` and ``foreign_key_check`` (PostgreSQL
   checks every constraint as ``pg_restore`` rebuilds it, and a failed restore stops there);
2. ``schema`` — a revision this code knows (current, or behind: then ``thecal db upgrade``);
3. ``audit chain`` — every entry in order, against the recorded head, with this server's key
   (``services/audit.py``, the check ``thecal serve`` runs before it listens);
4. ``manifest`` — the rows of every table and the audit head equal the backup's manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from thecal.adapters.sql.backup.manifest import Manifest
from thecal.adapters.sql.backup.survey import Survey, survey
from thecal.adapters.sql.schema_state import SchemaVerdict, schema_state
from thecal.adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from thecal.services.audit import CheckChainAtStart, check_chain_at_start
from thecal.services.clock import Clock

__all__ = ["Checked", "RestoreCheckFailed", "check_restored"]


class RestoreCheckFailed(Exception):
    """One check failed: ``check`` names it, the message says why."""

    def __init__(self, *, check: str, detail: str) -> None:
        super().__init__(detail)
        self.check = check
        self.detail = detail


@dataclass(frozen=True, slots=True, kw_only=True)
class Checked:
    survey: Survey
    audit_entries: int


def _integrity(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        found = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        if found != ["ok"]:
            raise RestoreCheckFailed(check="integrity", detail="; ".join(str(f) for f in found[:5]))
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RestoreCheckFailed(
                check="integrity", detail=f"{len(broken)} rows break a foreign key"
            )


def _against_manifest(found: Survey, manifest: Manifest) -> None:
    expected = manifest.survey
    if found.revision != expected.revision:
        detail = f"schema revision {found.revision}, the manifest says {expected.revision}"
        raise RestoreCheckFailed(check="manifest", detail=detail)
    if found.tables != expected.tables:
        differ = sorted(
            name
            for name in set(found.tables) | set(expected.tables)
            if found.tables.get(name) != expected.tables.get(name)
        )
        shown = ", ".join(
            f"{n}: {found.tables.get(n, 'missing')} rows, manifest {expected.tables.get(n, 'none')}"
            for n in differ[:5]
        )
        raise RestoreCheckFailed(check="manifest", detail=f"row counts differ ({shown})")
    if (found.audit_sequence, found.audit_hash) != (
        expected.audit_sequence,
        expected.audit_hash,
    ):
        detail = f"audit head {found.audit_sequence}, the manifest says {expected.audit_sequence}"
        raise RestoreCheckFailed(check="manifest", detail=detail)


def check_restored(
    engine: Engine, *, audit_key: bytes, clock: Clock, manifest: Manifest | None
) -> Checked:
    """Every check on the database behind ``engine``; raises :class:`RestoreCheckFailed`."""
    _integrity(engine)
    state = schema_state(engine)
    if state.verdict not in {SchemaVerdict.CURRENT, SchemaVerdict.BEHIND}:
        raise RestoreCheckFailed(check="schema", detail=state.explain())
    uow = SqlAlchemyUnitOfWork(sessionmaker(bind=engine), audit_key=audit_key)
    report = check_chain_at_start(CheckChainAtStart(), uow=uow, clock=clock)
    if report.first_break is not None:
        broken = report.first_break
        detail = (
            f"audit chain broken at entry sequence {broken.sequence}: {broken.reason.value}; "
            f"{broken.detail}"
        )
        raise RestoreCheckFailed(check="audit chain", detail=detail)
    with engine.connect() as connection:
        found = survey(connection)
    if manifest is not None:
        _against_manifest(found, manifest)
    return Checked(survey=found, audit_entries=report.entries_checked)
