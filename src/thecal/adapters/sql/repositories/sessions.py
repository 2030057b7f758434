"""SQLAlchemy repositories for identity: sessions, failed log-ins, API tokens.

Parameterised Core statements only; rows ↔ domain conversion is done here (these records are
small and belong together). Nothing commits: the unit of work does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.tables.sessions import api_tokens, auth_sessions, login_failures
from thecal.domain.sessions import ApiToken, AuthSession, SessionEnd
from thecal.services.repositories.sessions import (
    ApiTokenRepository,
    LoginFailureRepository,
    SessionRepository,
)

__all__ = [
    "SqlAlchemyApiTokenRepository",
    "SqlAlchemyLoginFailureRepository",
    "SqlAlchemySessionRepository",
]

Row = Mapping[Any, Any]


def _session_from_row(row: Row) -> AuthSession:
    reason = row["end_reason"]
    return AuthSession(
        id=row["id"],
        user_id=row["user_id"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
        ended_at=row["ended_at"],
        end_reason=SessionEnd(reason) if reason else None,
    )


def _token_from_row(row: Row) -> ApiToken:
    return ApiToken(
        id=row["id"],
        user_id=row["user_id"],
        digest=row["digest"],
        label=row["label"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


# built once: every request reads its session
_SESSION_BY_ID = select(auth_sessions).where(auth_sessions.c.id == bindparam("digest"))


class SqlAlchemySessionRepository(SessionRepository):
    def __init__(self, session: Executor) -> None:
        self._session = session

    def add(self, session: AuthSession) -> None:
        self._session.execute(
            insert(auth_sessions).values(
                id=session.id,
                user_id=session.user_id,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                expires_at=session.expires_at,
                ended_at=session.ended_at,
                end_reason=session.end_reason.value if session.end_reason else None,
            )
        )

    def get(self, digest: str) -> AuthSession | None:
        row = self._session.execute(_SESSION_BY_ID, {"digest": digest}).mappings().one_or_none()
        return _session_from_row(row) if row else None

    def save(self, session: AuthSession) -> None:
        self._session.execute(
            update(auth_sessions)
            .where(auth_sessions.c.id == session.id)
            .values(
                last_seen_at=session.last_seen_at,
                ended_at=session.ended_at,
                end_reason=session.end_reason.value if session.end_reason else None,
            )
        )

    def open_for_user(self, user_id: str) -> Sequence[AuthSession]:
        rows = self._session.execute(
            select(auth_sessions).where(
                auth_sessions.c.user_id == user_id, auth_sessions.c.ended_at.is_(None)
            )
        ).mappings()
        return [_session_from_row(r) for r in rows]


class SqlAlchemyLoginFailureRepository(LoginFailureRepository):
    def __init__(self, session: Executor) -> None:
        self._session = session

    def record(self, username: str, at: dt.datetime) -> None:
        self._session.execute(insert(login_failures).values(username=username, occurred_at=at))

    def since(self, username: str, after: dt.datetime) -> Sequence[dt.datetime]:
        rows = self._session.execute(
            select(login_failures.c.occurred_at).where(
                login_failures.c.username == username, login_failures.c.occurred_at > after
            )
        ).scalars()
        return [at for at in rows if at is not None]


class SqlAlchemyApiTokenRepository(ApiTokenRepository):
    def __init__(self, session: Executor) -> None:
        self._session = session

    def add(self, token: ApiToken) -> None:
        self._session.execute(
            insert(api_tokens).values(
                id=token.id,
                digest=token.digest,
                user_id=token.user_id,
                label=token.label,
                created_at=token.created_at,
                expires_at=token.expires_at,
                revoked_at=token.revoked_at,
            )
        )

    def _one(self, condition: Any) -> ApiToken | None:
        row = self._session.execute(select(api_tokens).where(condition)).mappings().one_or_none()
        return _token_from_row(row) if row else None

    def get_by_digest(self, digest: str) -> ApiToken | None:
        return self._one(api_tokens.c.digest == digest)

    def get(self, ident: str) -> ApiToken | None:
        return self._one(api_tokens.c.id == ident)

    def save(self, token: ApiToken) -> None:
        self._session.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token.id)
            .values(expires_at=token.expires_at, revoked_at=token.revoked_at, label=token.label)
        )

    def listed(self, *, user_id: str | None, limit: int) -> Sequence[ApiToken]:
        statement = select(api_tokens)
        if user_id is not None:
            statement = statement.where(api_tokens.c.user_id == user_id)
        statement = statement.order_by(api_tokens.c.created_at.desc(), api_tokens.c.id).limit(limit)
        return [_token_from_row(r) for r in self._session.execute(statement).mappings()]
