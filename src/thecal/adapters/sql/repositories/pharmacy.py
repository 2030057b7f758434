"""The pharmacy verification repository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.pharmacy import verification_from_row, verification_to_row
from thecal.adapters.sql.repositories.versioned import one_row, versioned_update
from thecal.adapters.sql.tables.pharmacy import pharmacy_verifications
from thecal.services.repositories.pharmacy import (
    PharmacyVerification,
    PharmacyVerificationRepository,
)

__all__ = [
    "SqlAlchemyPharmacyVerificationRepository",
]


class SqlAlchemyPharmacyVerificationRepository(PharmacyVerificationRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: PharmacyVerification) -> None:
        self._s.execute(insert(pharmacy_verifications).values(**verification_to_row(aggregate)))

    def _get(self, ident: str) -> PharmacyVerification | None:
        row = one_row(self._s, pharmacy_verifications, pharmacy_verifications.c.id == ident)
        return verification_from_row(row) if row else None

    def _for_pump(self, pump_id: str) -> Sequence[PharmacyVerification]:
        query = select(pharmacy_verifications).where(pharmacy_verifications.c.pump_id == pump_id)
        return [verification_from_row(row) for row in self._s.execute(query).mappings()]

    def _update(self, aggregate: PharmacyVerification, *, expected_version: int) -> bool:
        values = verification_to_row(aggregate)
        return versioned_update(
            self._s, pharmacy_verifications, aggregate.id, expected_version, values
        )
