"""Hypothesis state machine over random command sequences and time advances (SR-03, SR-04).

After every step: 0 ≤ reservoir ≤ capacity (belief and truth); volume is conserved (filled =
reservoir + path + delivered + leaked + pocket + withdrawn); no patient bolus starts inside the
lockout; no more than the daily maximum in any 24 h; over any window the counted delivery never
exceeds the programmed volume by more than one stroke, nor the truth that times the bias; every
alarm is present exactly while its condition holds.
"""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal
from fractions import Fraction

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import MORPHINE_25, START
from thecal.domain.errors import FlowBelowPumpMinimum
from thecal.domain.library import reference_library
from thecal.domain.program import FlexStep, InfusionProgram, PatientBolusSettings, ProgramMode
from thecal.domain.units import DoseRate, Duration, Mass, Volume
from thecal.simulation.alarms import AlarmKind
from thecal.simulation.errors import BolusInProgress, PumpNotProgrammable, ReservoirOverfill
from thecal.simulation.faults import DeliveryError, Leak, MotorStall, Occlusion
from thecal.simulation.scale import US_PER_DAY, volume_units
from thecal.simulation.twin import PumpTwin

LIBRARY = reference_library()
BOLUS = PatientBolusSettings(
    dose=Mass.from_mg(Decimal("0.25")),
    duration=Duration.minutes(15),
    lockout=Duration.hours(3),
    max_per_day=4,
)
LOCKOUT_US = 3 * 3_600_000_000


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
        self.twin = PumpTwin(
            pump=LIBRARY.pump(pump),
            catheter=LIBRARY.catheter(catheter),
            catheter_length_cm=Decimal(50),
            start=START,
            library=LIBRARY,
            accuracy_bias_pct=Decimal(bias),
            record_trace=False,
        )
        self.bias = 1 + Fraction(Decimal(bias)) / 100
        self.twin.inject(Volume.from_ml(20), MORPHINE_25)
        self.twin.program(_program([5], flex=False))
        self.samples: list[tuple[int, int, int, int]] = []
        self.granted: list[int] = []
        self._sample()

    def _sample(self) -> None:
        mech = self.twin.mech
        self.samples.append(
            (mech.now_us, mech.motor, mech.counted, mech.tip.units + mech.tissue.units)
        )

    @rule(minutes=st.integers(1, 60 * 24 * 20))
    def advance(self, minutes: int) -> None:
        self.twin.advance_to_us(self.twin.now_us + minutes * 60_000_000)
        self._sample()

    @rule()
    def press(self) -> None:
        if self.twin.request_patient_bolus().granted:
            self.granted.append(self.twin.now_us)

    @rule(doses=st.lists(st.integers(0, 20), min_size=4, max_size=4), flex=st.booleans())
    def reprogram(self, doses: list[int], flex: bool) -> None:
        if not flex:
            doses[0] = max(doses[0], 2)
        with contextlib.suppress(FlowBelowPumpMinimum):  # refused by the programmer, as it must be
            self.twin.program(_program(doses, flex))

    @rule(volume=st.integers(1, 20), pocket=st.sampled_from([0, 0, 0, 30, 100]))
    def refill(self, volume: int, pocket: int) -> None:
        self.twin.withdraw_residual()
        try:
            self.twin.inject(Volume.from_ml(volume), MORPHINE_25, pocket_percent=Decimal(pocket))
        except ReservoirOverfill:
            raise AssertionError from None

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

    @rule()
    def prime(self) -> None:
        with contextlib.suppress(BolusInProgress, PumpNotProgrammable):
            self.twin.priming_bolus()

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
    def delivery_never_runs_ahead_of_the_program(self) -> None:
        stroke = self.twin.mech.actuator.stroke or 0
        first = self.samples[0]
        for later in self.samples[-3:]:
            for earlier in (first, *self.samples[-4:-1]):
                if earlier[0] > later[0]:
                    continue
                programmed = later[1] - earlier[1]
                assert later[2] - earlier[2] <= programmed + stroke
                ceiling = Fraction(max(self.bias, Fraction(23, 20))) * (programmed + stroke)
                assert later[3] - earlier[3] <= ceiling + self.twin.mech.path.volume

    @invariant()
    def each_alarm_present_exactly_while_its_condition_holds(self) -> None:
        twin, mech = self.twin, self.twin.mech
        expected = {
            AlarmKind.LOW_RESERVOIR: twin.filled and mech.believed <= mech.low_threshold,
            AlarmKind.EMPTY_RESERVOIR: twin.filled and mech.believed == 0,
            AlarmKind.ELECTIVE_REPLACEMENT: mech.battery.eri_at_us is not None,
            AlarmKind.END_OF_SERVICE: twin.eos,
            AlarmKind.MOTOR_STALL: bool(mech.halts & {"stall", "mri"}),
            AlarmKind.VALVE_CLOSED: "valve" in mech.halts,
        }
        assert {k for k, present in expected.items() if present} == twin.alarms.active


TwinMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_twin_state_machine = TwinMachine.TestCase
