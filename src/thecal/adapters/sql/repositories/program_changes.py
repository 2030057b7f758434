"""The program change repository, and the ledger of spent confirmation tokens (SR-16)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.program_changes import change_from_row, change_to_row
from thecal.adapters.sql.repositories.versioned import one_row, versioned_update
from thecal.adapters.sql.tables.program_changes import program_changes, used_confirmation_tokens
from thecal.domain.program_change import ProgramChange, ProgramChangeState
from thecal.services.repositories.program_changes import (
    ProgramChangeRepository,
    TokenLedger,
    UsedToken,
)

__all__ = [
    "SqlAlchemyProgramChangeRepository",
    "SqlAlchemyTokenLedger",
]


class SqlAlchemyProgramChangeRepository(ProgramChangeRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: ProgramChange) -> None:
        pump_id, key = self.pending.pop(aggregate.change_id)
        row = change_to_row(aggregate, pump_id=pump_id, idempotency_key=key or "")
        self._s.execute(insert(program_changes).values(**row))

    def _get(self, ident: str) -> ProgramChange | None:
        row = one_row(self._s, program_changes, program_changes.c.id == ident)
        return change_from_row(row) if row else None

    def _get_by_key(self, idempotency_key: str) -> ProgramChange | None:
        row = one_row(
            self._s, program_changes, program_changes.c.idempotency_key == idempotency_key
        )
        return change_from_row(row) if row else None

    def _in_flight(self, pump_id: str) -> Sequence[ProgramChange]:
        rows = self._s.execute(
            select(program_changes)
            .where(
                program_changes.c.pump_id == pump_id,
                program_changes.c.state == ProgramChangeState.SENT.value,
            )
            .order_by(program_changes.c.proposed_at, program_changes.c.id)
        ).mappings()
        return [change_from_row(r) for r in rows]

    def _for_pump(self, pump_id: str) -> Sequence[ProgramChange]:
        rows = self._s.execute(
            select(program_changes)
            .where(program_changes.c.pump_id == pump_id)
            .order_by(program_changes.c.proposed_at, program_changes.c.id)
        ).mappings()
        return [change_from_row(r) for r in rows]

    def _pump_of(self, change_id: str) -> str | None:
        found = self._s.execute(
            select(program_changes.c.pump_id).where(program_changes.c.id == change_id)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def _update(self, aggregate: ProgramChange, *, expected_version: int) -> bool:
        row = self._s.execute(
            select(program_changes.c.pump_id, program_changes.c.idempotency_key).where(
                program_changes.c.id == aggregate.change_id
            )
        ).one()
        values = change_to_row(aggregate, pump_id=row[0], idempotency_key=row[1])
        return versioned_update(
            self._s, program_changes, aggregate.change_id, expected_version, values
        )


class SqlAlchemyTokenLedger(TokenLedger):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def is_used(self, token_id: str) -> bool:
        found = self._s.execute(
            select(used_confirmation_tokens.c.token_id).where(
                used_confirmation_tokens.c.token_id == token_id
            )
        ).first()
        return found is not None

    def spend(self, token: UsedToken) -> None:
        self._s.execute(
            insert(used_confirmation_tokens).values(
                token_id=token.token_id,
                change_id=token.change_id,
                user_id=token.user_id,
                used_at=token.used_at,
            )
        )
