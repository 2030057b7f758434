"""The pharmacy verification record and its repository port.

:class:`PharmacyVerification` — a pharmacist checked a dispensed admixture (drug, concentration,
volume, lot, beyond-use date) against a pump's order (SR-08); a refill consumes it once. When its
pump leaves the clinic's care (explant, replacement, transfer out) an unused verification is
voided with the event's reason: no refill may use it afterwards, not even after a transfer back in.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.errors import Conflict, NotFound
from thecal.domain.refill import PharmacyLabel
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "PharmacyVerification",
    "PharmacyVerificationRepository",
    "VerificationAlreadyUsed",
    "VerificationNotFound",
    "VerificationVoided",
]


class VerificationNotFound(NotFound):
    code = "THC-PHARM-001"
    template = "pharmacy verification {ident} not found"


class VerificationAlreadyUsed(Conflict):
    code = "THC-PHARM-002"
    template = "pharmacy verification {ident} was already used by refill {refill_id}: verify a new admixture"


class VerificationVoided(Conflict):
    code = "THC-PHARM-003"
    template = (
        "pharmacy verification {ident} was voided on {at}: {reason}; it cannot be filled — "
        "verify a new admixture"
    )


@dataclass(eq=False, kw_only=True)
class PharmacyVerification:
    """A verified dispensed admixture for one pump (identity ``id``; ``version`` for its one use)."""

    id: str
    pump_id: str
    patient_id: str
    label: PharmacyLabel
    verified_by: str
    verified_at: dt.datetime
    used_by_refill_id: str | None = None
    #: Why it may no longer be filled (its pump left care), when and by whom; None: valid.
    voided_reason: str | None = None
    voided_at: dt.datetime | None = None
    voided_by: str | None = None
    version: int = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PharmacyVerification) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def unused(self) -> bool:
        """Neither filled by a refill nor voided."""
        return self.used_by_refill_id is None and self.voided_reason is None

    def check_usable(self) -> None:
        """Raises VerificationAlreadyUsed or VerificationVoided unless a refill may use it."""
        if self.used_by_refill_id is not None:
            raise VerificationAlreadyUsed(ident=self.id, refill_id=self.used_by_refill_id)
        if self.voided_reason is not None:
            at = self.voided_at.isoformat() if self.voided_at is not None else "an unknown date"
            raise VerificationVoided(ident=self.id, at=at, reason=self.voided_reason)

    def use(self, refill_id: str) -> None:
        self.check_usable()
        self.used_by_refill_id = refill_id
        self.version += 1

    def void(self, *, reason: str, at: dt.datetime, by: str) -> None:
        """Void an unused verification (its pump left care) with the event's ``reason``."""
        self.check_usable()
        self.voided_reason = reason
        self.voided_at = at
        self.voided_by = by
        self.version += 1


class PharmacyVerificationRepository(VersionedRepository[PharmacyVerification]):
    kind = "pharmacy verification"

    def unused_for_pump(self, pump_id: str) -> list[PharmacyVerification]:
        """The verifications of ``pump_id`` neither used nor voided, oldest first."""
        found = [v for v in self._for_pump(pump_id) if v.unused]
        for verification in found:
            self._remember(verification)
        return sorted(found, key=lambda v: (v.verified_at, v.id))

    @abc.abstractmethod
    def _for_pump(self, pump_id: str) -> Sequence[PharmacyVerification]: ...
