"""The record follows the pump (issue 18 §1), with the twin as the oracle, on SQLite and PostgreSQL.

Between two fills the pump's dose is decreased, then increased, and the patient takes boluses.
At every interrogation and at times between them the record's reservoir estimate stays within the
model's accuracy band (SynchroMed II ±14.5 % [U]) of the volume delivered since the record's
anchor of the twin's belief, and the record's next refill date never falls after the one the
twin's history gives (the twin's belief, its program's worst-case flow, the clinic's margin).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pathway_scenario import (
    MORPHINE_25,
    NURSE,
    PATIENT_USER,
    PHYSICIAN,
    MovableClock,
    actor,
    cosign,
    refill,
    sign,
    verify,
)

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.program_change import ProgramChangeState
from thecal.domain.reservoir import AnchorSource, SpanBasis
from thecal.domain.units import DoseRate, Duration, Mass, Volume
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import (
    ProposeProgramChange,
    SendProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pump_reads import GetPumpOverview, PumpOverview, get_pump_overview
from thecal.services.pumps import ImplantPump, implant_pump
from thecal.services.refills import perform_refill

MODEL = reference_library().pump("synchromed-ii-20")
BAND = MODEL.accuracy_band_pct.value  # ±14.5 % of the volume delivered [U]
TIGHT = Decimal("0.0001")  # mL
MARGIN = ClinicPolicy().refill_margin.to_timedelta()
BOLUS = PatientBolusSettings(
    dose=Mass.from_mg(Decimal("0.5")),
    duration=Duration.minutes(10),
    lockout=Duration.hours(4),
    max_per_day=3,
)


def program(mg_per_day: str) -> InfusionProgram:
    return InfusionProgram.continuous(
        MORPHINE_25, DoseRate.from_mg_per_day(Decimal(mg_per_day)), patient_bolus=BOLUS
    )


def overview(clinic: Thecal) -> PumpOverview:
    return clinic.run(get_pump_overview, GetPumpOverview(actor=actor(NURSE), pump_id="pump-1"))


def twin_now(clinic: Thecal, clock: MovableClock) -> tuple[Volume, InfusionProgram]:
    """The twin's belief and program now, read without handing over its logs (rolled back)."""
    with clinic.uow() as uow:
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clock).twin("NGP-000123")
        twin.advance_to(clock.now())
        belief, running = twin.belief.reservoir, twin.program_
    assert running is not None
    return belief, running


def twin_refill_due(
    belief: Volume, running: InfusionProgram, *, at: dt.datetime, filled_at: dt.datetime
) -> dt.datetime:
    """The next refill date the twin's history gives: its belief down to the alarm at its
    program's worst-case flow, minus the margin; else morphine's stability or the clinic maximum."""
    alarm = MODEL.low_reservoir_alarm.value
    to_alarm = (belief - alarm) / running.worst_case_flow
    stability = (
        reference_library().drug("morphine").stability_days(MORPHINE_25.primary.concentration)
    )
    assert stability is not None
    return min(
        at + to_alarm.to_timedelta() - MARGIN,
        filled_at + dt.timedelta(days=stability.value),
        filled_at + ClinicPolicy().max_refill_interval.to_timedelta(),
    )


def check(clinic: Thecal, clock: MovableClock, *, filled_at: dt.datetime) -> PumpOverview:
    """The record against the twin now: within the band, the refill date not later."""
    seen = overview(clinic)
    belief, running = twin_now(clinic, clock)
    anchor = seen.reservoir.anchor
    delivered_by_twin = anchor.volume - belief if anchor.at < clock.now() else Volume.from_ml(0)
    allowed = abs(delivered_by_twin.value) * BAND / 100 + Decimal("0.000001")
    gap = abs((seen.reservoir.volume - belief).value)
    assert gap <= allowed, (clock.now(), seen.reservoir.volume, belief, allowed)
    # measured: the record tracks the twin's count exactly once anchored; before the first
    # interrogation too (the priming bolus counted at the maximum flow, S53). Applying the
    # new flow since the fill (the old simplification) would be off by ≥ 0.1 mL here.
    assert gap <= TIGHT, (clock.now(), seen.reservoir.volume, belief)
    due = seen.pump.next_refill_due
    assert due is not None
    assert due <= twin_refill_due(belief, running, at=clock.now(), filled_at=filled_at)
    return seen


