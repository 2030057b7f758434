"""The pump repository.

``get_for_update`` also takes a row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
transactions already hold the database write lock from ``BEGIN IMMEDIATE``), so two writers of
one pump queue at the pump row and the loser re-reads a newer version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.pumps import pump_from_row, pump_to_row
from thecal.adapters.sql.repositories.versioned import one_row, versioned_update
from thecal.adapters.sql.tables.pumps import pumps
from thecal.services.pump_record import Pump
from thecal.services.repositories.pumps import PumpRepository, PumpSearch

__all__ = [
    "SqlAlchemyPumpRepository",
]


class SqlAlchemyPumpRepository(PumpRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Pump) -> None:
        self._s.execute(insert(pumps).values(**pump_to_row(aggregate)))

    def _get(self, ident: str) -> Pump | None:
        row = one_row(self._s, pumps, pumps.c.id == ident)
        return pump_from_row(row) if row else None

    def _get_locked(self, ident: str) -> Pump | None:
        row = one_row(self._s, pumps, pumps.c.id == ident, lock=True)
        return pump_from_row(row) if row else None

    def _get_by_serial(self, serial: str) -> Pump | None:
        row = one_row(self._s, pumps, pumps.c.serial == serial)
        return pump_from_row(row) if row else None

    def _for_patient(self, patient_id: str) -> Sequence[Pump]:
        rows = self._s.execute(
            select(pumps).where(pumps.c.patient_id == patient_id).order_by(pumps.c.implanted_at)
        ).mappings()
        return [pump_from_row(r) for r in rows]

    def _search(self, query: PumpSearch, *, limit: int, offset: int) -> tuple[list[Pump], int]:
        where: list[Any] = []
        if query.patient_id is not None:
            where.append(pumps.c.patient_id == query.patient_id)
        if query.serial_prefix is not None:  # a prefix, literally (no LIKE wildcards)
            where.append(
                func.substr(pumps.c.serial, 1, len(query.serial_prefix)) == query.serial_prefix
            )
        if query.model_id is not None:
            where.append(pumps.c.model_id == query.model_id)
        if query.state is not None:
            where.append(pumps.c.state == query.state.value)
        if query.patient_ids is not None:
            where.append(pumps.c.patient_id.in_(sorted(query.patient_ids)))
        total = self._s.execute(select(func.count()).select_from(pumps).where(*where)).scalar_one()
        rows = self._s.execute(
            select(pumps)
            .where(*where)
            .order_by(pumps.c.implanted_at.desc(), pumps.c.id)
            .limit(limit)
            .offset(offset)
        ).mappings()
        return [pump_from_row(r) for r in rows], int(total)

    def _update(self, aggregate: Pump, *, expected_version: int) -> bool:
        return versioned_update(
            self._s, pumps, aggregate.id, expected_version, pump_to_row(aggregate)
        )
