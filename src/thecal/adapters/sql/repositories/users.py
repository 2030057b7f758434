"""The user account repository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, insert, select

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.users import user_from_row, user_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.users import users
from thecal.domain.users import User
from thecal.services.repositories.users import UserRepository

__all__ = [
    "SqlAlchemyUserRepository",
]

# built once: every request reads its user (the session check)
_USER_BY_ID = select(users).where(users.c.id == bindparam("ident"))


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._session = session

    def _add(self, aggregate: User) -> None:
        self._session.execute(insert(users).values(**user_to_row(aggregate)))

    def _get(self, ident: str) -> User | None:
        found = self._session.execute(_USER_BY_ID, {"ident": ident}).mappings().one_or_none()
        return user_from_row(found) if found else None

    def _get_by_username(self, username: str) -> User | None:
        found = (
            self._session.execute(select(users).where(users.c.username == username))
            .mappings()
            .one_or_none()
        )
        return user_from_row(found) if found else None

    def _page(self, *, limit: int, offset: int) -> Sequence[User]:
        statement = select(users).order_by(users.c.username).limit(limit).offset(offset)
        return [user_from_row(r) for r in self._session.execute(statement).mappings()]

    def _update(self, aggregate: User, *, expected_version: int) -> bool:
        values = user_to_row(aggregate)
        return versioned_update(self._session, users, aggregate.id, expected_version, values)
