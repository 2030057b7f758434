"""The instrument registry: stable codes, and scoring of raw answers by code.

This is the entry the persistence layer uses: it stores an assessment as an instrument code plus a
``dict[str, int | None]`` of answers, and calls :func:`score_responses` to score it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from thecal.domain.instruments.bpi import BPI_ITEMS, BpiResponse, BpiScore, score_bpi
from thecal.domain.instruments.eq5d import EQ5D_ITEMS, Eq5d5lResponse, Eq5d5lScore, score_eq5d5l
from thecal.domain.instruments.eq5d_value_set import ValueSet
from thecal.domain.instruments.errors import UnknownInstrument
from thecal.domain.instruments.nrs import NRS_ITEMS, NrsResponse, NrsScore, score_nrs
from thecal.domain.instruments.odi import (
    DEFAULT_MAX_MISSING_SECTIONS,
    ODI_ITEMS,
    OdiResponse,
    OdiScore,
    score_odi,
)
from thecal.domain.instruments.pgic import PGIC_ITEMS, PgicResponse, PgicScore, score_pgic

__all__ = ["Instrument", "InstrumentScore", "ScoringRules", "score_responses"]

#: What :func:`score_responses` returns; the type tells which instrument was scored.
InstrumentScore: TypeAlias = NrsScore | BpiScore | OdiScore | PgicScore | Eq5d5lScore


class Instrument(Enum):
    """The patient-reported outcome instruments thecal scores; the value is the stable code."""

    NRS = "nrs"
    BPI_SF = "bpi-sf"
    ODI = "odi"
    PGIC = "pgic"
    EQ5D5L = "eq5d5l"

    @classmethod
    def from_code(cls, code: str) -> Instrument:
        """The instrument with the stable ``code``.

        Raises:
            UnknownInstrument: no instrument has that code.
        """
        for instrument in cls:
            if instrument.value == code:
                return instrument
        raise UnknownInstrument(code=code, known=", ".join(member.value for member in cls))

    @property
    def items(self) -> tuple[str, ...]:
        """The answer keys this instrument accepts, in questionnaire order."""
        return _ITEMS[self]


_ITEMS: Mapping[Instrument, tuple[str, ...]] = {
    Instrument.NRS: NRS_ITEMS,
    Instrument.BPI_SF: BPI_ITEMS,
    Instrument.ODI: ODI_ITEMS,
    Instrument.PGIC: PGIC_ITEMS,
    Instrument.EQ5D5L: EQ5D_ITEMS,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringRules:
    """Clinic-configurable missing-item rules and the EQ-5D value set.

    Attributes:
        bpi_min_severity_items: severity items needed for a BPI severity score (default 4, all;
            see :mod:`~thecal.domain.instruments.bpi`).
        bpi_min_interference_items: interference items needed (default 4 of 7 [S116, S117]).
        odi_max_missing_sections: blank ODI sections still scored (default 2; our policy, see
            :mod:`~thecal.domain.instruments.odi`).
        eq5d_value_set: the clinic's licensed value set, or ``None`` (no index) [S120].
    """

    bpi_min_severity_items: int = 4
    bpi_min_interference_items: int = 4
    odi_max_missing_sections: int = DEFAULT_MAX_MISSING_SECTIONS
    eq5d_value_set: ValueSet | None = None


def score_responses(
    instrument: Instrument,
    answers: Mapping[str, int | None],
    *,
    rules: ScoringRules | None = None,
) -> InstrumentScore:
    """Check and score raw answers of ``instrument``.

    Args:
        instrument: which questionnaire the answers belong to.
        answers: answers keyed by item name (see :attr:`Instrument.items`); an absent key or
            ``None`` is an unanswered item.
        rules: missing-item rules and value set; ``None`` means the defaults.

    Returns:
        The instrument's score type (:class:`NrsScore`, :class:`BpiScore`, :class:`OdiScore`,
        :class:`PgicScore` or :class:`Eq5d5lScore`).

    Raises:
        InstrumentInputError: a subclass naming exactly what is wrong with the answers.
    """
    rules = rules or ScoringRules()
    match instrument:
        case Instrument.NRS:
            return score_nrs(NrsResponse.from_answers(answers))
        case Instrument.BPI_SF:
            return score_bpi(
                BpiResponse.from_answers(answers),
                min_severity_items=rules.bpi_min_severity_items,
                min_interference_items=rules.bpi_min_interference_items,
            )
        case Instrument.ODI:
            return score_odi(
                OdiResponse.from_answers(answers),
                max_missing_sections=rules.odi_max_missing_sections,
            )
        case Instrument.PGIC:
            return score_pgic(PgicResponse.from_answers(answers))
        case Instrument.EQ5D5L:
            return score_eq5d5l(
                Eq5d5lResponse.from_answers(answers), value_set=rules.eq5d_value_set
            )
