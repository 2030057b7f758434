"""The trace: one typed record per thing that happened, written as CSV or JSON lines.

A record carries the moment, what happened and a snapshot of both truths (the pump's believed
reservoir next to the real one, and the cumulative dose of each drug at the catheter tip), so a
plot or a golden-trace test needs nothing else. Numbers are kept as exact integers/fractions in
the record and rendered only by the writers, in fixed units named in the column header.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import NamedTuple, TextIO

from thecal.domain.units import plain
from thecal.simulation.fluid import MASS_DENOMINATOR
from thecal.simulation.scale import UNITS_PER_ML, US_PER_HOUR

__all__ = ["TraceRecord", "drug_columns", "write_csv", "write_jsonl"]

_ML_PLACES = Decimal("0.000001")  # 1 nL
_MCG_PLACES = Decimal("0.001")  # 1 ng
_HOUR_PLACES = Decimal("0.000001")


class TraceRecord(NamedTuple):
    """One trace line. Volumes in volume units, masses in exact mcg (see :mod:`.scale`).

    An immutable named tuple (a typed row) rather than a frozen dataclass: the twin writes one
    per event, and a 13-field frozen dataclass cost more to build than the rest of recording.
    """

    at_us: int
    kind: str  # start, sample, command, alarm, bolus, fault, hazard, state, end
    name: str  # e.g. low-reservoir, refill, granted, motor-stall
    priority: str  # high / medium / low, or "" when not an alarm
    detail: str
    believed_units: int
    true_units: int
    tip_units: int
    tissue_units: int
    pocket_units: int
    tip_scaled: tuple[tuple[str, int], ...]  # per drug, in 1/MASS_DENOMINATOR mcg
    alarms: tuple[str, ...]
    tip_exact: tuple[tuple[str, Fraction], ...] = ()  # per drug, mcg the integer scale cannot hold

    @property
    def tip_mcg(self) -> tuple[tuple[str, Fraction], ...]:
        """Cumulative mass of each drug at the tip, exact, in mcg (first-delivered order).

        Kept as the tip's raw integers and only turned into fractions when read: building a
        fraction per drug for every record was most of the cost of recording a trace.
        """
        total = {drug: Fraction(value, MASS_DENOMINATOR) for drug, value in self.tip_scaled}
        for drug, value in self.tip_exact:
            total[drug] = total.get(drug, Fraction(0)) + value
        return tuple(total.items())

    def tip_mcg_of(self, drug: str) -> Fraction:
        return next((mcg for d, mcg in self.tip_mcg if d == drug), Fraction(0))


def _ml(units: int) -> str:
    value = (Decimal(units) / Decimal(UNITS_PER_ML)).quantize(_ML_PLACES, ROUND_HALF_EVEN)
    return plain(value)


def _mcg(mcg: Fraction) -> str:
    value = (Decimal(mcg.numerator) / Decimal(mcg.denominator)).quantize(
        _MCG_PLACES, ROUND_HALF_EVEN
    )
    return plain(value)


def drug_columns(records: Iterable[TraceRecord]) -> list[str]:
    """Every drug that appears at the tip, in first-seen order."""
    seen: dict[str, None] = {}
    for record in records:
        for drug, _ in record.tip_mcg:
            seen.setdefault(drug, None)
    return list(seen)


def _row(record: TraceRecord, start: dt.datetime, drugs: Sequence[str]) -> dict[str, str]:
    at = start + dt.timedelta(microseconds=record.at_us)
    hours = (Decimal(record.at_us) / US_PER_HOUR).quantize(_HOUR_PLACES, ROUND_HALF_EVEN)
    row = {
        "at": at.isoformat(),
        "elapsed_h": plain(hours),
        "kind": record.kind,
        "name": record.name,
        "priority": record.priority,
        "detail": record.detail,
        "believed_reservoir_ml": _ml(record.believed_units),
        "true_reservoir_ml": _ml(record.true_units),
        "tip_volume_ml": _ml(record.tip_units),
        "tissue_volume_ml": _ml(record.tissue_units),
        "pocket_volume_ml": _ml(record.pocket_units),
    }
    for drug in drugs:
        row[f"tip_{drug}_mcg"] = _mcg(record.tip_mcg_of(drug))
    row["alarms"] = " ".join(record.alarms)
    return row


def write_csv(records: Sequence[TraceRecord], stream: TextIO, *, start: dt.datetime) -> None:
    """Write the trace as CSV (one header line, then one line per record)."""
    drugs = drug_columns(records)
    rows = [_row(record, start, drugs) for record in records]
    fields = list(rows[0]) if rows else ["at"]
    writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def write_jsonl(records: Sequence[TraceRecord], stream: TextIO, *, start: dt.datetime) -> None:
    """Write the trace as JSON lines (one object per record, same fields as the CSV)."""
    drugs = drug_columns(records)
    stream.writelines(
        json.dumps(_row(record, start, drugs), ensure_ascii=False) + "\n" for record in records
    )
