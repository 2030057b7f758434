"""The pump repository.

``get_for_update`` also takes a row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
transactions already hold the database write lock from ``BEGIN IMMEDIATE``), so two writers of
one pump queue at the pump row and the loser re-reads a newer version.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.pumps import pump_from_row, pump_to_row
from thecal.adapters.sql.repositories.versioned import one_row, versioned_update
from thecal.adapters.sql.tables.pumps import pumps
from thecal.services.pump_record import Pump
from thecal.services.repositories.pumps import PumpRepository

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

    def _update(self, aggregate: Pump, *, expected_version: int) -> bool:
        return versioned_update(
            self._s, pumps, aggregate.id, expected_version, pump_to_row(aggregate)
        )
