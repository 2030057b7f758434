"""JSON-compatible values of the twin's parts, for saving a twin (:mod:`thecal.adapters.twin.state`).

Exact numbers travel as text: integers that can exceed a JSON double (volume units, battery
units, scaled masses) as decimal strings, fractions as ``"numerator/denominator"``. Mixtures
are written once in a :class:`MixtureTable` and referenced by index, so objects that were shared
are shared again after reading. Nothing here does I/O; the functions only map values to plain
data and back.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from thecal.domain.units import plain
from thecal.simulation.faults import TelemetryFailure
from thecal.simulation.fluid import Fluid, Mixture, Outflow
from thecal.simulation.scale import Carry
from thecal.simulation.trace import TraceRecord

__all__ = [
    "MixtureTable",
    "carry_data",
    "carry_of",
    "fraction_of",
    "fraction_text",
    "mixtures_of",
    "outflow_data",
    "record_data",
    "record_of",
    "restore_outflow",
    "rng_data",
    "rng_of",
    "telemetry_data",
]


def fraction_text(value: Fraction) -> str:
    """``"numerator/denominator"``, exactly."""
    return f"{value.numerator}/{value.denominator}"


def fraction_of(text: str) -> Fraction:
    """The fraction :func:`fraction_text` wrote."""
    numerator, denominator = text.split("/")
    return Fraction(int(numerator), int(denominator))


def carry_data(carry: Carry | None) -> list[str] | None:
    """A carried ratio as [numerator, denominator, remainder] text, or None."""
    return None if carry is None else [str(carry.num), str(carry.den), str(carry.rem)]


def carry_of(data: list[str] | None) -> Carry | None:
    """The carry :func:`carry_data` wrote (remainder included)."""
    return None if data is None else Carry(int(data[0]), int(data[1]), int(data[2]))


class MixtureTable:
    """The table of mixtures of one snapshot: each distinct object once, referenced by index."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}
        self.rows: list[list[Any]] = []

    def ref(self, mixture: Mixture) -> int:
        key = id(mixture)
        if key not in self.index:
            self.index[key] = len(self.rows)
            self.rows.append(
                [
                    [
                        fluid.key,
                        [[d, fraction_text(c)] for d, c in fluid.mcg_per_ml],
                        fraction_text(weight),
                    ]
                    for fluid, weight in mixture.parts
                ]
            )
        return self.index[key]


def mixtures_of(rows: list[list[Any]]) -> list[Mixture]:
    """The mixtures of a :class:`MixtureTable`, one new object per row, by index."""
    mixtures = []
    for parts in rows:
        weights = {
            Fluid(key=key, mcg_per_ml=tuple((d, fraction_of(c)) for d, c in conc)): fraction_of(
                weight
            )
            for key, conc, weight in parts
        }
        mixtures.append(Mixture.blend(weights))
    return mixtures


def outflow_data(outflow: Outflow) -> dict[str, Any]:
    """Volume and mass per drug of an outflow (tip, tissue, pocket), in first-seen order."""
    return {
        "units": str(outflow.units),
        "scaled": [[drug, str(value)] for drug, value in outflow.scaled.items()],
        "exact_mcg": [[drug, fraction_text(value)] for drug, value in outflow.exact.items()],
    }


def restore_outflow(outflow: Outflow, data: dict[str, Any]) -> None:
    """Set ``outflow`` to what :func:`outflow_data` wrote."""
    outflow.units = int(data["units"])
    outflow.scaled = {drug: int(value) for drug, value in data["scaled"]}
    outflow.exact = {drug: fraction_of(value) for drug, value in data["exact_mcg"]}


def rng_data(rng: random.Random) -> dict[str, Any]:
    """The generator's state: its words, and its cached Gaussian (if any) as a hex float."""
    version, words, gauss = rng.getstate()
    return {
        "state": [version, list(words)],
        "gauss_next": None if gauss is None else float.hex(gauss),
    }


def telemetry_data(failure: TelemetryFailure | None) -> dict[str, Any] | None:
    """A running telemetry failure (its duration and whether commands still arrive)."""
    if failure is None:
        return None
    duration = failure.duration
    return {
        "duration_s": plain(duration.value) if duration is not None else None,
        "applied": failure.applied,
    }


def record_data(record: TraceRecord) -> list[Any]:
    """A trace record as a list in field order, exact numbers as text."""
    return [
        record.at_us,
        record.kind,
        record.name,
        record.priority,
        record.detail,
        str(record.believed_units),
        str(record.true_units),
        str(record.tip_units),
        str(record.tissue_units),
        str(record.pocket_units),
        [[drug, str(value)] for drug, value in record.tip_scaled],
        list(record.alarms),
        [[drug, fraction_text(value)] for drug, value in record.tip_exact],
    ]


def record_of(row: list[Any]) -> TraceRecord:
    """The trace record :func:`record_data` wrote."""
    return TraceRecord(
        at_us=row[0],
        kind=row[1],
        name=row[2],
        priority=row[3],
        detail=row[4],
        believed_units=int(row[5]),
        true_units=int(row[6]),
        tip_units=int(row[7]),
        tissue_units=int(row[8]),
        pocket_units=int(row[9]),
        tip_scaled=tuple((drug, int(value)) for drug, value in row[10]),
        alarms=tuple(row[11]),
        tip_exact=tuple((drug, fraction_of(value)) for drug, value in row[12]),
    )


def rng_of(data: dict[str, Any]) -> random.Random:
    """A generator in the state :func:`rng_data` saved."""
    rng = random.Random(0)
    state, gauss = data["state"], data["gauss_next"]
    rng.setstate((state[0], tuple(state[1]), None if gauss is None else float.fromhex(gauss)))
    return rng
