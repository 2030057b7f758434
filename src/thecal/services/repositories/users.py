"""The user account repository port (log-in accounts of every role)."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from thecal.domain.users import User
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "UserRepository",
]


class UserRepository(VersionedRepository[User]):
    kind = "user"

    def get_by_username(self, username: str) -> User | None:
        return self._remember(self._get_by_username(username))

    def page(self, *, limit: int, offset: int = 0) -> Sequence[User]:
        """Accounts ordered by username, ``offset`` skipped, at most ``limit``."""
        return [u for u in self._page(limit=limit, offset=offset) if self._remember(u)]

    @abc.abstractmethod
    def _get_by_username(self, username: str) -> User | None: ...

    @abc.abstractmethod
    def _page(self, *, limit: int, offset: int) -> Sequence[User]: ...
