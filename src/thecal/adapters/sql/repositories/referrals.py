"""The referral repository."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.referrals import referral_from_row, referral_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.referrals import referrals
from thecal.domain.scheduling import Referral, ReferralState
from thecal.services.repositories.referrals import ReferralRepository

__all__ = ["SqlAlchemyReferralRepository"]


class SqlAlchemyReferralRepository(ReferralRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Referral) -> None:
        self._s.execute(insert(referrals).values(**referral_to_row(aggregate)))

    def _get(self, ident: str) -> Referral | None:
        row = self._s.execute(select(referrals).where(referrals.c.id == ident)).mappings().first()
        return referral_from_row(row) if row else None

    def _update(self, aggregate: Referral, *, expected_version: int) -> bool:
        return versioned_update(
            self._s, referrals, aggregate.id, expected_version, referral_to_row(aggregate)
        )

    def _page(
        self, *, states: frozenset[ReferralState] | None, limit: int, offset: int
    ) -> Sequence[Referral]:
        statement = select(referrals)
        if states is not None:
            statement = statement.where(referrals.c.state.in_([s.value for s in states]))
        statement = statement.order_by(referrals.c.received_at, referrals.c.id)
        rows = self._s.execute(statement.limit(limit).offset(offset)).mappings()
        return [referral_from_row(r) for r in rows]

    def _for_patient(self, patient_id: str) -> Sequence[Referral]:
        statement = (
            select(referrals)
            .where(referrals.c.patient_id == patient_id)
            .order_by(referrals.c.received_at, referrals.c.id)
        )
        return [referral_from_row(r) for r in self._s.execute(statement).mappings()]

    def count_from(self, client_key: str, *, since: dt.datetime) -> int:
        statement = select(func.count()).where(
            referrals.c.client_key == client_key, referrals.c.received_at >= since
        )
        return int(self._s.execute(statement).scalar_one())
