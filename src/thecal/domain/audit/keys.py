"""Audit keys: which HMAC key signed an entry, and the order the keys were put in service.

Every audit entry names the key that signed it (``key_id``). A clinic rotates its key by adding a
new one at the end of its key ring (``thecal audit rotate-key``): from then on entries are signed
with the newest key, and older entries keep verifying under the key that signed them. Keys are
used in ring order, so along the chain the key ids never go back: an entry signed with a key
retired before its predecessor's key is a break (someone holding an old, perhaps leaked, key is
writing). Secrets never appear in ``repr`` or messages.

The checkpoints written outside the database (:mod:`thecal.domain.audit.checkpoints`) are signed
with a key derived from the same secret (HMAC of a fixed label), so a checkpoint signature can
never be mistaken for an entry digest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from thecal.domain.errors import RequestInvalid, WorkflowError

__all__ = [
    "DEFAULT_KEY_ID",
    "MIN_KEY_BYTES",
    "AuditKey",
    "AuditKeyInvalid",
    "AuditKeyRing",
    "AuditKeyUnknown",
]

#: The id of the first key (``THECAL_AUDIT_KEY``); entries written before key ids existed have it.
DEFAULT_KEY_ID = "k1"
MIN_KEY_BYTES = 16
_KEY_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
_NUMBERED = re.compile(r"k([0-9]{1,9})")
_CHECKPOINT_LABEL = b"thecal-audit-checkpoint/1"


class AuditKeyInvalid(RequestInvalid):
    code = "THC-AUDIT-002"
    template = "audit key {key_id!r}: {detail}"


class AuditKeyUnknown(WorkflowError):
    """The chain names a key this process does not hold (a rotation it has not seen)."""

    code = "THC-AUDIT-003"
    template = (
        "the audit chain's last entry was signed with key {key_id!r}, which this key ring does "
        "not hold (it holds {known}); add the key file that `thecal audit rotate-key` wrote "
        "(THECAL_AUDIT_KEY_FILE) to this server's settings"
    )


@dataclass(frozen=True, slots=True)
class AuditKey:
    """One HMAC key and its id; ``repr`` never shows the secret."""

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.key_id):
            raise AuditKeyInvalid(
                key_id=self.key_id,
                detail="an id is 1–32 lower-case letters, digits, '.', '_' or '-'",
            )
        if len(self.secret) < MIN_KEY_BYTES:
            raise AuditKeyInvalid(
                key_id=self.key_id, detail=f"the secret must be at least {MIN_KEY_BYTES} bytes"
            )

    @property
    def checkpoint_secret(self) -> bytes:
        """The key that signs checkpoints: derived, so it never equals the entry key."""
        return hmac.digest(self.secret, _CHECKPOINT_LABEL, hashlib.sha256)


class AuditKeyRing:
    """The keys in the order they were put in service; the last one signs new entries."""

    __slots__ = ("_keys", "_rank")

    def __init__(self, keys: Iterable[AuditKey]) -> None:
        self._keys = tuple(keys)
        if not self._keys:
            raise AuditKeyInvalid(key_id="", detail="a key ring holds at least one key")
        self._rank: dict[str, int] = {}
        for index, key in enumerate(self._keys):
            if key.key_id in self._rank:
                raise AuditKeyInvalid(key_id=key.key_id, detail="appears twice in the key ring")
            self._rank[key.key_id] = index

    @classmethod
    def single(cls, secret: bytes, key_id: str = DEFAULT_KEY_ID) -> AuditKeyRing:
        return cls([AuditKey(key_id, secret)])

    def __repr__(self) -> str:
        return f"AuditKeyRing({', '.join(self.ids)})"

    def __iter__(self) -> Iterator[AuditKey]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key.key_id for key in self._keys)

    @property
    def signing(self) -> AuditKey:
        """The newest key: it signs every new entry and checkpoint."""
        return self._keys[-1]

    def get(self, key_id: str) -> AuditKey | None:
        rank = self._rank.get(key_id)
        return None if rank is None else self._keys[rank]

    def rank(self, key_id: str) -> int | None:
        """The key's place in service order (0: the first key); None if not in the ring."""
        return self._rank.get(key_id)

    def with_key(self, key: AuditKey) -> AuditKeyRing:
        """This ring with ``key`` put in service after the others."""
        return AuditKeyRing([*self._keys, key])

    def next_key_id(self) -> str:
        """``k<n+1>`` after the highest numbered id in the ring."""
        numbers = [int(m.group(1)) for m in map(_NUMBERED.fullmatch, self.ids) if m is not None]
        candidate = max(numbers, default=len(self._keys)) + 1
        while f"k{candidate}" in self._rank:  # pragma: no cover - only with hand-made ids
            candidate += 1
        return f"k{candidate}"
