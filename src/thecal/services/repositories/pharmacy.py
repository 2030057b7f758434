"""The pharmacy verification record and its repository port.

:class:`PharmacyVerification` — a pharmacist checked a dispensed admixture (drug, concentration,
volume, lot, beyond-use date) against a pump's order (SR-08); a refill consumes it once.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
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
]


class VerificationNotFound(NotFound):
    code = "THC-PHARM-001"
    template = "pharmacy verification {ident} not found"


class VerificationAlreadyUsed(Conflict):
    code = "THC-PHARM-002"
    template = "pharmacy verification {ident} was already used by refill {refill_id}: verify a new admixture"


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
    version: int = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PharmacyVerification) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def use(self, refill_id: str) -> None:
        if self.used_by_refill_id is not None:
            raise VerificationAlreadyUsed(ident=self.id, refill_id=self.used_by_refill_id)
        self.used_by_refill_id = refill_id
        self.version += 1


class PharmacyVerificationRepository(VersionedRepository[PharmacyVerification]):
    kind = "pharmacy verification"

    @abstractmethod
    def unused_for_pump(self, pump_id: str) -> list[PharmacyVerification]:
        """The pump's verifications no refill has used yet, newest first (read only)."""
