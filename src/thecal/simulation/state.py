"""The twin's state and clock: everything it holds, and how time moves it.

:class:`TwinState` owns the mechanics (:mod:`.mechanics`), the alarm board, the device-event
queue, the logs and the trace, and advances time exactly between events — handling the device's
own events (end of a transient fault, recovery after an MRI stall, end of service) and bringing
alarms and halts in line with the state after every change (:meth:`TwinState._sync`). The
commands a pump accepts are in :mod:`.commands`; :class:`thecal.simulation.twin.PumpTwin` is the
whole twin.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

from thecal.domain.admixture import Admixture
from thecal.domain.device_events import DeviceEvent
from thecal.domain.devices import CatheterModel, PumpModel
from thecal.domain.library import ReferenceLibrary
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Duration, Volume
from thecal.simulation.alarms import AlarmBoard, AlarmKind
from thecal.simulation.battery import Battery
from thecal.simulation.delivery import Actuator
from thecal.simulation.engine import EventQueue, Priority
from thecal.simulation.errors import (
    PumpNotProgrammable,
)
from thecal.simulation.faults import (
    TelemetryFailure,
)
from thecal.simulation.fluid import CSF, Fluid, Mixture
from thecal.simulation.mechanics import Mechanics
from thecal.simulation.patient_bolus import PatientBolusGate
from thecal.simulation.scale import (
    aware,
    volume_units,
)
from thecal.simulation.status import CommandOutcome
from thecal.simulation.trace import TraceRecord

__all__ = ["TwinState"]

_HUNDRED = Fraction(100)


class TwinState:
    """The state and clock of one pump twin (see :class:`thecal.simulation.twin.PumpTwin`)."""

    def __init__(
        self,
        *,
        pump: PumpModel,
        catheter: CatheterModel,
        catheter_length_cm: Decimal,
        start: dt.datetime,
        serial: str = "TWIN-0001",
        library: ReferenceLibrary | None = None,
        accuracy_bias_pct: Decimal | None = None,
        catheter_filled_with: Admixture | None = None,
        low_reservoir_alarm: Volume | None = None,
        battery_cost_days_per_ml: Decimal | None = None,
        rng: random.Random | None = None,
        record_trace: bool = True,
    ) -> None:
        self.pump, self.catheter, self.serial, self.library = pump, catheter, serial, library
        self.start = aware(start, name="start")
        self.rng = rng if rng is not None else random.Random(0)
        self.catheter_length_cm = catheter_length_cm
        self.catheter_volume = catheter.dead_space(catheter_length_cm)
        self.dead_space = self.catheter_volume + pump.internal_volume.value
        stroke = pump.stroke_volume.value if pump.stroke_volume and pump.is_valve_gated else None
        filled_with = Mixture.pure(Fluid.of(catheter_filled_with) if catheter_filled_with else CSF)
        self.default_low = low_reservoir_alarm or pump.low_reservoir_alarm.value
        self.mech = Mechanics(
            actuator=Actuator(volume_units(stroke) if stroke else None),
            capacity=volume_units(pump.reservoir.value),
            path_volume=volume_units(self.dead_space),
            path_mixture=filled_with,
            battery=Battery(pump, cost_days_per_ml=battery_cost_days_per_ml),
            low_threshold=volume_units(self.default_low),
        )
        if accuracy_bias_pct is None:
            source = pump.bias_per_refill_pct or pump.bias_cumulative_pct
            accuracy_bias_pct = source.value
        self.bias = Fraction(accuracy_bias_pct)
        self.delivery_error = Fraction(0)
        self._update_truth_ratio()
        self.program_: InfusionProgram | None = None
        self.gate = PatientBolusGate()
        self.alarms = AlarmBoard()
        self.queue: EventQueue[tuple[str, int]] = EventQueue()
        self.tokens: dict[str, int] = {}
        self.telemetry: TelemetryFailure | None = None
        self.filled = False
        self.dry = False
        self.eos = False
        self.withdrawn_since_fill = False
        self.counted_at_refill = 0
        self.record_trace = record_trace
        self.trace: list[TraceRecord] = []
        self.events: list[DeviceEvent] = []
        self.bolus_log: list[tuple[int, bool, str, bool]] = []  # (µs, granted, reason, uncertain)
        self.record("start", pump.id, f"{pump.name}; dead space {self.dead_space}")

    # ------------------------------------------------------------------ time

    @property
    def now_us(self) -> int:
        return self.mech.now_us

    @property
    def now(self) -> dt.datetime:
        return self.at(self.mech.now_us)

    def at(self, t_us: int) -> dt.datetime:
        return self.start + dt.timedelta(microseconds=t_us)

    def us(self, when: dt.datetime) -> int:
        delta = aware(when, name="time") - self.start
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

    def advance_to(self, when: dt.datetime) -> None:
        """Run the twin up to ``when`` (never backwards)."""
        self.advance_to_us(self.us(when))

    def advance_by(self, duration: Duration) -> None:
        self.advance_to_us(self.now_us + int(duration.value * 1_000_000))

    def advance_to_us(self, t_us: int) -> None:
        queue, mech = self.queue, self.mech
        if t_us < mech.now_us:
            msg = f"the twin cannot go back in time ({t_us} µs < {mech.now_us} µs)"
            raise ValueError(msg)
        nxt = queue.peek_time()
        if nxt is None or nxt > t_us:  # the common case: no device event due on the way
            if not mech.step_to(t_us):
                return
            self._sync()  # stopped early at a threshold crossing
        while True:
            nxt = queue.peek_time()
            due = nxt is not None and nxt <= t_us
            target = nxt if due and nxt is not None else t_us
            if mech.now_us < target:
                if mech.step_to(target):  # a crossing may schedule an earlier device event
                    self._sync()
                continue
            if not due:
                return
            _, (kind, token) = queue.pop()
            if self.tokens.get(kind) == token:
                del self.tokens[kind]
                self._device_event(kind)

    def _schedule(self, kind: str, at_us: int) -> None:
        token = self.tokens.get(kind, 0) + 1
        self.tokens[kind] = token
        self.queue.push(at_us, Priority.DEVICE, (kind, token))

    def _device_event(self, kind: str) -> None:
        mech = self.mech
        if kind == "mri-recovered":
            mech.halts.discard("mri")
            self.log_event("mri-recovered", "motor resumed after the MRI stall (S55)")
        elif kind == "end-of-service":
            self.eos = True
            mech.halts.add("eos")
            self.log_event("end-of-service", "battery exhausted: the pump has stopped (S50)")
        elif kind.startswith("end:"):
            self._end_fault(kind.removeprefix("end:"))
        self._sync()

    # ------------------------------------------------------------------ state → alarms

    def _sync(self) -> None:
        """Bring alarms and halts in line with the state (each alarm present iff its condition)."""
        mech, now = self.mech, self.now_us
        empty = self.filled and mech.believed == 0
        if empty:
            mech.halts.add("empty")
        else:
            mech.halts.discard("empty")
        battery = mech.battery
        if battery.at_eri and battery.eri_at_us is None:
            battery.eri_at_us = now
            self._schedule("end-of-service", now + battery.stop_delay_us)
        halts = mech.halts
        states = (  # in AlarmKind order
            self.filled and mech.believed <= mech.low_threshold,  # LOW_RESERVOIR
            empty,  # EMPTY_RESERVOIR
            battery.eri_at_us is not None,  # ELECTIVE_REPLACEMENT
            self.eos,  # END_OF_SERVICE
            "stall" in halts or "mri" in halts,  # MOTOR_STALL
            "valve" in halts,  # VALVE_CLOSED
        )
        if states != self.alarms.states:
            self._change_alarms(states)
        if self.filled and mech.reservoir.units == 0 and not self.dry:
            self.dry = True
            self.record(
                "state",
                "reservoir-dry",
                "the real reservoir is empty: nothing reaches the tip",
                priority="high",
            )
        elif mech.reservoir.units > 0:
            self.dry = False

    def _change_alarms(self, states: tuple[bool, ...]) -> None:
        """Raise or clear each alarm whose state differs, logging (and tracing) each change."""
        now = self.now_us
        for kind, present in zip(AlarmKind, states, strict=True):
            if self.alarms.set(kind, present=present, at_us=now) is None:
                continue
            verb = "raised" if present else "cleared"
            self.events.append(
                DeviceEvent(
                    at=self.at(now),
                    code=f"alarm-{verb}:{kind.code}",
                    detail=kind.code,
                    priority=kind.priority,
                )
            )
            self.record("alarm", kind.code, verb, priority=kind.priority.value)

    def record(self, kind: str, name: str, detail: str, *, priority: str = "") -> None:
        if not self.record_trace:
            return
        mech = self.mech
        tip = mech.tip
        self.trace.append(
            TraceRecord(  # positional (fast): the field order of TraceRecord
                mech.now_us,
                kind,
                name,
                priority,
                detail,
                mech.believed,
                mech.reservoir.units,
                tip.units,
                mech.tissue.units,
                mech.pocket.units,
                tuple(tip.scaled.items()) if tip.units else (),
                self.alarms.codes(),
                tuple(tip.exact.items()) if tip.exact and tip.units else (),
            )
        )

    def log_event(self, code: str, detail: str) -> None:
        self.events.append(DeviceEvent(at=self.now, code=code, detail=detail))
        self.record("state", code, detail)

    def _telemetry_outcome(self) -> tuple[CommandOutcome, bool]:
        """(outcome, applied): with no link the command may or may not have reached the pump."""
        failure = self.telemetry
        if failure is None:
            return CommandOutcome.ACKNOWLEDGED, True
        applied = failure.applied if failure.applied is not None else self.rng.random() < 0.5
        return CommandOutcome.UNCERTAIN, applied

    def _refuse_if_stopped(self, command: str) -> None:
        if self.eos:
            raise PumpNotProgrammable(
                serial=self.serial, command=command, reason="end of service: the pump has stopped"
            )

    def _end_fault(self, name: str) -> None:
        mech = self.mech
        if name == "MotorStall":
            mech.halts.discard("stall")
        elif name == "DeliveryError":
            self.delivery_error = Fraction(0)
            self._update_truth_ratio()
        elif name == "Occlusion":
            mech.occluded = False
        elif name == "Leak":
            mech.set_leak(None)
        elif name == "TelemetryFailure":
            self.telemetry = None
        self.record("fault", f"{name}-ended", "")

    def _update_truth_ratio(self) -> None:
        ratio = (1 + self.bias / _HUNDRED) * (1 + self.delivery_error / _HUNDRED)
        self.mech.set_truth_ratio(ratio)
