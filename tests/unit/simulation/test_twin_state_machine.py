"""Hypothesis state machine over random command sequences and time advances (SR-03, SR-04).

The test keeps its own account of what should happen, derived from the programs it sends and the
pump model's data — never from the twin's own conditions or counters:

- the programmed volume of every advance is integrated here from the program's steps (daily flex
  cycle from local midnight) and the concentration; over an advance with nothing else going on (no
  bolus or priming running, no stall, the reservoir not emptying, the pump not stopping), the
  pump's believed reservoir falls by exactly that volume, within one stroke;
- a refill leaves the pump believing exactly the volume injected;
- the battery's elective replacement indicator is due when elapsed time plus the volume pumped,
  at the model's pumping cost, reaches the service life less the ERI-to-stop delay; end of service
  comes that delay after ERI, and the pump then moves nothing more (long advances reach it);
- the alarms expected at every step follow from that account: low reservoir at or below the model's
  alarm volume, empty at 0, motor stall while an injected stall lasts, ERI and end of service as
  above, and no valve alarm (no MRI here).

And after every step: 0 ≤ reservoir ≤ capacity (belief and truth); volume is conserved (filled =
reservoir + path + delivered + leaked + pocket + withdrawn); no patient bolus starts inside the
lockout; no more than the daily maximum in any 24 h.
"""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import MORPHINE_25, START
from thecal.domain.errors import FlowBelowPumpMinimum
from thecal.domain.library import reference_library
from thecal.domain.program import FlexStep, InfusionProgram, PatientBolusSettings, ProgramMode
from thecal.domain.units import DoseRate, Duration, Mass, Volume
from thecal.simulation.alarms import AlarmKind
from thecal.simulation.battery import DEFAULT_COST_DAYS_PER_ML
from thecal.simulation.errors import BolusInProgress, PumpNotProgrammable, ReservoirOverfill
from thecal.simulation.faults import DeliveryError, Leak, MotorStall, Occlusion
from thecal.simulation.scale import UNITS_PER_ML, US_PER_DAY, volume_units
from thecal.simulation.twin import PumpTwin

LIBRARY = reference_library()
BOLUS = PatientBolusSettings(
    dose=Mass.from_mg(Decimal("0.25")),
    duration=Duration.minutes(15),
    lockout=Duration.hours(3),
    max_per_day=4,
)
LOCKOUT_US = 3 * 3_600_000_000
BOLUS_US = 15 * 60_000_000
HOUR_US = 3_600_000_000
STALL_US = 5 * HOUR_US
NL_PER_DAY_PER_MG_PER_DAY = 1_000_000 // 25  # morphine 25 mg/mL: 1 mg/day is 40,000 nL/day


def _steps_nl_per_day(doses: list[int], flex: bool) -> tuple[tuple[int, int], ...]:
    """(start µs after local midnight, nL/day) of the program the test sends."""
    if not flex:
        return ((0, doses[0] * NL_PER_DAY_PER_MG_PER_DAY),)
    return tuple((6 * HOUR_US * i, d * NL_PER_DAY_PER_MG_PER_DAY) for i, d in enumerate(doses[:4]))


def programmed_units(steps: tuple[tuple[int, int], ...], t0: int, t1: int, *, phase_us: int) -> int:
    """Volume units (nL/day × µs) programmed between twin times ``t0`` and ``t1``.

    The daily cycle starts at local midnight; the twin's time zero is ``phase_us`` into it. Walked
    step by step here (no closed form), as an independent account of the pump's schedule.
    """
    total, t = 0, t0
    while t < t1:
        into = (t + phase_us) % US_PER_DAY
        index = max(i for i, (start, _) in enumerate(steps) if start <= into)
        end_into = steps[index + 1][0] if index + 1 < len(steps) else US_PER_DAY
        until = min(t1, t + (end_into - into))
        total += steps[index][1] * (until - t)
        t = until
    return total


def _program(doses: list[int], flex: bool) -> InfusionProgram:
    rates = [DoseRate.from_mg_per_day(d) for d in doses]
    if not flex:
        return InfusionProgram.continuous(MORPHINE_25, rates[0], patient_bolus=BOLUS)
    steps = tuple(
        FlexStep(start=Duration.hours(6 * i), rate=rate) for i, rate in enumerate(rates[:4])
    )
    return InfusionProgram(
        mode=ProgramMode.FLEX, admixture=MORPHINE_25, steps=steps, patient_bolus=BOLUS
    )


