"""The password-hashing port: an adaptive, salted hash (SR-19; ASVS 4.0.3 2.4, safety:S105).

The adapter (``thecal.adapters.passwords.Argon2PasswordHasher``) uses Argon2id. Use cases never
see a password again after hashing it, and never store or log one.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PasswordHasher"]


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str:
        """A self-describing salted hash (algorithm and parameters included)."""
        ...

    def verify(self, stored_hash: str, password: str) -> bool:
        """True only when ``password`` matches ``stored_hash``; never raises for a mismatch."""
        ...

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when ``stored_hash`` was made with weaker parameters than the current ones."""
        ...
