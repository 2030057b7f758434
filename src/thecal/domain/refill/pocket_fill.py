"""The pocket-fill checklist the nurse completes after the test injection (S74, S77, S84).

The ~5 mL of new drug is injected and aspirated back before the rest is instilled (S74); a negative
aspiration stops the refill. Then every item of the checklist must be "yes" before the refill may
be completed; anything else is a reason to halt it (possible pocket fill, S77; doubtful needle
placement, S84).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["PocketFillChecklist"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PocketFillChecklist:
    """The nurse's post-injection checks (S74 aspiration, S77 pocket fill, S84 needle placement)."""

    needle_placement_confirmed: bool
    aspiration_positive: bool
    no_pocket_swelling_or_pain: bool
    observed_for_overdose_symptoms: bool

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is not True)
