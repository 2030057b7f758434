"""Infusion programs: what a pump is told to deliver.

Rates are written as the primary drug's dose rate; the pump turns them into flow with the
admixture's primary concentration. A program has a mode (stopped, simple continuous, flex steps
over a daily or weekly cycle, periodic bolus, single bolus), optional patient-activated bolus
settings and a low-reservoir alarm threshold. Priming and bridge boluses are one-off commands
computed by :mod:`thecal.domain.dosing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from thecal.domain.admixture import Admixture
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.units import DoseRate, Duration, FlowRate, Mass, Volume

__all__ = [
    "DAY",
    "WEEK",
    "FlexStep",
    "InfusionProgram",
    "PatientBolusSettings",
    "PeriodicBolus",
    "ProgramMode",
]

DAY = Duration.days(1)
WEEK = Duration.days(7)


class ProgramMode(Enum):
    STOPPED = "stopped"
    CONTINUOUS = "continuous"
    FLEX = "flex"
    PERIODIC_BOLUS = "periodic-bolus"
    SINGLE_BOLUS = "single-bolus"


@dataclass(frozen=True, slots=True, kw_only=True)
class FlexStep:
    """From ``start`` (offset into the cycle) until the next step, deliver ``rate``."""

    start: Duration
    rate: DoseRate


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodicBolus:
    """A clinician bolus of ``dose`` over ``duration``, every ``every``, first at ``offset``."""

    dose: Mass
    duration: Duration
    every: Duration
    offset: Duration = field(default_factory=lambda: Duration(Decimal(0)))

    def __post_init__(self) -> None:
        if self.dose.value <= 0:
            raise ValueOutOfRange(name="bolus dose", expected="> 0", value=self.dose)
        if self.duration.value <= 0:
            raise ValueOutOfRange(name="bolus duration", expected="> 0", value=self.duration)
        if self.every < self.duration:
            raise ValueOutOfRange(
                name="bolus interval",
                expected=f"at least the bolus duration {self.duration}",
                value=self.every,
            )
        if self.offset.value < 0:
            raise ValueOutOfRange(name="first bolus", expected="≥ 0", value=self.offset)

    def most_in(self, window: Duration) -> int:
        """The most boluses that start inside any window of ``window`` (e.g. 4 in 24 h every 7 h)."""
        whole, rest = divmod(window.value, self.every.value)
        return int(whole) + (1 if rest > 0 else 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientBolusSettings:
    """Patient-activated bolus: dose, delivery time, lockout between boluses, maximum per day."""

    dose: Mass
    duration: Duration
    lockout: Duration
    max_per_day: int

    def __post_init__(self) -> None:
        if self.dose.value <= 0:
            raise ValueOutOfRange(name="patient bolus dose", expected="> 0", value=self.dose)
        if self.max_per_day < 1:
            raise ValueOutOfRange(
                name="patient boluses per day", expected="≥ 1", value=self.max_per_day
            )
        if self.duration.value <= 0 or self.lockout < self.duration:
            raise ValueOutOfRange(
                name="patient bolus lockout",
                expected=f"at least the bolus duration {self.duration}",
                value=self.lockout,
            )

    @property
    def max_daily_amount(self) -> Mass:
        return self.dose * self.max_per_day


@dataclass(frozen=True, slots=True, kw_only=True)
class InfusionProgram:
    """A complete pump program for one admixture."""

    mode: ProgramMode
    admixture: Admixture
    steps: tuple[FlexStep, ...] = ()
    cycle: Duration = DAY
    periodic: PeriodicBolus | None = None
    single_bolus: PeriodicBolus | None = None
    patient_bolus: PatientBolusSettings | None = None
    low_reservoir_alarm: Volume | None = None

    def __post_init__(self) -> None:
        if self.mode in (ProgramMode.CONTINUOUS, ProgramMode.FLEX):
            self._check_steps()
        if self.mode is ProgramMode.PERIODIC_BOLUS and self.periodic is None:
            raise ValueOutOfRange(name="periodic bolus", expected="given", value="missing")
        if self.mode is ProgramMode.PERIODIC_BOLUS and self.steps:
            self._check_between()
        if self.mode is ProgramMode.SINGLE_BOLUS and self.single_bolus is None:
            raise ValueOutOfRange(name="single bolus", expected="given", value="missing")

    def _check_steps(self) -> None:
        if not self.steps or self.steps[0].start.value != 0:
            raise ValueOutOfRange(
                name="first step", expected="starting at 0 h", value=self.steps[:1]
            )
        if self.mode is ProgramMode.CONTINUOUS and len(self.steps) != 1:
            raise ValueOutOfRange(
                name="continuous program", expected="one step", value=len(self.steps)
            )
        if self.cycle not in (DAY, WEEK):
            raise ValueOutOfRange(name="cycle", expected="1 day or 7 days", value=self.cycle)
        starts = [step.start for step in self.steps]
        if starts != sorted(starts) or len(set(starts)) != len(starts) or starts[-1] >= self.cycle:
            raise ValueOutOfRange(
                name="flex steps",
                expected="strictly increasing starts inside the cycle",
                value=starts,
            )
        if any(step.rate.value < 0 for step in self.steps):
            raise ValueOutOfRange(
                name="step rate", expected="≥ 0", value=[str(s.rate) for s in self.steps]
            )

    def _check_between(self) -> None:
        """A periodic-bolus program's one step: the rate between boluses, from 0 h."""
        if len(self.steps) != 1 or self.steps[0].start.value != 0 or self.steps[0].rate.value < 0:
            raise ValueOutOfRange(
                name="rate between periodic boluses",
                expected="one rate ≥ 0 from 0 h",
                value=[str(step.rate) for step in self.steps],
            )

    @property
    def between_boluses(self) -> DoseRate:
        """A periodic-bolus program's rate between boluses (0: none; ``steps`` holds it, on a
        pump model that keeps its minimum rate between boluses)."""
        if self.mode is ProgramMode.PERIODIC_BOLUS and self.steps:
            return self.steps[0].rate
        return DoseRate(Decimal(0))

    @classmethod
    def continuous(
        cls,
        admixture: Admixture,
        daily_dose: DoseRate,
        *,
        patient_bolus: PatientBolusSettings | None = None,
        low_reservoir_alarm: Volume | None = None,
    ) -> InfusionProgram:
        return cls(
            mode=ProgramMode.CONTINUOUS,
            admixture=admixture,
            steps=(FlexStep(start=Duration(Decimal(0)), rate=daily_dose),),
            patient_bolus=patient_bolus,
            low_reservoir_alarm=low_reservoir_alarm,
        )

    def step_durations(self) -> list[tuple[FlexStep, Duration]]:
        ends = [step.start for step in self.steps[1:]] + [self.cycle]
        return [(step, end - step.start) for step, end in zip(self.steps, ends, strict=True)]

    @property
    def basal_daily_dose(self) -> DoseRate:
        """Average daily dose of the primary drug without patient boluses (flex: Σ rate × time)."""
        if self.mode is ProgramMode.STOPPED or self.mode is ProgramMode.SINGLE_BOLUS:
            return DoseRate(Decimal(0))
        if self.mode is ProgramMode.PERIODIC_BOLUS and self.periodic is not None:
            periodic = self.periodic
            between = self.between_boluses * (periodic.every - periodic.duration)
            return (periodic.dose + between) / periodic.every
        total = sum(((step.rate * span) for step, span in self.step_durations()), Mass(Decimal(0)))
        return total / self.cycle

    @property
    def worst_case_daily_dose(self) -> DoseRate:
        """Basal daily dose plus every allowed patient bolus taken (clinical.md §4.2, S66)."""
        extra = self.patient_bolus.max_daily_amount if self.patient_bolus else Mass(Decimal(0))
        return self.basal_daily_dose + extra / DAY

    @property
    def peak_daily_dose(self) -> DoseRate:
        """The most of the primary drug the program delivers in any 24 h, without patient boluses.

        Daily cycle: the day's total. Weekly flex: the worst 24 h window over the week. Periodic
        bolus: every bolus that can start in 24 h, in full (every 7 h: 4 boluses, not 24/7). Single
        bolus: the whole bolus counts in the day it is given.
        """
        if self.mode is ProgramMode.STOPPED:
            return DoseRate(Decimal(0))
        if self.mode is ProgramMode.SINGLE_BOLUS and self.single_bolus is not None:
            return self.single_bolus.dose / DAY
        if self.mode is ProgramMode.PERIODIC_BOLUS and self.periodic is not None:
            periodic = self.periodic  # the rate between boluses counted over the whole 24 h
            return (periodic.dose * periodic.most_in(DAY)) / DAY + self.between_boluses
        if self.cycle == DAY:
            return self.basal_daily_dose
        # The window's amount is piecewise linear in its start: its maximum lies where the window
        # starts or ends at a step boundary.
        starts = {step.start.value for step in self.steps}
        starts |= {(s - DAY.value) % self.cycle.value for s in starts}
        return max(self._window_amount(Duration(s)) for s in starts) / DAY

    @property
    def worst_day_dose(self) -> DoseRate:
        """The most in any 24 h with every clinician bolus in full and every patient bolus taken."""
        extra = self.patient_bolus.max_daily_amount if self.patient_bolus else Mass(Decimal(0))
        return self.peak_daily_dose + extra / DAY

    def _window_amount(self, start: Duration) -> Mass:
        """The amount delivered in the 24 h from ``start`` (offset into the cycle, wrapping)."""
        total = Mass(Decimal(0))
        for step, span in self.step_durations():
            for shift in (Decimal(0), self.cycle.value):
                lo = max(step.start.value + shift, start.value)
                hi = min(step.start.value + span.value + shift, start.value + DAY.value)
                if hi > lo:
                    total = total + step.rate * Duration(hi - lo)
        return total

    @property
    def max_step_rate(self) -> DoseRate:
        return max((step.rate for step in self.steps), default=DoseRate(Decimal(0)))

    @property
    def basal_flow(self) -> FlowRate:
        return self.admixture.flow_for(self.basal_daily_dose)

    @property
    def worst_case_flow(self) -> FlowRate:
        return self.admixture.flow_for(self.worst_case_daily_dose)
