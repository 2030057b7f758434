"""Patient-reported outcome instruments: checked answers in, exact scores out.

One module per instrument — :mod:`.nrs`, :mod:`.bpi`, :mod:`.odi`, :mod:`.pgic`, :mod:`.eq5d`
(with :mod:`.eq5d_value_set`) — each with a frozen ``…Response`` (checked answers, built directly
or by ``from_answers`` from a ``dict[str, int | None]``), a frozen ``…Score`` (``Decimal`` scores,
never floats; a score that cannot be computed is ``None`` with its reason) and a ``score_…``
function. :func:`score_responses` scores raw answers by :class:`Instrument` code. Every refused
answer raises a subclass of :class:`InstrumentInputError` (``THC-PRO-*``).
"""

from __future__ import annotations

from thecal.domain.instruments.bpi import (
    BPI_INTERFERENCE_ITEMS,
    BPI_SEVERITY_ITEMS,
    BpiResponse,
    BpiScore,
    BpiSeverityBand,
    score_bpi,
)
from thecal.domain.instruments.eq5d import Eq5d5lResponse, Eq5d5lScore, score_eq5d5l
from thecal.domain.instruments.eq5d_value_set import (
    Eq5dDimension,
    ValueSet,
    load_value_set_toml,
    value_set_from_mapping,
)
from thecal.domain.instruments.errors import (
    AnswerNotWholeNumber,
    AnswerOutOfRange,
    InstrumentInputError,
    NotAnImprovementCategory,
    RequiredAnswerMissing,
    UnknownDimension,
    UnknownInstrument,
    UnknownItem,
    ValueSetInvalid,
    WrongItemCount,
)
from thecal.domain.instruments.nrs import NrsResponse, NrsScore, score_nrs
from thecal.domain.instruments.odi import ODI_ITEMS, OdiBand, OdiResponse, OdiScore, score_odi
from thecal.domain.instruments.pgic import Pgic, PgicResponse, PgicScore, score_pgic
from thecal.domain.instruments.registry import (
    Instrument,
    InstrumentScore,
    ScoringRules,
    score_responses,
)

__all__ = [
    "BPI_INTERFERENCE_ITEMS",
    "BPI_SEVERITY_ITEMS",
    "ODI_ITEMS",
    "AnswerNotWholeNumber",
    "AnswerOutOfRange",
    "BpiResponse",
    "BpiScore",
    "BpiSeverityBand",
    "Eq5d5lResponse",
    "Eq5d5lScore",
    "Eq5dDimension",
    "Instrument",
    "InstrumentInputError",
    "InstrumentScore",
    "NotAnImprovementCategory",
    "NrsResponse",
    "NrsScore",
    "OdiBand",
    "OdiResponse",
    "OdiScore",
    "Pgic",
    "PgicResponse",
    "PgicScore",
    "RequiredAnswerMissing",
    "ScoringRules",
    "UnknownDimension",
    "UnknownInstrument",
    "UnknownItem",
    "ValueSet",
    "ValueSetInvalid",
    "WrongItemCount",
    "load_value_set_toml",
    "score_bpi",
    "score_eq5d5l",
    "score_nrs",
    "score_odi",
    "score_pgic",
    "score_responses",
    "value_set_from_mapping",
]
