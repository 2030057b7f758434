"""The pump digital twin: one implanted pump, its catheter, and the patient at the tip.

:class:`PumpTwin` takes the commands a clinician programmer, a refill kit, an MRI suite and a
patient therapy manager can give a pump, and advances physical time exactly between them
(:mod:`.mechanics`). It keeps two truths: interrogation reports only the pump's belief; a refill's
withdrawal measures the physical reservoir. Time is simulated and starts at a timezone-aware
datetime; the wall clock is never read; randomness comes only from the seeded generator passed in.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

from thecal.domain.admixture import Admixture
from thecal.domain.device_events import BatteryState, DeviceEvent, PatientBolusRecord
from thecal.domain.devices import CatheterModel, PumpModel
from thecal.domain.dosing import BridgeBolus, PrimingBolus, bridge_bolus, priming_bolus
from thecal.domain.library import ReferenceLibrary
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Duration, FlowRate, Volume
from thecal.simulation.alarms import AlarmBoard, AlarmKind
from thecal.simulation.battery import Battery
from thecal.simulation.delivery import Actuator
from thecal.simulation.engine import EventQueue, Priority
from thecal.simulation.errors import (
    BolusInProgress,
    PumpNotProgrammable,
    ReservoirOverfill,
)
from thecal.simulation.errors import TelemetryFailure as TelemetryLost
from thecal.simulation.faults import (
    BatteryDepletion,
    DeliveryError,
    Fault,
    Leak,
    MotorStall,
    Occlusion,
    TelemetryFailure,
)
from thecal.simulation.fluid import CSF, Fluid, Mixture
from thecal.simulation.mechanics import Mechanics
from thecal.simulation.patient_bolus import PatientBolusGate
from thecal.simulation.programming import compile_program, describe_program
from thecal.simulation.scale import (
    US_PER_HOUR,
    aware,
    duration_of,
    mass_of,
    volume_of,
    volume_units,
)
from thecal.simulation.schedule import Bolus, FlowSchedule
from thecal.simulation.status import Belief, BolusDecision, CommandOutcome, PumpStatus, Truth
from thecal.simulation.trace import TraceRecord

__all__ = ["PumpTwin"]

_HUNDRED = Fraction(100)


class PumpTwin:
    """A deterministic, event-driven twin of one programmable implanted pump.

    Args:
        pump: the pump model (reservoir, mechanism, stroke, bias, battery, MRI behaviour).
        catheter: the catheter model; with ``catheter_length_cm`` it gives the dead space (S64).
        start: the twin's time zero, timezone-aware; flex cycles run on this clock's local time.
        serial: the pump's serial number.
        library: drug library used to refuse patient boluses for drugs that forbid them.
        accuracy_bias_pct: true ÷ programmed − 1, in %; default the model's per-refill figure
            (SynchroMed II +2.5 %, S46), else its cumulative figure.
        catheter_filled_with: what fills the path at time zero: ``None`` for a fresh implant
            (CSF/saline, so a priming bolus is needed, S53), or an admixture for a primed system.
        low_reservoir_alarm: default alarm level when a program does not give one (model: S47).
        rng: the seeded generator for every random choice (MRI recovery delay, uncertain outcomes).
    """

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

    # ------------------------------------------------------------------ programming

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

    def program(self, program: InfusionProgram) -> CommandOutcome:
        """Send a new program. Validated by the programmer first (flow limits, bolus rights)."""
        self._refuse_if_stopped("a program")
        compiled = compile_program(
            program, pump=self.pump, library=self.library, start=self.start, now_us=self.now_us
        )
        outcome, applied = self._telemetry_outcome()
        if applied:
            self.program_ = program
            schedule = FlowSchedule(compiled.basal)
            if compiled.bolus is not None:
                schedule.add(compiled.bolus)
            self.mech.schedule = schedule
            self.mech.low_threshold = volume_units(program.low_reservoir_alarm or self.default_low)
            self.gate.configure(program.patient_bolus)
            self._sync()
        truth = (
            ""
            if outcome is CommandOutcome.ACKNOWLEDGED
            else f" (uncertain; truly applied: {applied})"
        )
        self.record("command", "program", describe_program(program) + truth)
        return outcome

    def _bolus_busy(self, label: str) -> None:
        for bolus in self.mech.schedule.boluses:
            if bolus.replaces_basal and bolus.end_us > self.now_us:
                raise BolusInProgress(
                    serial=self.serial, label=bolus.label, until=self.at(bolus.end_us).isoformat()
                )
        del label

    def priming_bolus(self, *, flow: FlowRate | None = None) -> PrimingBolus:
        """Fill the pump path and catheter dead space after an implant (S53 [C], SR-14)."""
        self._refuse_if_stopped("a priming bolus")
        self._bolus_busy("priming bolus")
        plan = priming_bolus(
            catheter_volume=self.catheter_volume,
            pump_internal_volume=self.pump.internal_volume.value,
        )
        rate = flow or self.pump.max_flow.value
        self._replacing_bolus(volume_units(plan.volume), rate, "priming bolus")
        self.record("command", "priming-bolus", f"{plan.volume} at {rate}")
        return plan

    def _replacing_bolus(self, units: int, rate: FlowRate, label: str) -> None:
        nl_per_day = int(rate.ml_per_day * 1_000_000)
        duration = -(-units // nl_per_day)  # µs, rounded up
        self.mech.schedule.add(
            Bolus(self.now_us, self.now_us + duration, units, replaces_basal=True, label=label)
        )

    def bridge_bolus(self, new_program: InfusionProgram) -> BridgeBolus:
        """Install ``new_program`` behind a bridge bolus that keeps the tip dose continuous.

        The dead space still holds the old admixture; the bridge pushes it out at the old flow
        (so the patient keeps the old dose) and the new program starts when the new admixture
        reaches the tip (:func:`thecal.domain.dosing.bridge_bolus`).
        """
        old = self.program_
        if old is None:
            raise PumpNotProgrammable(
                serial=self.serial, command="a bridge bolus", reason="no program to bridge from"
            )
        plan = bridge_bolus(
            dead_space=self.dead_space,
            old_concentration=old.admixture.primary.concentration,
            old_daily_dose=old.basal_daily_dose,
            new_concentration=new_program.admixture.primary.concentration,
            new_daily_dose=new_program.basal_daily_dose,
        )
        self.program(new_program)
        self._replacing_bolus(volume_units(plan.volume), plan.flow, "bridge bolus")
        self.record("command", "bridge-bolus", f"{plan.volume} at {plan.flow} for {plan.duration}")
        return plan

    # ------------------------------------------------------------------ refill

    def withdraw_residual(self) -> Volume:
        """Empty the reservoir through the port; returns the TRUE volume measured (S73, S74)."""
        mech = self.mech
        units = mech.reservoir.empty()
        mech.withdrawn += units
        self.withdrawn_since_fill = True
        measured = volume_of(units)
        if self.record_trace:
            expected = volume_of(mech.believed)
            self.record("command", "withdraw", f"measured {measured}; pump expected {expected}")
        self._sync()
        return measured

    def inject(
        self, volume: Volume, admixture: Admixture, *, pocket_percent: Decimal = Decimal(0)
    ) -> Volume:
        """Inject a refill. ``pocket_percent`` of it goes into the pocket, not the reservoir.

        Returns the volume that truly entered the reservoir (the clinician cannot see it; the
        pump's count is set to what the clinician enters: the injected volume, plus what was
        believed left if the residual was not withdrawn).
        """
        mech = self.mech
        units = volume_units(volume)
        base = 0 if self.withdrawn_since_fill else mech.believed
        if units <= 0 or base + units > mech.reservoir.capacity:
            raise ReservoirOverfill(
                serial=self.serial,
                volume=volume,
                capacity=self.pump.reservoir.value,
                held=volume_of(base),
            )
        pocket_units = 0
        if pocket_percent:
            to_pocket = units * Fraction(pocket_percent) / _HUNDRED
            pocket_units = to_pocket.numerator // to_pocket.denominator
        mixture = Mixture.pure(Fluid.of(admixture))
        overflow = mech.reservoir.fill(units - pocket_units, mixture)
        mech.pocket.receive(pocket_units + overflow, mixture)
        mech.injected += units
        mech.believed = base + units
        self.counted_at_refill = mech.counted
        self.filled, self.withdrawn_since_fill = True, False
        if self.record_trace:
            where = (
                f"; {volume_of(pocket_units + overflow)} into the POCKET"
                if pocket_units + overflow
                else ""
            )
            self.record("command", "inject", f"{volume} of {admixture.describe()}{where}")
        self._sync()
        return volume_of(units - pocket_units - overflow)

    # ------------------------------------------------------------------ MRI

    def start_mri(self) -> None:
        """The patient enters the scanner; what happens depends on the pump model."""
        mech = self.mech
        if not self.pump.must_be_emptied_for_mri:
            mech.halts.add("mri")  # SynchroMed: the motor stalls during the scan (S55)
            self.log_event("mri-stall", "motor stalled by the magnetic field (S55)")
        elif self.pump.flow_activated_valve and self.pump.fav_leak is not None:
            leak = min(volume_units(self.pump.fav_leak.value), mech.reservoir.units)
            mech.flush(mech.reservoir.draw(leak), mech.reservoir.mixture)
            mech.halts.add("valve")  # Prometra II: the FAV shuts after ≤ 10 µL (S60)
            self.log_event("valve-closed", f"flow-activated valve shut after {volume_of(leak)}")
        else:
            dumped = mech.reservoir.units  # Prometra: both valves open; contents dumped (S58, S59)
            mech.flush(mech.reservoir.draw(dumped), mech.reservoir.mixture)
            self.record(
                "hazard",
                "mri-dump",
                f"valves opened in the field: {volume_of(dumped)} from the reservoir pushed the "
                "catheter contents and reservoir into the patient (S58, S59)",
                priority="high",
            )
        self._sync()

    def end_mri(self, *, recovery: Duration | None = None) -> None:
        """The scan ends. A stalled motor resumes after ``recovery`` (2–24 h, S55)."""
        if "mri" in self.mech.halts:
            if recovery is None:
                minutes = self.rng.randint(2 * 60, 24 * 60)
                recovery = Duration.minutes(minutes)
            self._schedule("mri-recovered", self.now_us + int(recovery.value * 1_000_000))
        self.record("command", "mri-end", f"recovery {recovery}" if recovery else "")

    def reset_valve(self) -> CommandOutcome:
        """Manually reset a closed flow-activated valve (S60)."""
        outcome, applied = self._telemetry_outcome()
        if applied and "valve" in self.mech.halts:
            self.mech.halts.discard("valve")
            self.log_event("valve-reset", "flow-activated valve reset")
        self._sync()
        return outcome

    # ------------------------------------------------------------------ patient bolus

    def request_patient_bolus(self) -> BolusDecision:
        """A patient presses the bolus button: granted, or denied with the reason (logged)."""
        granted, reason, uncertain, units = self.press()
        return BolusDecision(
            at=self.now,
            granted=granted,
            reason=reason,
            volume=volume_of(units),
            uncertain=uncertain,
        )

    def press(self) -> tuple[bool, str, bool, int]:
        """Decide a patient-bolus request: (granted, reason, uncertain, volume units)."""
        if self.telemetry is None:
            applied, uncertain = True, False
        else:
            outcome, applied = self._telemetry_outcome()
            uncertain = outcome is CommandOutcome.UNCERTAIN
        mech, gate = self.mech, self.gate
        now_us = mech.now_us
        reason = gate.refusal(now_us)  # None only if a patient bolus is configured
        program = self.program_
        if reason is None and (mech.halts or program is None):
            reason = "pump not delivering"
        boluses = mech.schedule.boluses
        if reason is None and boluses and any(b.replaces_basal for b in boluses):
            reason = "priming or bridge bolus in progress"
        units = 0
        if reason is None and applied and program is not None:
            units, length_us = gate.bolus_size(program)
            mech.schedule.add(
                Bolus(
                    now_us, now_us + length_us, units, replaces_basal=False, label="patient bolus"
                )
            )
            gate.grant(now_us)
            granted, reason_text = True, "granted"
        else:
            granted, reason_text = False, reason or "not received (no telemetry)"
        self.bolus_log.append((now_us, granted, reason_text, uncertain))
        if self.record_trace:
            self.record("bolus", "granted" if granted else "denied", reason_text)
        return granted, reason_text, uncertain, units

    # ------------------------------------------------------------------ faults

    def inject_fault(self, fault: Fault) -> None:
        """Start a fault now; a fault with a duration ends by itself."""
        name = type(fault).__name__
        duration = getattr(fault, "duration", None)
        mech = self.mech
        if isinstance(fault, MotorStall):
            mech.halts.add("stall")
        elif isinstance(fault, DeliveryError):
            self.delivery_error = Fraction(fault.percent)
            self._update_truth_ratio()
        elif isinstance(fault, Occlusion):
            mech.occluded = True
        elif isinstance(fault, Leak):
            mech.set_leak(Fraction(fault.percent) / _HUNDRED)
        elif isinstance(fault, BatteryDepletion):
            mech.battery.drain(int(fault.lost.value * 1_000_000))
        else:
            self.telemetry = fault
        self.record("fault", name, repr(fault), priority="")
        if duration is not None:
            self._schedule(f"end:{name}", self.now_us + int(duration.value * 1_000_000))
        self._sync()

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

    # ------------------------------------------------------------------ reading

    def interrogate(self) -> PumpStatus:
        """What the programmer reads: the pump's belief and its logs since the last reading."""
        if self.telemetry is not None:
            raise TelemetryLost(serial=self.serial, at=self.now.isoformat())
        mech = self.mech
        battery = mech.battery
        eri = battery.eri_at_us
        status = PumpStatus(
            at=self.now,
            serial=self.serial,
            model_id=self.pump.id,
            program=self.program_,
            reservoir=volume_of(mech.believed),
            delivered_since_refill=volume_of(mech.counted - self.counted_at_refill),
            low_reservoir_alarm=volume_of(mech.low_threshold),
            delivering=not mech.halts and self.program_ is not None,
            alarms=tuple(sorted((k.code, k.priority) for k in self.alarms.active)),
            battery=BatteryState.END_OF_SERVICE
            if self.eos
            else BatteryState.ELECTIVE_REPLACEMENT
            if eri is not None
            else BatteryState.OK,
            eri_at=self.at(eri) if eri is not None else None,
            end_of_service_at=self.at(eri + battery.stop_delay_us) if eri is not None else None,
            events=tuple(self.events),
            patient_boluses=tuple(
                PatientBolusRecord(at=self.at(t), granted=g, reason=r, uncertain=u)
                for t, g, r, u in self.bolus_log
            ),
        )
        self.events, self.bolus_log = [], []
        self.record("command", "interrogate", f"{len(status.events)} events")
        return status

    @property
    def belief(self) -> Belief:
        return Belief(
            reservoir=volume_of(self.mech.believed), delivered=volume_of(self.mech.counted)
        )

    @property
    def truth(self) -> Truth:
        mech = self.mech
        return Truth(
            reservoir=volume_of(mech.reservoir.units),
            reservoir_contents=mech.reservoir.mixture.describe(),
            path=volume_of(mech.path.volume),
            path_contents=tuple((volume_of(u), m.describe()) for u, m in mech.path.contents()),
            tip=volume_of(mech.tip.units),
            tip_mass={d: mass_of(m) for d, m in mech.tip.mcg.items()},
            tissue=volume_of(mech.tissue.units),
            tissue_mass={d: mass_of(m) for d, m in mech.tissue.mcg.items()},
            pocket=volume_of(mech.pocket.units),
            pocket_mass={d: mass_of(m) for d, m in mech.pocket.mcg.items()},
            withdrawn=volume_of(mech.withdrawn),
            injected=volume_of(mech.injected),
        )

    @property
    def hours(self) -> Fraction:
        return Fraction(self.now_us, US_PER_HOUR)

    def duration_since_start(self) -> Duration:
        return duration_of(self.now_us)
