"""The patient repository port and its allow-listed search (SR-22)."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.errors import RequestInvalid
from thecal.domain.patient import Patient
from thecal.services.repositories.versioned import (
    VersionedRepository,
)

__all__ = [
    "MAX_SEARCH_RESULTS",
    "PatientQuery",
    "PatientRepository",
]

MAX_SEARCH_RESULTS = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientQuery:
    """Allow-listed search criteria (SR-22): exact MRN, family-name prefix, exact birth date."""

    mrn: str | None = None
    family_name_prefix: str | None = None
    birth_date: dt.date | None = None
    limit: int = 25
    #: Only these patients (a clinician's care-team reach, SR-21); None: every patient.
    within: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.mrn is None and not self.family_name_prefix and self.birth_date is None:
            raise RequestInvalid(
                where="search", detail="give an MRN, a family name or a birth date"
            )
        if not 1 <= self.limit <= MAX_SEARCH_RESULTS:
            raise RequestInvalid(where="limit", detail=f"must be 1–{MAX_SEARCH_RESULTS}")


class PatientRepository(VersionedRepository[Patient]):
    kind = "patient"

    def get_by_mrn(self, mrn: str) -> Patient | None:
        return self._remember(self._get_by_mrn(mrn))

    def search(self, query: PatientQuery) -> Sequence[Patient]:
        """Matches ordered by family name, given names, id; at most ``query.limit``."""
        return [p for p in self._search(query) if self._remember(p)]

    @abc.abstractmethod
    def _get_by_mrn(self, mrn: str) -> Patient | None: ...

    @abc.abstractmethod
    def _search(self, query: PatientQuery) -> Sequence[Patient]: ...
