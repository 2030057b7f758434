"""The record's reservoir from the real history (domain/reservoir.py, issue 18 §1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.reservoir import (
    AnchorSource,
    LoggedBolusFact,
    ProgramSpan,
    ReservoirAnchor,
    ReservoirReading,
    SpanBasis,
    bolus_volume,
    estimate_reservoir,
    reservoir_gap_exceeds,
    time_reaching,
)
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
MORPHINE_10 = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
BOLUS = PatientBolusSettings(
    dose=Mass.from_mg(Decimal("0.25")),
    duration=Duration.minutes(10),
    lockout=Duration.hours(4),
    max_per_day=4,
)


def program(mg_per_day: str, *, bolus: PatientBolusSettings | None = None) -> InfusionProgram:
    return InfusionProgram.continuous(
        MORPHINE_10, DoseRate.from_mg_per_day(Decimal(mg_per_day)), patient_bolus=bolus
    )


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


FILL = ReservoirAnchor(volume=Volume.from_ml(20), at=T0, source=AnchorSource.FILL)


def span(since: dt.datetime, mg: str, basis: SpanBasis = SpanBasis.CONFIRMED) -> ProgramSpan:
    return ProgramSpan(since=since, program=program(mg, bolus=BOLUS), basis=basis)


def test_an_increase_after_20_days_counts_each_flow_for_its_own_time() -> None:
    # 2.46 mg/day for 20 days (4.92 mL), then 2.706 mg/day for 5 days (1.353 mL)
    spans = (span(T0, "2.46"), span(day(20), "2.706"))
    estimate = estimate_reservoir(anchor=FILL, spans=spans, boluses=(), at=day(25))
    assert estimate.volume == Volume(Decimal("13.727"))
    # the old simplification (the new flow since the fill) said 20 − 25 × 0.2706 = 13.235 mL
    assert estimate.volume != Volume(Decimal("13.235"))
    assert estimate.delivered == Volume(Decimal("6.273"))
    assert estimate.notes == ()


def test_a_decrease_is_not_applied_before_its_send() -> None:
    spans = (span(T0, "2.706"), span(day(20), "2.46"))
    at_change = estimate_reservoir(anchor=FILL, spans=spans, boluses=(), at=day(20))
    assert at_change.volume == Volume(Decimal("14.588"))  # 20 − 20 × 0.2706


def test_logged_boluses_since_the_anchor_are_subtracted_once_each() -> None:
    spans = (span(T0, "2.4"),)
    boluses = (LoggedBolusFact(at=T0 - dt.timedelta(hours=1)), LoggedBolusFact(at=day(1)))
    estimate = estimate_reservoir(anchor=FILL, spans=spans, boluses=boluses, at=day(2))
    assert bolus_volume(spans[0].program) == Volume(Decimal("0.025"))
    assert estimate.volume == Volume(Decimal("19.495"))  # 20 − 0.48 − one bolus (before: none)
    assert estimate.boluses == 1


def test_an_acknowledged_send_runs_from_the_send_and_says_so() -> None:
    spans = (span(T0, "2"), span(day(10), "3", SpanBasis.SENT_ACKNOWLEDGED))
    estimate = estimate_reservoir(anchor=FILL, spans=spans, boluses=(), at=day(12))
    assert estimate.volume == Volume(Decimal("17.4"))  # 20 − 2 − 0.6
    assert any("acknowledged" in note for note in estimate.notes)


def test_an_uncertain_send_assumes_the_higher_flow_either_way() -> None:
    lower = (span(T0, "3"), span(day(10), "2", SpanBasis.SENT_UNCERTAIN))
    higher = (span(T0, "2"), span(day(10), "3", SpanBasis.SENT_UNCERTAIN))
    down = estimate_reservoir(anchor=FILL, spans=lower, boluses=(), at=day(12))
    up = estimate_reservoir(anchor=FILL, spans=higher, boluses=(), at=day(12))
    assert down.volume == Volume(Decimal("16.4"))  # 20 − 3 − 0.6: the old, higher flow kept
    assert up.volume == Volume(Decimal("17.4"))  # 20 − 2 − 0.6: the new, higher flow taken
    assert any("uncertain" in note for note in down.notes)


def test_an_interrogation_anchor_counts_only_what_came_after_it() -> None:
    anchor = ReservoirAnchor(
        volume=Volume(Decimal("15.5")), at=day(20), source=AnchorSource.INTERROGATION
    )
    spans = (span(T0, "2.46"), span(day(18), "2.706"))
    estimate = estimate_reservoir(anchor=anchor, spans=spans, boluses=(), at=day(25))
    assert estimate.volume == Volume(Decimal("14.147"))  # 15.5 − 5 × 0.2706


def test_the_estimate_never_goes_below_zero() -> None:
    estimate = estimate_reservoir(anchor=FILL, spans=(span(T0, "10"),), boluses=(), at=day(400))
    assert estimate.volume == Volume.from_ml(0)


def test_the_alarm_time_is_reached_piecewise_at_the_worst_case_flow() -> None:
    no_bolus = (
        ProgramSpan(since=T0, program=program("2"), basis=SpanBasis.CONFIRMED),
        ProgramSpan(since=day(10), program=program("4"), basis=SpanBasis.SENT_ACKNOWLEDGED),
    )
    # 20 mL to 2 mL: 10 days at 0.2 mL/day (2 mL), then 16 mL at 0.4 mL/day = 40 days
    at = time_reaching(anchor=FILL, spans=no_bolus, level=Volume.from_ml(2), worst_case=True)
    assert at == day(50)
    with_bolus = (span(T0, "2"),)  # worst case: + 4 × 0.025 mL a day → 0.3 mL/day
    at = time_reaching(anchor=FILL, spans=with_bolus, level=Volume.from_ml(2), worst_case=True)
    assert at == day(60)
    stopped = (ProgramSpan(since=T0, program=program("0"), basis=SpanBasis.CONFIRMED),)
    assert (
        time_reaching(anchor=FILL, spans=stopped, level=Volume.from_ml(2), worst_case=True) is None
    )


def test_a_gap_beyond_the_accuracy_band_of_the_delivered_volume_is_a_finding() -> None:
    reading = ReservoirReading(
        at=day(30),
        pump_count=Volume(Decimal("13.0")),
        by_record=Volume(Decimal("14.0")),
        delivered=Volume(Decimal("6.0")),
    )
    assert reading.gap == Volume(Decimal("1.0"))
    assert reservoir_gap_exceeds(reading, Decimal("14.5"))  # 1.0 > 0.87 mL
    assert not reservoir_gap_exceeds(reading, Decimal(20))  # 1.0 ≤ 1.2 mL


def test_no_program_is_refused() -> None:
    with pytest.raises(ValueOutOfRange):
        estimate_reservoir(anchor=FILL, spans=(), boluses=(), at=day(1))
