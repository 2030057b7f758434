"""Reference numbers that carry their source and how sure we are of them.

Every clinical or device number in thecal's reference data is a :class:`Sourced` value: the value,
the source key from ``shared/reference/clinical.md`` §12 (for example ``"S12"``), and a
:class:`Confidence` tag. Outputs show unconfirmed values as unconfirmed (``[U]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

__all__ = ["Confidence", "Sourced"]

T = TypeVar("T")


class Confidence(Enum):
    """Confidence tags of ``clinical.md`` §0, plus ``A`` for twin model assumptions."""

    CONFIRMED = "C"  # read in the retrieved source text
    UNCONFIRMED = "U"  # widely quoted, not read in a primary source: verify before relying on it
    DISPUTED = "D"  # sources disagree; the chosen value is clinic policy
    ASSUMED = "A"  # a device-model parameter the twin needs that no retrieved source gives

    @property
    def tag(self) -> str:
        return f"[{self.value}]"

    @property
    def confirmed(self) -> bool:
        return self is Confidence.CONFIRMED


@dataclass(frozen=True, slots=True, kw_only=True)
class Sourced(Generic[T]):
    """A value with the source key(s) behind it and a confidence tag."""

    value: T
    source: str
    confidence: Confidence
    note: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confidence.confirmed

    def cite(self) -> str:
        """Short citation such as ``"S12 [C]"``."""
        return f"{self.source} {self.confidence.tag}"