def change_dose(clinic: Thecal, mg_per_day: str, key: str, clock: MovableClock) -> str:
    change = clinic.run(
        propose_program_change,
        ProposeProgramChange(
            actor=actor(NURSE),
            pump_id="pump-1",
            new_program=program(mg_per_day),
            idempotency_key=key,
            rationale="titration",
        ),
    ).change
    assert change.state is ProgramChangeState.REVIEWED, change.findings
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    sent = clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE),
            change_id=change.change_id,
            expected_pump_version=overview(clinic).pump.version,
        ),
    )
    assert sent.state is ProgramChangeState.SENT
    return sent.change_id


def interrogate(clinic: Thecal) -> None:
    clinic.run_device(interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1"))


def bolus(clinic: Thecal) -> None:
    answer = clinic.run_device(
        request_patient_bolus, RequestPatientBolus(actor=actor(PATIENT_USER))
    )
    assert answer.granted, answer.reason


def test_the_record_follows_the_twin_through_a_decrease_an_increase_and_boluses(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(
        implant_pump,
        ImplantPump(
            actor=actor(PHYSICIAN),
            patient_id="patient-1",
            pump_model_id="synchromed-ii-20",
            pump_serial="NGP-000123",
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=MORPHINE_25,
            fill_volume=Volume.from_ml(20),
            initial_program=program("5"),
            pump_id="pump-1",
        ),
    )
    filled_at = clock.now()
    clock.advance(days=2)
    check(clinic, clock, filled_at=filled_at)
    interrogate(clinic)
    first = overview(clinic)
    assert first.reservoir.anchor.source is AnchorSource.INTERROGATION
    assert first.pump.reservoir_reading is not None
    assert (
        abs(first.pump.reservoir_reading.gap.value)
        <= first.pump.reservoir_reading.delivered.value * BAND / 100
    )

    # a decrease: from its send the record follows the new, lower flow
    clock.advance(days=3)
    decrease = change_dose(clinic, "4.5", "decrease", clock)
    sent_at = clock.now()
    after_send = overview(clinic)
    assert [s.basis for s in after_send.pump.sent_programs] == [SpanBasis.SENT_ACKNOWLEDGED]
    assert after_send.reservoir.notes  # the unconfirmed send is said
    clock.advance(days=2)
    check(clinic, clock, filled_at=filled_at)
    clock.advance(days=1)
    interrogate(clinic)
    confirmed = check(clinic, clock, filled_at=filled_at)
    assert confirmed.pump.program == program("4.5")
    assert confirmed.pump.program_effective_from == sent_at  # the send, not the interrogation
    assert confirmed.pump.program_since == clock.now()
    assert confirmed.pump.sent_programs == ()
    reading = confirmed.pump.reservoir_reading
    assert reading is not None
    assert abs(reading.gap.value) <= reading.delivered.value * BAND / 100, reading
    assert decrease

    # boluses between interrogations are counted when logged
    clock.advance(days=1)
    for _ in range(3):
        before = overview(clinic).reservoir.volume
        bolus(clinic)
        clock.advance(hours=5)
        after = check(clinic, clock, filled_at=filled_at)
        assert after.reservoir.boluses >= 1
        assert after.reservoir.volume < before

    # an increase
    clock.advance(days=2)
    change_dose(clinic, "4.95", "increase", clock)
    clock.advance(days=4)
    check(clinic, clock, filled_at=filled_at)
    interrogate(clinic)
    check(clinic, clock, filled_at=filled_at)

    # the second fill re-anchors at the fill
    clock.advance(days=3)
    check(clinic, clock, filled_at=filled_at)
    clinic.run(verify_admixture, verify(clock.now()))
    clinic.run_device(perform_refill, refill(overview(clinic).pump.version))
    filled_at = clock.now()
    refilled = check(clinic, clock, filled_at=filled_at)
    assert refilled.reservoir.anchor.source is AnchorSource.FILL
    clock.advance(days=6)
    check(clinic, clock, filled_at=filled_at)
    interrogate(clinic)
    check(clinic, clock, filled_at=filled_at)
