"""The referral repository port."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence

from thecal.domain.scheduling import Referral, ReferralState
from thecal.services.repositories.versioned import VersionedRepository

__all__ = ["ReferralRepository"]


class ReferralRepository(VersionedRepository[Referral]):
    kind = "referral"

    def page(
        self, *, states: frozenset[ReferralState] | None, limit: int, offset: int
    ) -> Sequence[Referral]:
        """Referrals, oldest received first, of the given states (None: all)."""
        return [
            r for r in self._page(states=states, limit=limit, offset=offset) if self._remember(r)
        ]

    @abc.abstractmethod
    def _page(
        self, *, states: frozenset[ReferralState] | None, limit: int, offset: int
    ) -> Sequence[Referral]: ...

    def for_patient(self, patient_id: str) -> Sequence[Referral]:
        """The referrals accepted into this patient's record."""
        return [r for r in self._for_patient(patient_id) if self._remember(r)]

    @abc.abstractmethod
    def _for_patient(self, patient_id: str) -> Sequence[Referral]: ...

    @abc.abstractmethod
    def count_from(self, client_key: str, *, since: dt.datetime) -> int:
        """How many referrals this client key sent since ``since`` (throttling)."""
