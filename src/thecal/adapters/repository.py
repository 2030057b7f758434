"""SQLAlchemy implementations of the repository ports. Parameterised Core statements only.

Repositories execute on the unit of work's session and never commit. ``_update`` writes with
``WHERE id = :id AND version = :expected`` and reports whether a row matched, which is how a
concurrent change is detected (the caller raises ``StaleAggregate``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update

from thecal.adapters import mappers
from thecal.adapters.database import Executor
from thecal.adapters.orm import (
    audit_chain_head,
    audit_entries,
    candidacy_assessments,
    candidacy_contraindications,
    candidacy_medications,
    patients,
    users,
)
from thecal.domain.audit import AuditEntry, ChainHead
from thecal.domain.candidacy import CandidacyAssessment
from thecal.domain.patient import Patient
from thecal.domain.users import User
from thecal.services.repositories.audit import AuditRepository
from thecal.services.repositories.candidacy import CandidacyRepository
from thecal.services.repositories.patients import PatientQuery, PatientRepository
from thecal.services.repositories.users import UserRepository

__all__ = [
    "SqlAlchemyAuditRepository",
    "SqlAlchemyCandidacyRepository",
    "SqlAlchemyPatientRepository",
    "SqlAlchemyUserRepository",
]

_AUDIT_STREAM_BATCH = 1000


def _versioned_update(
    session: Executor, table: Table, ident: str, expected_version: int, values: dict[str, Any]
) -> bool:
    result = session.execute(
        update(table)
        .where(table.c.id == ident, table.c.version == expected_version)
        .values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlAlchemyPatientRepository(PatientRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _add(self, aggregate: Patient) -> None:
        self._session.execute(insert(patients).values(**mappers.patient_to_row(aggregate)))

    def _get(self, ident: str) -> Patient | None:
        row = self._session.execute(select(patients).where(patients.c.id == ident)).mappings()
        found = row.one_or_none()
        return mappers.patient_from_row(found) if found else None

    def _get_by_mrn(self, mrn: str) -> Patient | None:
        row = self._session.execute(select(patients).where(patients.c.mrn == mrn)).mappings()
        found = row.one_or_none()
        return mappers.patient_from_row(found) if found else None

    def _search(self, query: PatientQuery) -> Sequence[Patient]:
        statement = select(patients)
        if query.mrn is not None:
            statement = statement.where(patients.c.mrn == query.mrn)
        if query.family_name_prefix:
            pattern = _escape_like(query.family_name_prefix.casefold()) + "%"
            statement = statement.where(patients.c.family_name_folded.like(pattern, escape="\\"))
        if query.birth_date is not None:
            statement = statement.where(patients.c.birth_date == query.birth_date)
        statement = statement.order_by(
            patients.c.family_name_folded, patients.c.given_names, patients.c.id
        ).limit(query.limit)
        return [mappers.patient_from_row(r) for r in self._session.execute(statement).mappings()]

    def _update(self, aggregate: Patient, *, expected_version: int) -> bool:
        values = mappers.patient_to_row(aggregate)
        del values["id"]
        return _versioned_update(self._session, patients, aggregate.id, expected_version, values)


# built once: every request reads its user (the session check)
_USER_BY_ID = select(users).where(users.c.id == bindparam("ident"))


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _add(self, aggregate: User) -> None:
        self._session.execute(insert(users).values(**mappers.user_to_row(aggregate)))

    def _get(self, ident: str) -> User | None:
        found = self._session.execute(_USER_BY_ID, {"ident": ident}).mappings().one_or_none()
        return mappers.user_from_row(found) if found else None

    def _get_by_username(self, username: str) -> User | None:
        found = (
            self._session.execute(select(users).where(users.c.username == username))
            .mappings()
            .one_or_none()
        )
        return mappers.user_from_row(found) if found else None

    def _page(self, *, limit: int, offset: int) -> Sequence[User]:
        statement = select(users).order_by(users.c.username).limit(limit).offset(offset)
        return [mappers.user_from_row(r) for r in self._session.execute(statement).mappings()]

    def _update(self, aggregate: User, *, expected_version: int) -> bool:
        values = mappers.user_to_row(aggregate)
        del values["id"]
        return _versioned_update(self._session, users, aggregate.id, expected_version, values)


class SqlAlchemyCandidacyRepository(CandidacyRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _insert_children(self, aggregate: CandidacyAssessment) -> dict[str, Any]:
        main, contraindications, medications = mappers.candidacy_to_rows(aggregate)
        if contraindications:
            self._session.execute(insert(candidacy_contraindications), contraindications)
        if medications:
            self._session.execute(insert(candidacy_medications), medications)
        return main

    def _add(self, aggregate: CandidacyAssessment) -> None:
        main, _, _ = mappers.candidacy_to_rows(aggregate)
        self._session.execute(insert(candidacy_assessments).values(**main))
        self._insert_children(aggregate)

    def _load(self, rows: Sequence[Any]) -> list[CandidacyAssessment]:
        ids = [row["id"] for row in rows]
        if not ids:
            return []
        contra = self._session.execute(
            select(candidacy_contraindications).where(
                candidacy_contraindications.c.assessment_id.in_(ids)
            )
        ).mappings()
        meds = self._session.execute(
            select(candidacy_medications).where(candidacy_medications.c.assessment_id.in_(ids))
        ).mappings()
        contra_by: dict[str, list[Any]] = {ident: [] for ident in ids}
        meds_by: dict[str, list[Any]] = {ident: [] for ident in ids}
        for row in contra:
            contra_by[row["assessment_id"]].append(row)
        for row in meds:
            meds_by[row["assessment_id"]].append(row)
        return [
            mappers.candidacy_from_rows(row, contra_by[row["id"]], meds_by[row["id"]])
            for row in rows
        ]

    def _get(self, ident: str) -> CandidacyAssessment | None:
        rows = (
            self._session.execute(
                select(candidacy_assessments).where(candidacy_assessments.c.id == ident)
            )
            .mappings()
            .all()
        )
        loaded = self._load(rows)
        return loaded[0] if loaded else None

    def _for_patient(self, patient_id: str) -> Sequence[CandidacyAssessment]:
        rows = (
            self._session.execute(
                select(candidacy_assessments)
                .where(candidacy_assessments.c.patient_id == patient_id)
                .order_by(candidacy_assessments.c.assessed_at.desc(), candidacy_assessments.c.id)
            )
            .mappings()
            .all()
        )
        return self._load(rows)

    def _update(self, aggregate: CandidacyAssessment, *, expected_version: int) -> bool:
        main, _, _ = mappers.candidacy_to_rows(aggregate)
        del main["id"]
        if not _versioned_update(
            self._session, candidacy_assessments, aggregate.id, expected_version, main
        ):
            return False
        for child in (candidacy_contraindications, candidacy_medications):
            self._session.execute(delete(child).where(child.c.assessment_id == aggregate.id))
        self._insert_children(aggregate)
        return True


_HEAD = select(audit_chain_head.c.last_sequence, audit_chain_head.c.last_hash).where(
    audit_chain_head.c.id == 1
)
_HEAD_LOCKED = _HEAD.with_for_update()
_APPEND = insert(audit_entries)
_ADVANCE = (
    update(audit_chain_head)
    .where(
        audit_chain_head.c.id == 1,
        audit_chain_head.c.last_sequence == bindparam("expected_sequence"),
    )
    .values(last_sequence=bindparam("new_sequence"), last_hash=bindparam("new_hash"))
)


class SqlAlchemyAuditRepository(AuditRepository):
    """Appends to ``audit_entries`` and advances ``audit_chain_head``; nothing else.

    The three statements of an append (read the head, insert the entry, advance the head only
    from the sequence it was read at) are built once at import and bound per call.
    """

    def __init__(self, session: Executor) -> None:
        self._session = session

    def _head_row(self, *, lock: bool) -> ChainHead | None:
        row = self._session.execute(_HEAD_LOCKED if lock else _HEAD).one()
        return None if row.last_sequence == 0 else ChainHead(sequence=row[0], entry_hash=row[1])

    def head(self) -> ChainHead | None:
        return self._head_row(lock=True)

    def recorded_head(self) -> ChainHead | None:
        return self._head_row(lock=False)

    def append(self, entry: AuditEntry) -> None:
        self._session.execute(_APPEND, mappers.audit_entry_to_row(entry))
        advanced = self._session.execute(
            _ADVANCE,
            {
                "expected_sequence": entry.sequence - 1,
                "new_sequence": entry.sequence,
                "new_hash": entry.entry_hash,
            },
        )
        if advanced.rowcount != 1:  # type: ignore[attr-defined]
            msg = f"audit head did not advance to {entry.sequence}"
            raise RuntimeError(msg)

    def newest(self, *, before_sequence: int | None = None, limit: int = 50) -> list[AuditEntry]:
        statement = select(audit_entries)
        if before_sequence is not None:
            statement = statement.where(audit_entries.c.sequence < before_sequence)
        statement = statement.order_by(audit_entries.c.sequence.desc()).limit(limit)
        rows = self._session.execute(statement).mappings()
        return [mappers.audit_entry_from_row(row) for row in rows]

    def entries(self, *, after_sequence: int = 0) -> Iterator[AuditEntry]:
        last = after_sequence
        while True:
            batch = (
                self._session.execute(
                    select(audit_entries)
                    .where(audit_entries.c.sequence > last)
                    .order_by(audit_entries.c.sequence)
                    .limit(_AUDIT_STREAM_BATCH)
                )
                .mappings()
                .all()
            )
            for row in batch:
                yield mappers.audit_entry_from_row(row)
            if len(batch) < _AUDIT_STREAM_BATCH:
                return
            last = batch[-1]["sequence"]
