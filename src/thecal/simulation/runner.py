"""Run a scenario: build the twin, feed it the scenario's events, demand and samples, in order.

Scenario actions, patient-bolus requests (drawn lazily from the seeded demand model) and trace
samples are merged on one :class:`~thecal.simulation.engine.EventQueue`; the twin handles its own
device events (MRI recovery, fault ends, end of service) as it advances. Same scenario and seed →
the identical trace.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from thecal.domain.library import ReferenceLibrary
from thecal.domain.units import Volume
from thecal.simulation.demand import requests
from thecal.simulation.engine import EventQueue, Priority
from thecal.simulation.errors import TelemetryFailure as TelemetryLost
from thecal.simulation.scale import us_of
from thecal.simulation.scenario import (
    Action,
    Interrogate,
    MriScan,
    PatientBolusPress,
    PrimingBolusCommand,
    ProgramChange,
    Refill,
    Scenario,
    StartFault,
    ValveReset,
)
from thecal.simulation.twin import PumpTwin

__all__ = ["RefillRecord", "SimulationRun", "build_twin", "run_scenario"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RefillRecord:
    """A refill as the clinic sees it: expected residual (pump's count) vs measured residual."""

    at_us: int
    expected: Volume
    measured: Volume
    injected: Volume
    into_reservoir: Volume  # the truth: what really went in (the rest went to the pocket)


@dataclass(slots=True, kw_only=True)
class SimulationRun:
    scenario: Scenario
    twin: PumpTwin
    refills: list[RefillRecord]


def build_twin(
    scenario: Scenario, *, library: ReferenceLibrary | None = None, record_trace: bool = True
) -> PumpTwin:
    """The twin of ``scenario`` at time zero, filled, programmed and (if asked) priming."""
    twin = PumpTwin(
        pump=scenario.pump,
        catheter=scenario.catheter,
        catheter_length_cm=scenario.catheter_length_cm,
        start=scenario.start,
        serial=scenario.serial,
        library=library,
        accuracy_bias_pct=scenario.accuracy_bias_pct,
        catheter_filled_with=scenario.admixture if scenario.catheter_primed else None,
        battery_cost_days_per_ml=scenario.battery_cost_days_per_ml,
        rng=random.Random(scenario.seed),
        record_trace=record_trace,
    )
    twin.inject(scenario.fill, scenario.admixture)
    twin.program(scenario.program)
    if scenario.prime:
        twin.priming_bolus()
    return twin


def _samples(every_us: int, until_us: int) -> Iterator[int]:
    t = every_us
    while t <= until_us:
        yield t
        t += every_us


class _Runner:
    def __init__(self, scenario: Scenario, twin: PumpTwin) -> None:
        self.scenario, self.twin = scenario, twin
        self.refills: list[RefillRecord] = []
        self.admixture = scenario.admixture

    def act(self, action: Action) -> None:
        twin = self.twin
        if isinstance(action, Refill):
            expected = twin.belief.reservoir
            measured = twin.withdraw_residual() if action.withdraw else Volume.from_ml(0)
            self.admixture = action.admixture or self.admixture
            entered = twin.inject(
                action.volume, self.admixture, pocket_percent=action.pocket_percent
            )
            self.refills.append(
                RefillRecord(
                    at_us=twin.now_us,
                    expected=expected,
                    measured=measured,
                    injected=action.volume,
                    into_reservoir=entered,
                )
            )
        elif isinstance(action, ProgramChange):
            if action.bridge:
                twin.bridge_bolus(action.program)
            else:
                twin.program(action.program)
        elif isinstance(action, PrimingBolusCommand):
            twin.priming_bolus(flow=action.flow)
        elif isinstance(action, MriScan):
            twin.start_mri()
            self.queue_end_mri(action)
        elif isinstance(action, ValveReset):
            twin.reset_valve()
        elif isinstance(action, StartFault):
            twin.inject_fault(action.fault)
        elif isinstance(action, PatientBolusPress):
            twin.request_patient_bolus()
        elif isinstance(action, Interrogate):
            try:
                twin.interrogate()
            except TelemetryLost as error:
                twin.record("command", "interrogate", f"failed: {error.code}")

    def queue_end_mri(self, action: MriScan) -> None:
        self.pending_mri_end = (self.twin.now_us + us_of(action.duration), action)

    pending_mri_end: tuple[int, MriScan] | None = None


def run_scenario(
    scenario: Scenario, *, library: ReferenceLibrary | None = None, record_trace: bool = True
) -> SimulationRun:
    """Run ``scenario`` to its horizon and return the twin (with its trace) and the refills."""
    twin = build_twin(scenario, library=library, record_trace=record_trace)
    horizon = us_of(scenario.horizon)
    queue: EventQueue[tuple[str, Action | None]] = EventQueue()
    for event in scenario.events:
        queue.push(us_of(event.at), Priority.CLINICIAN, ("action", event.action))
    demand = (
        requests(
            scenario.demand,
            rng=random.Random(scenario.seed + 1),
            start=scenario.start,
            until_us=horizon,
        )
        if scenario.demand
        else iter(())
    )
    samples = _samples(us_of(scenario.sample_every), horizon) if scenario.sample_every else iter(())
    runner = _Runner(scenario, twin)
    # The two streams (patient presses, trace samples) are merged with the queue here rather than
    # pushed into it one by one: the order is the queue's own, (time, priority) — scenario
    # actions (CLINICIAN) before presses (PATIENT) before samples (SAMPLE) at the same
    # microsecond; each stream is strictly increasing, so no sequence number is needed.
    never = horizon + 1
    press_at = next(demand, never)
    sample_at = next(samples, never)
    while True:
        action_at = queue.peek_time()
        if action_at is None:
            action_at = never
        at_us = min(action_at, press_at, sample_at)
        if at_us > horizon:
            break
        twin.advance_to_us(at_us)
        if action_at == at_us:
            _, (kind, action) = queue.pop()
            if kind == "action" and action is not None:
                runner.act(action)
                if runner.pending_mri_end is not None:
                    end_at, scan = runner.pending_mri_end
                    runner.pending_mri_end = None
                    queue.push(end_at, Priority.CLINICIAN, ("mri-end", scan))
            elif kind == "mri-end" and isinstance(action, MriScan):
                twin.end_mri(recovery=action.recovery)
        elif press_at == at_us:
            twin.press()  # the runner discards the answer: skip building it
            press_at = next(demand, never)
            # The presses before the next action (and not after the next sample) follow in a
            # tight loop: the usual case. ``never`` is never below ``action_at``.
            while press_at < action_at and press_at <= sample_at:
                twin.advance_to_us(press_at)
                twin.press()
                press_at = next(demand, never)
        else:
            twin.record("sample", "", "")
            sample_at = next(samples, never)
    twin.advance_to_us(horizon)
    twin.record("end", scenario.name, "")
    return SimulationRun(scenario=scenario, twin=twin, refills=runner.refills)
