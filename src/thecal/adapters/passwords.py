"""Argon2id password hashing (SR-19; ASVS 4.0.3 2.4, safety:S105), behind the services' port.

The defaults are argon2-cffi's RFC 9106 "low memory" profile (t=3, m=64 MiB, p=4). Tests may
pass cheaper parameters; a hash made with weaker parameters is re-hashed at the next log-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["Argon2PasswordHasher"]


class Argon2PasswordHasher:
    """Implements :class:`thecal.services.passwords.PasswordHasher` with Argon2id."""

    def __init__(self, *, time_cost: int | None = None, memory_cost_kib: int | None = None) -> None:
        default = _Argon2()
        self._argon2 = _Argon2(
            time_cost=time_cost if time_cost is not None else default.time_cost,
            memory_cost=memory_cost_kib if memory_cost_kib is not None else default.memory_cost,
        )

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