class TwinMachine(RuleBasedStateMachine):
    twin: PumpTwin

    @initialize(
        pump=st.sampled_from(["synchromed-ii-20", "prometra-ii-20"]),
        bias=st.sampled_from(["0", "2.5", "-2.4"]),
    )
    def start(self, pump: str, bias: str) -> None:
        catheter = "prometra-catheter" if pump.startswith("prometra") else "indura-1p-8709sc"
        model = LIBRARY.pump(pump)
        self.twin = PumpTwin(
            pump=model,
            catheter=LIBRARY.catheter(catheter),
            catheter_length_cm=Decimal(50),
            start=START,
            library=LIBRARY,
            accuracy_bias_pct=Decimal(bias),
            record_trace=False,
        )
        # what the test knows from the model's data, not from the twin
        self.phase_us = (START.hour * 60 + START.minute) * 60_000_000
        self.low_units = volume_units(model.low_reservoir_alarm.value)
        self.stroke_units = volume_units(model.stroke_volume.value) if model.stroke_volume else 0
        self.life_us = int(model.service_life.value.value) * 1_000_000
        self.delay_us = int(model.eri_to_stop.value.value) * 1_000_000 if model.eri_to_stop else 0
        cost = Fraction(DEFAULT_COST_DAYS_PER_ML[model.mechanism]) * US_PER_DAY / UNITS_PER_ML
        self.unit_cost_us = cost  # µs of battery life per volume unit pumped
        self.max_flow_nl_per_day = int(model.max_flow.value.ml_per_day * 1_000_000)
        self.twin.inject(Volume.from_ml(20), MORPHINE_25)
        self.steps = _steps_nl_per_day([5], flex=False)
        self.twin.program(_program([5], flex=False))
        self.granted: list[int] = []
        self.busy_until_us = 0  # a patient or priming bolus runs until then
        self.stall_until_us = 0
        self.eri_at_us: int | None = None
        self.eri_seen_after_us = 0
        self.checked_advances = 0

    @property
    def _stopped(self) -> bool:
        return self.eri_at_us is not None and self.twin.now_us >= self.eri_at_us + self.delay_us

    def _eri_due(self) -> bool:
        """ERI by the model's data: elapsed time plus volume pumped at the pumping cost."""
        spent = self.twin.now_us + self.twin.mech.motor * self.unit_cost_us
        return spent >= self.life_us - self.delay_us

    @rule(minutes=st.integers(1, 60 * 24 * 20))
    def advance(self, minutes: int) -> None:
        self._advance(minutes * 60_000_000)

    @rule(years=st.integers(1, 4))
    def age(self, years: int) -> None:
        """Long stretches: the battery reaches ERI and end of service within a run."""
        self._advance(years * 365 * US_PER_DAY)

    def _advance(self, span_us: int) -> None:
        twin, mech = self.twin, self.twin.mech
        t0, t1 = twin.now_us, twin.now_us + span_us
        believed0, motor0 = mech.believed, mech.motor
        expected = programmed_units(self.steps, t0, t1, phase_us=self.phase_us)
        eos_by = None if self.eri_at_us is None else self.eri_at_us + self.delay_us
        quiet = (
            self.busy_until_us <= t0
            and self.stall_until_us <= t0
            and expected + self.stroke_units < believed0
            and (eos_by is None or eos_by > t1)
            and not self._stopped
            and (self.eri_at_us is not None or span_us < self.delay_us)  # cannot reach EOS
        )
        was_stopped = self._stopped
        twin.advance_to_us(t1)
        if self.eri_at_us is None and self._eri_due():
            self.eri_at_us = mech.battery.eri_at_us  # when, inside this advance, it came
            assert self.eri_at_us is not None, "ERI is due by the model's data but not raised"
            assert t0 <= self.eri_at_us <= t1
        if quiet:
            drop = believed0 - mech.believed
            assert abs(drop - expected) <= self.stroke_units + 1, (drop, expected)
            self.checked_advances += 1
        if was_stopped:
            assert mech.motor == motor0, "a pump at end of service moved fluid"

    @rule()
    def press(self) -> None:
        if self.twin.request_patient_bolus().granted:
            self.granted.append(self.twin.now_us)
            self.busy_until_us = max(self.busy_until_us, self.twin.now_us + BOLUS_US)

    @rule(doses=st.lists(st.integers(0, 20), min_size=4, max_size=4), flex=st.booleans())
    def reprogram(self, doses: list[int], flex: bool) -> None:
        if not flex:
            doses[0] = max(doses[0], 2)
        if self._stopped:  # end of service: the pump takes no program
            with pytest.raises(PumpNotProgrammable):
                self.twin.program(_program(doses, flex))
            return
        with contextlib.suppress(FlowBelowPumpMinimum):  # refused by the programmer, as it must be
            self.twin.program(_program(doses, flex))
            self.steps = _steps_nl_per_day(doses, flex)

    @rule(volume=st.integers(1, 20), pocket=st.sampled_from([0, 0, 0, 30, 100]))
    def refill(self, volume: int, pocket: int) -> None:
        self.twin.withdraw_residual()
        try:
            self.twin.inject(Volume.from_ml(volume), MORPHINE_25, pocket_percent=Decimal(pocket))
        except ReservoirOverfill:
            raise AssertionError from None
        assert self.twin.mech.believed == volume_units(Volume.from_ml(volume))

    @rule(
        fault=st.one_of(
            st.builds(MotorStall, duration=st.just(Duration.hours(5))),
            st.builds(
                DeliveryError,
                percent=st.sampled_from([Decimal(-30), Decimal(15)]),
                duration=st.just(Duration.days(3)),
            ),
            st.builds(Occlusion, duration=st.just(Duration.days(2))),
            st.builds(
                Leak,
                percent=st.sampled_from([Decimal(20), Decimal(100)]),
                duration=st.just(Duration.days(2)),
            ),
        )
    )
    def fault(self, fault: MotorStall | DeliveryError | Occlusion | Leak) -> None:
        self.twin.inject_fault(fault)
        if isinstance(fault, MotorStall):
            self.stall_until_us = self.twin.now_us + STALL_US  # a new stall restarts the clock

    @rule()
    def prime(self) -> None:
        with contextlib.suppress(BolusInProgress, PumpNotProgrammable):
            plan = self.twin.priming_bolus()
            length = -(-volume_units(plan.volume) // self.max_flow_nl_per_day)  # at maximum flow
            self.busy_until_us = max(self.busy_until_us, self.twin.now_us + length)

    @invariant()
    def reservoir_within_capacity(self) -> None:
        mech = self.twin.mech
        capacity = volume_units(self.twin.pump.reservoir.value)
        assert 0 <= mech.reservoir.units <= capacity
        assert 0 <= mech.believed <= capacity

    @invariant()
    def volume_is_conserved(self) -> None:
        came_in, now = self.twin.mech.conservation()
        assert came_in == now

    @invariant()
    def patient_boluses_respect_lockout_and_daily_maximum(self) -> None:
        times = self.granted
        assert all(b - a >= LOCKOUT_US for a, b in itertools.pairwise(times))
        for i, t in enumerate(times):
            assert sum(1 for u in times[i:] if u < t + US_PER_DAY) <= BOLUS.max_per_day

    @invariant()
    def alarms_follow_from_the_program_and_the_models_thresholds(self) -> None:
        twin = self.twin
        believed, now = twin.mech.believed, twin.now_us
        expected = {
            AlarmKind.LOW_RESERVOIR: believed <= self.low_units,
            AlarmKind.EMPTY_RESERVOIR: believed == 0,
            AlarmKind.ELECTIVE_REPLACEMENT: self.eri_at_us is not None,
            AlarmKind.END_OF_SERVICE: self._stopped,
            AlarmKind.MOTOR_STALL: now < self.stall_until_us,
            AlarmKind.VALVE_CLOSED: False,  # only an MRI closes the valve; none here
        }
        assert {k for k, present in expected.items() if present} == twin.alarms.active


TwinMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_twin_state_machine = TwinMachine.TestCase


def test_the_battery_reaches_eri_then_end_of_service_when_the_data_say_and_delivery_stops() -> None:
    """A SynchroMed II at 10 mg/day of morphine 25 mg/mL (0.4 mL/day), refilled every 40 days."""
    model = LIBRARY.pump("synchromed-ii-20")
    twin = PumpTwin(
        pump=model,
        catheter=LIBRARY.catheter("indura-1p-8709sc"),
        catheter_length_cm=Decimal(50),
        start=START,
        library=LIBRARY,
        record_trace=False,
    )
    twin.inject(Volume.from_ml(20), MORPHINE_25)
    twin.program(_program([10], flex=False))
    life_us = int(model.service_life.value.value) * 1_000_000
    delay_us = int(model.eri_to_stop.value.value) * 1_000_000  # type: ignore[union-attr]
    cost = Fraction(DEFAULT_COST_DAYS_PER_ML[model.mechanism]) * US_PER_DAY / UNITS_PER_ML
    flow_units_per_us = 10 * NL_PER_DAY_PER_MG_PER_DAY  # units per µs of the basal rate
    # elapsed + pumped × cost = life − delay, with pumped = flow × elapsed (never empty here)
    eri_us = Fraction(life_us - delay_us) / (1 + flow_units_per_us * cost)
    while twin.now_us + 40 * US_PER_DAY < eri_us:
        twin.advance_to_us(twin.now_us + 40 * US_PER_DAY)
        twin.withdraw_residual()
        twin.inject(Volume.from_ml(20), MORPHINE_25)
    assert AlarmKind.ELECTIVE_REPLACEMENT not in twin.alarms.active
    twin.advance_to_us(int(eri_us) + 1)
    assert AlarmKind.ELECTIVE_REPLACEMENT in twin.alarms.active
    assert abs(twin.mech.battery.eri_at_us - eri_us) <= 1  # type: ignore[operator]
    twin.withdraw_residual()
    twin.inject(Volume.from_ml(20), MORPHINE_25)
    twin.advance_to_us(int(eri_us) + delay_us - 60_000_000)  # a minute before the stop
    assert AlarmKind.END_OF_SERVICE not in twin.alarms.active
    twin.advance_to_us(int(eri_us) + delay_us + 60_000_000)
    assert AlarmKind.END_OF_SERVICE in twin.alarms.active
    motor = twin.mech.motor
    twin.advance_to_us(twin.now_us + 30 * US_PER_DAY)
    assert twin.mech.motor == motor  # stopped: nothing moves after end of service
    assert eri_us / US_PER_DAY < life_us / US_PER_DAY  # pumping shortens the life, as S50 says
