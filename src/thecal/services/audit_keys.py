"""Where the audit key ring comes from (port), and the fixed ring tests and tools use.

Every append signs with the ring's newest key. A process learns of a rotation made by another
process (``thecal audit rotate-key`` while a server runs) from the chain itself: when the head
names a key the ring does not hold, :meth:`AuditKeys.for_append` reloads the ring once before it
refuses. Keys are never written to the database; only their ids are.
"""

from __future__ import annotations

import abc

from thecal.domain.audit import AuditKey, AuditKeyRing, AuditKeyUnknown
from thecal.domain.errors import WorkflowError

__all__ = ["AuditKeyRotationUnavailable", "AuditKeys", "StaticAuditKeys"]


class AuditKeyRotationUnavailable(WorkflowError):
    code = "THC-AUDIT-006"
    template = (
        "audit key rotation needs a key file: set THECAL_AUDIT_KEY_FILE to a path outside the "
        "database (it is created, readable by its owner only) and run the command again"
    )


class AuditKeys(abc.ABC):
    """The key ring of this process."""

    @abc.abstractmethod
    def ring(self) -> AuditKeyRing:
        """The ring as last loaded."""

    def reload(self) -> AuditKeyRing:
        """Read the ring again from where it is kept (a fixed ring: the same)."""
        return self.ring()

    def add_key(self) -> AuditKey:
        """Put a new random key in service after the others and return it.

        Raises:
            AuditKeyRotationUnavailable: this ring cannot be extended (no key file).
        """
        raise AuditKeyRotationUnavailable

    def for_append(self, head_key_id: str | None) -> AuditKey:
        """The key to sign the entry after a head signed with ``head_key_id``: the newest.

        Raises:
            AuditKeyUnknown: the head names a key this process cannot find even after reloading.
        """
        ring = self.ring()
        if head_key_id is not None and ring.rank(head_key_id) is None:
            ring = self.reload()
            if ring.rank(head_key_id) is None:
                raise AuditKeyUnknown(key_id=head_key_id, known=", ".join(ring.ids))
        return ring.signing


class StaticAuditKeys(AuditKeys):
    """A ring fixed when built (one key from the environment, or a test's keys)."""

    def __init__(self, ring: AuditKeyRing) -> None:
        self._ring = ring

    @classmethod
    def of(cls, keys: bytes | AuditKeyRing | AuditKeys) -> AuditKeys:
        """``keys`` as a source: a secret is the one key ``k1``; a source is kept as it is."""
        if isinstance(keys, AuditKeys):
            return keys
        return cls(keys if isinstance(keys, AuditKeyRing) else AuditKeyRing.single(keys))

    def ring(self) -> AuditKeyRing:
        return self._ring
