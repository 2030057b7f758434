"""The last interrogation's result as the pump page shows it after the "Interrogate" button
(post/redirect/get, issue 13 §5): read back from the record, so a reload of the page repeats
nothing and shows the same result.

What the record keeps of an interrogation: the pump's count beside the record's estimate just
before it (``pump.reservoir_reading``, the discrepancy judged against the model's accuracy band),
the alarms it read (the device log; the glance lists those still active), the program changes it
settled (their transitions at that instant) and, when it confirmed a program (or found the old
one still running), that program as the one the pump reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.library import reference_library
from thecal.domain.program_change import ProgramChange, ProgramChangeState, program_parameters
from thecal.domain.quantity_display import shown
from thecal.domain.reservoir import reservoir_gap_exceeds
from thecal.domain.units import Volume, plain
from thecal.services.pump_record import Pump

__all__ = ["InterrogationText", "interrogation_text"]

#: a settled change whose state means the pump runs the program on record
_RUNS_RECORD = frozenset({ProgramChangeState.CONFIRMED, ProgramChangeState.NOT_DELIVERED})


@dataclass(frozen=True, slots=True, kw_only=True)
class InterrogationText:
    at: dt.datetime
    pump_count: str
    by_record: str
    gap: str  # "the pump counts 0.3 mL less than the record expected" or "matches"
    band: str  # within or beyond the model's accuracy band, in words
    beyond_band: bool
    settled: tuple[tuple[str, str], ...]  # (change id, its state now)
    program: tuple[tuple[str, str], ...]  # the program the pump reports, when the record knows it
    newer: bool  # a later interrogation replaced the one asked for


def _gap(gap: Volume) -> str:
    if round(gap.value, 3) == 0:  # nothing at the display precision (not "≈ 0 mL more")
        return "the pump's count matches the record (a difference under 0.001 mL)"
    side = "less" if gap.value > 0 else "more"
    return f"the pump counts {shown(Volume(abs(gap.value)))} {side} than the record expected"


def interrogation_text(
    pump: Pump, changes: list[ProgramChange], *, asked: dt.datetime | None
) -> InterrogationText | None:
    """The pump's last interrogation (None: never interrogated); ``asked`` is the instant the
    redirect named, to say when a later interrogation has replaced it."""
    reading = pump.reservoir_reading
    if reading is None:
        return None
    model = reference_library().pump(pump.model_id)
    band = model.accuracy_band_pct.value
    stroke = model.stroke_volume.value if model.stroke_volume is not None else None
    beyond = not pump.emptied and reservoir_gap_exceeds(reading, band, resolution=stroke)
    settled = [
        change
        for change in changes
        if any(t.at == reading.at and t.action.startswith("interrogate") for t in change.history)
    ]
    known = pump.program_since == reading.at or any(c.state in _RUNS_RECORD for c in settled)
    return InterrogationText(
        at=reading.at,
        pump_count=shown(reading.pump_count),
        by_record=shown(reading.by_record),
        gap=_gap(reading.gap),
        band=(
            f"beyond the model's ±{plain(band)} % accuracy of the {shown(reading.delivered)} "
            "delivered since the last fill or count: a reservoir-discrepancy finding is on the "
            "worklist"
            if beyond
            else f"within the model's ±{plain(band)} % accuracy of the "
            f"{shown(reading.delivered)} delivered since the last fill or count"
        ),
        beyond_band=beyond,
        settled=tuple((c.change_id, c.state.value) for c in settled),
        program=tuple(program_parameters(pump.program)) if known else (),
        newer=asked is not None and asked < reading.at,
    )
