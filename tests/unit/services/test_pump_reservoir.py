"""The record's reservoir on the pump record: the anchor, the spans and the discrepancy finding
(services/pump_record.py, services/pump_reservoir.py; issue 18 §1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.reservoir import AnchorSource, ReservoirReading, SpanBasis, estimate_reservoir
from thecal.domain.tasks import TaskKind
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.services.pump_record import Pump
from thecal.services.pump_reservoir import refill_plan, reservoir_gap_tasks

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
MORPHINE = Admixture.single("morphine", Concentration.from_mg_per_ml(10))


def program(mg: str) -> InfusionProgram:
    return InfusionProgram.continuous(MORPHINE, DoseRate.from_mg_per_day(Decimal(mg)))


def pump() -> Pump:
    return Pump(
        id="pump-1",
        patient_id="patient-1",
        model_id="synchromed-ii-20",
        serial="S-1",
        implant_id="implant-1",
        implanted_at=T0,
        catheter_model_id="indura-1p-8709sc",
        catheter_length_cm=Decimal(60),
        catheter_tip_level="T10",
        admixture=MORPHINE,
        reservoir_volume=Volume.from_ml(20),
        last_filled_at=T0,
        program=program("2"),
        program_since=T0,
        program_effective_from=T0,
        fill_bolus=Volume(Decimal("0.3")),
    )


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def reading(at: dt.datetime, count: str, record: str, delivered: str) -> ReservoirReading:
    return ReservoirReading(
        at=at,
        pump_count=Volume(Decimal(count)),
        by_record=Volume(Decimal(record)),
        delivered=Volume(Decimal(delivered)),
    )


def test_the_anchor_is_the_fill_less_the_priming_bolus_then_each_later_reading() -> None:
    p = pump()
    assert p.reservoir_anchor.volume == Volume.from_ml(20)
    assert p.reservoir_anchor.priming == Volume(Decimal("0.3"))  # at the maximum flow (S53)
    assert p.reservoir_anchor.primed_at > T0
    assert p.reservoir_anchor.source is AnchorSource.FILL
    p.record_reading(reading(day(5), "18.6", "18.7", "1.0"))
    assert p.reservoir_anchor.volume == Volume(Decimal("18.6"))
    assert p.reservoir_anchor.source is AnchorSource.INTERROGATION
    # a refill reads the pump, then fills it at the same instant: the fill is the anchor
    p.record_reading(reading(day(30), "13.1", "13.2", "5.5"))
    p.record_fill(admixture=MORPHINE, volume=Volume.from_ml(20), at=day(30), next_refill_due=None)
    assert p.reservoir_anchor.volume == Volume.from_ml(20)
    assert p.reservoir_anchor.source is AnchorSource.FILL


def test_a_send_adds_a_span_and_the_interrogation_settles_it_from_the_send() -> None:
    p = pump()
    version = p.version
    p.record_send(program("3"), at=day(10), acknowledged=False)
    assert [s.basis for s in p.program_spans] == [SpanBasis.CONFIRMED, SpanBasis.SENT_UNCERTAIN]
    assert p.version == version + 1
    due_sent = refill_plan(p).due
    by_record = estimate_reservoir(
        anchor=p.reservoir_anchor, spans=p.program_spans, boluses=(), at=day(12)
    )
    assert abs(by_record.volume.value - Decimal("17.1")) < Decimal("0.01")  # 20 − 0.3 − 2 − 0.6
    p.record_program(program("3"), at=day(12), effective_from=day(10))
    p.record_reading(
        ReservoirReading(
            at=day(12),
            pump_count=by_record.volume,
            by_record=by_record.volume,
            delivered=by_record.delivered,
        )
    )
    assert p.sent_programs == ()
    assert p.effective_from == day(10)
    assert p.program_since == day(12)
    assert refill_plan(p).due == due_sent  # the same history, now confirmed by the count


def test_a_gap_beyond_the_band_opens_a_reservoir_discrepancy_task() -> None:
    p = pump()
    within = reading(day(10), "17.8", "17.7", "2.0")  # 0.1 mL ≤ 14.5 % of 2 mL
    assert reservoir_gap_tasks(p, within) == []
    beyond = reading(day(10), "16.9", "17.7", "2.0")  # 0.8 mL > 0.29 mL
    (task,) = reservoir_gap_tasks(p, beyond)
    assert task.kind is TaskKind.RESERVOIR_DISCREPANCY
    assert task.subject == "patient-1"
    assert task.origin == "pump-1"
    assert "the pump delivered 0.8 mL more than" in task.reason
    assert "14.5" in task.reason


def test_an_emptied_reservoir_is_not_re_anchored_to_the_pumps_stale_count() -> None:
    p = pump()
    p.record_emptied(at=day(3))  # withdrawn for an MRI: the pump still believes it holds drug
    stale = reading(day(3.5), "18.9", "0", "0")
    p.record_reading(stale)
    assert p.reservoir_anchor.volume == Volume.from_ml(0)
    assert p.reservoir_anchor.source is AnchorSource.FILL
    assert reservoir_gap_tasks(p, stale) == []


def test_a_valve_gated_pump_is_not_flagged_within_one_stroke() -> None:
    p = pump()
    p.model_id = "prometra-ii-20"  # 2 µL strokes [A]
    one_stroke = reading(day(0.01), "19.998", "19.9997", "0.0003")  # 0.0017 mL ≤ 2 µL
    assert reservoir_gap_tasks(p, one_stroke) == []
    beyond = reading(day(0.01), "19.990", "19.9997", "0.0003")
    assert len(reservoir_gap_tasks(p, beyond)) == 1
