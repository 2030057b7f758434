"""What the nurse read at the bedside: the withdrawn residual and the injected volume.

clinical.md §11 rule 8: (a) record the withdrawn residual against the pump-predicted one; (b) record
the injected volume against the pump's reservoir after the refill. The nurse reads both off the
syringes; the pump (the twin in demo mode) has its own figures. A reading that differs from the
pump's by more than the model's discrepancy threshold (> 1 mL for 20 mL pumps, > 2 mL for 40 mL
pumps, S75) is a finding (ITS-REFILL-013), never an overwrite: the record keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.units import Volume

__all__ = ["BedsideReadings"]

_ZERO = Volume(Decimal(0))


@dataclass(frozen=True, slots=True, kw_only=True)
class BedsideReadings:
    """The volumes the nurse read off the syringes (None: not read)."""

    withdrawn: Volume | None = None
    injected: Volume | None = None

    def __post_init__(self) -> None:
        if self.withdrawn is not None and self.withdrawn < _ZERO:
            raise ValueOutOfRange(name="withdrawn volume", expected="≥ 0 mL", value=self.withdrawn)
        if self.injected is not None and not self.injected > _ZERO:
            raise ValueOutOfRange(name="injected volume", expected="> 0 mL", value=self.injected)

    @property
    def empty(self) -> bool:
        return self.withdrawn is None and self.injected is None
