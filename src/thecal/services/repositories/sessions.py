"""Repository ports for log-in sessions, failed log-ins and API tokens.

These records are security bookkeeping, not clinical aggregates: they have no version (a session
has one writer, its own browser) and their writes are audited by the identity use cases where it
matters (login, logout, expiry, token issue).
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence

from thecal.domain.sessions import ApiToken, AuthSession

__all__ = [
    "ApiTokenRepository",
    "LoginFailureRepository",
    "SessionRepository",
]


class SessionRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, session: AuthSession) -> None: ...

    @abc.abstractmethod
    def get(self, digest: str) -> AuthSession | None: ...

    @abc.abstractmethod
    def save(self, session: AuthSession) -> None:
        """Store ``last_seen_at`` and the end of a session loaded through this repository."""

    @abc.abstractmethod
    def open_for_user(self, user_id: str) -> Sequence[AuthSession]:
        """The user's sessions not yet ended (expired ones included: their end is not recorded)."""


class LoginFailureRepository(abc.ABC):
    @abc.abstractmethod
    def record(self, username: str, at: dt.datetime) -> None: ...

    @abc.abstractmethod
    def since(self, username: str, after: dt.datetime) -> Sequence[dt.datetime]:
        """The times of this username's failures strictly after ``after``."""


class ApiTokenRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, token: ApiToken) -> None: ...

    @abc.abstractmethod
    def get_by_digest(self, digest: str) -> ApiToken | None: ...

    @abc.abstractmethod
    def get(self, ident: str) -> ApiToken | None: ...

    @abc.abstractmethod
    def save(self, token: ApiToken) -> None: ...

    @abc.abstractmethod
    def listed(self, *, user_id: str | None, limit: int) -> Sequence[ApiToken]:
        """Tokens newest first (of ``user_id``, or of every account when None), at most ``limit``."""
