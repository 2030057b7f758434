"""The record's reservoir estimate from the real history (issue 18 §1).

What the reservoir holds at a time ``t``, by the record, is the last **anchor** — the volume put in
at the last fill, or the pump's own count read by the last interrogation after it, whichever is
later — less what every program that ran since the anchor delivered, **piecewise** (each program
from the time it started running), less every patient bolus logged since the anchor.

A program's span starts when it was written to the pump (the send, :class:`SpanBasis`):

* ``confirmed`` — an interrogation showed the pump runs it; it has run since its send.
* ``sent-acknowledged`` — the pump acknowledged the write but no interrogation has confirmed it
  yet: the estimate assumes it runs from the send (what the pump said), and says so.
* ``sent-uncertain`` — the link failed mid-write: the pump runs either it or the program before.
  The estimate assumes the **higher** of the two flows (the lower reservoir, the earlier dates:
  a reservoir must never be believed fuller than it may be), and says so.

An interrogation re-anchors the estimate to the pump's own count; the record keeps both (the
estimate it had just before, and the count), and a gap between them beyond the model's accuracy
band (``PumpModel.accuracy_band_pct`` of the volume delivered since the anchor: SynchroMed II
±14.5 % [U], Prometra 85–115 % S62) is a finding.

Flex programs are integrated at their average flow (``InfusionProgram.basal_flow``); within one
cycle the pump's own count may run ahead or behind by part of a day's volume.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Duration, FlowRate, Volume

__all__ = [
    "AnchorSource",
    "LoggedBolusFact",
    "ProgramSpan",
    "ReservoirAnchor",
    "ReservoirEstimate",
    "ReservoirReading",
    "SpanBasis",
    "bolus_volume",
    "estimate_reservoir",
    "reservoir_gap_exceeds",
    "time_reaching",
]

ZERO = Volume(Decimal(0))


class AnchorSource(StrEnum):
    FILL = "fill"
    INTERROGATION = "interrogation"


class SpanBasis(StrEnum):
    CONFIRMED = "confirmed"
    SENT_ACKNOWLEDGED = "sent-acknowledged"
    SENT_UNCERTAIN = "sent-uncertain"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservoirAnchor:
    """A volume the reservoir is known to hold at ``at`` (a fill, or the pump's own count).

    ``priming``: a bolus the pump delivers from ``at`` at ``priming_flow`` in place of the basal
    program (the implant's priming of the pump path and catheter, S53: at the model's maximum flow).
    """

    volume: Volume
    at: dt.datetime
    source: AnchorSource
    priming: Volume = ZERO
    priming_flow: FlowRate | None = None

    @property
    def primed_at(self) -> dt.datetime:
        """When the priming bolus is delivered and the basal program takes over."""
        if self.priming.value <= 0 or self.priming_flow is None or self.priming_flow.value <= 0:
            return self.at
        return self.at + (self.priming / self.priming_flow).to_timedelta()

    def primed_by(self, at: dt.datetime) -> Volume:
        """The part of the priming bolus delivered by ``at``."""
        if self.priming_flow is None or at >= self.primed_at:
            return self.priming
        if at <= self.at:
            return ZERO
        return self.priming_flow * Duration.from_timedelta(at - self.at)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramSpan:
    """The pump runs (or, for an uncertain send, may run) ``program`` from ``since``."""

    since: dt.datetime
    program: InfusionProgram
    basis: SpanBasis


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservoirReading:
    """An interrogation's count beside the record's estimate just before it (both kept)."""

    at: dt.datetime
    pump_count: Volume
    by_record: Volume
    delivered: Volume  # by the record, since the anchor the estimate started from

    @property
    def gap(self) -> Volume:
        """Record − pump (positive: the record believed the reservoir fuller than the pump)."""
        return self.by_record - self.pump_count


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedBolusFact:
    """A patient bolus the record knows of (granted; ``uncertain``: the answer was lost)."""

    at: dt.datetime
    uncertain: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservoirEstimate:
    volume: Volume
    at: dt.datetime
    anchor: ReservoirAnchor
    delivered: Volume  # by the programs and boluses since the anchor
    boluses: int  # logged patient boluses counted since the anchor
    notes: tuple[str, ...]  # the uncertainty said (sends not yet confirmed, uncertain boluses)


def bolus_volume(program: InfusionProgram) -> Volume:
    """The volume of one patient bolus of ``program`` (dose ÷ primary concentration); 0 mL when
    the program allows none."""
    if program.patient_bolus is None:
        return ZERO
    concentration = program.admixture.primary.concentration
    return Volume(program.patient_bolus.dose.value / concentration.value)


def _effective(
    spans: Sequence[ProgramSpan], *, worst_case: bool
) -> list[tuple[dt.datetime, FlowRate]]:
    """(since, flow) in time order; an uncertain send runs at the higher of its flow and the one
    before it."""
    result: list[tuple[dt.datetime, FlowRate]] = []
    previous: FlowRate | None = None
    for span in sorted(spans, key=lambda s: s.since):
        flow = span.program.worst_case_flow if worst_case else span.program.basal_flow
        if span.basis is SpanBasis.SENT_UNCERTAIN and previous is not None:
            flow = max(flow, previous, key=lambda f: f.value)
        result.append((span.since, flow))
        previous = flow
    return result


def _check(anchor: ReservoirAnchor, spans: Sequence[ProgramSpan]) -> None:
    if not spans:
        raise ValueOutOfRange(name="program spans", expected="at least one", value=0)
    if anchor.at.tzinfo is None:
        raise ValueOutOfRange(name="anchor time", expected="timezone-aware", value=anchor.at)


def _delivered(
    flows: list[tuple[dt.datetime, FlowRate]], start: dt.datetime, end: dt.datetime
) -> Volume:
    total = ZERO
    for index, (since, flow) in enumerate(flows):
        until = flows[index + 1][0] if index + 1 < len(flows) else end
        lo, hi = max(since, start), min(until, end)
        if hi > lo:
            total = total + flow * Duration.from_timedelta(hi - lo)
    return total


def _running(spans: Sequence[ProgramSpan], at: dt.datetime) -> ProgramSpan:
    ordered = sorted(spans, key=lambda s: s.since)
    current = ordered[0]
    for span in ordered:
        if span.since <= at:
            current = span
    return current


def estimate_reservoir(
    *,
    anchor: ReservoirAnchor,
    spans: Sequence[ProgramSpan],
    boluses: Iterable[LoggedBolusFact],
    at: dt.datetime,
) -> ReservoirEstimate:
    """The reservoir at ``at`` by the record (see the module docstring); never below 0 mL."""
    _check(anchor, spans)
    end = max(at, anchor.at)
    used = anchor.primed_by(end) + _delivered(
        _effective(spans, worst_case=False), anchor.primed_at, end
    )
    counted = [b for b in boluses if anchor.at < b.at <= end]
    notes: list[str] = []
    for b in counted:
        running = _running(spans, b.at)
        volume = bolus_volume(running.program)
        if running.basis is SpanBasis.SENT_UNCERTAIN:
            before = [s for s in spans if s.since < running.since]
            if before:
                volume = max(
                    volume, bolus_volume(_running(before, b.at).program), key=lambda v: v.value
                )
        used = used + volume
    if any(b.uncertain for b in counted):
        notes.append("a patient bolus whose answer was lost is counted as given")
    for span in spans:
        if span.since >= anchor.at or span is _running(spans, anchor.at):
            if span.basis is SpanBasis.SENT_ACKNOWLEDGED:
                notes.append(
                    f"a program sent at {span.since.isoformat()} (acknowledged) is assumed to run "
                    "from its send; no interrogation has confirmed it yet"
                )
            elif span.basis is SpanBasis.SENT_UNCERTAIN:
                notes.append(
                    f"a program sent at {span.since.isoformat()} with an uncertain result: the "
                    "higher of its flow and the one before is assumed until an interrogation"
                )
    left = anchor.volume - used
    return ReservoirEstimate(
        volume=left if left.value > 0 else ZERO,
        at=end,
        anchor=anchor,
        delivered=used,
        boluses=len(counted),
        notes=tuple(notes),
    )


def time_reaching(
    *, anchor: ReservoirAnchor, spans: Sequence[ProgramSpan], level: Volume, worst_case: bool
) -> dt.datetime | None:
    """When the reservoir, from ``anchor`` through ``spans`` (the last runs on), falls to ``level``
    (worst case: every allowed patient bolus taken, S66); ``None`` if it never does (zero flow).
    An anchor already at or below ``level`` gives the anchor's time."""
    _check(anchor, spans)
    if anchor.volume <= level:
        return anchor.at
    if anchor.volume - anchor.priming <= level:
        return anchor.primed_at
    flows = _effective(spans, worst_case=worst_case)
    left = anchor.volume - anchor.priming - level
    cursor = anchor.primed_at
    for index, (since, flow) in enumerate(flows):
        until = flows[index + 1][0] if index + 1 < len(flows) else None
        if until is not None and until <= cursor:
            continue
        start = max(since, cursor)
        if flow.value <= 0:
            cursor = until if until is not None else cursor
            continue
        reach = start + (left / flow).to_timedelta()
        if until is None or reach <= until:
            return reach
        left = left - flow * Duration.from_timedelta(until - start)
        cursor = until
    return None


def reservoir_gap_exceeds(
    reading: ReservoirReading, band_pct: Decimal, *, resolution: Volume | None = None
) -> bool:
    """Whether the record's estimate and the pump's count differ by more than the model's
    accuracy band of the volume delivered since the anchor — and by more than ``resolution``
    (a valve-gated pump counts whole strokes: its count moves in steps of one stroke)."""
    allowed = reading.delivered.value * band_pct / 100
    if resolution is not None:
        allowed = max(allowed, resolution.value)
    return abs(reading.gap.value) > allowed
