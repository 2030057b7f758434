"""The refill repository: a refill per pump and idempotency key, with its safety findings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.findings import findings_from_json
from thecal.adapters.sql.mappers.refills import refill_from_row, refill_to_row
from thecal.adapters.sql.repositories.versioned import one_row, versioned_update
from thecal.adapters.sql.tables.refills import refills
from thecal.domain.program_change import FindingSummary
from thecal.domain.refill import Refill
from thecal.services.repositories.refills import RefillRepository

__all__ = [
    "SqlAlchemyRefillRepository",
]


class SqlAlchemyRefillRepository(RefillRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Refill) -> None:
        pump_id, verification_id, findings = self.pending.pop(aggregate.refill_id)
        row = refill_to_row(
            aggregate, pump_id=pump_id, verification_id=verification_id, findings=findings
        )
        self._s.execute(insert(refills).values(**row))

    def _get(self, ident: str) -> Refill | None:
        row = one_row(self._s, refills, refills.c.id == ident)
        return refill_from_row(row) if row else None

    def _get_by_key(self, pump_id: str, idempotency_key: str) -> Refill | None:
        row = one_row(
            self._s,
            refills,
            refills.c.pump_id == pump_id,
            refills.c.idempotency_key == idempotency_key,
        )
        return refill_from_row(row) if row else None

    def _findings_of(self, refill_id: str) -> tuple[FindingSummary, ...]:
        text = self._s.execute(
            select(refills.c.findings_json).where(refills.c.id == refill_id)
        ).scalar_one_or_none()
        return () if text is None else findings_from_json(text)

    def _for_pump(self, pump_id: str) -> Sequence[Refill]:
        rows = self._s.execute(
            select(refills)
            .where(refills.c.pump_id == pump_id)
            .order_by(refills.c.opened_at, refills.c.id)
        ).mappings()
        return [refill_from_row(r) for r in rows]

    def _update(self, aggregate: Refill, *, expected_version: int) -> bool:
        row = self._s.execute(
            select(refills.c.pump_id, refills.c.verification_id, refills.c.findings_json).where(
                refills.c.id == aggregate.refill_id
            )
        ).one()
        values = refill_to_row(aggregate, pump_id=row[0], verification_id=row[1])
        values["findings_json"] = row[2]
        return versioned_update(self._s, refills, aggregate.refill_id, expected_version, values)
