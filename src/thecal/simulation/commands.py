"""The commands a pump twin accepts: programming, refills, MRI, patient boluses, faults.

Each command validates like the device (or its programmer) would, changes the state held by
:class:`~thecal.simulation.state.TwinState`, logs and traces what happened, and brings the alarms
in line. Commands sent without a telemetry link come back *uncertain*; whether they reached the
pump is decided by the twin's seeded generator or the fault's ``applied`` (never guessed).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from thecal.domain.admixture import Admixture
from thecal.domain.devices import CatheterModel
from thecal.domain.dosing import (
    BridgeBolus,
    PrimingBolus,
    PrimingMode,
    bridge_bolus,
    priming_bolus,
)
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Duration, FlowRate, Volume
from thecal.simulation.errors import (
    BolusInProgress,
    PumpNotProgrammable,
    ReservoirOverfill,
)
from thecal.simulation.faults import (
    BatteryDepletion,
    DeliveryError,
    Fault,
    Leak,
    MotorStall,
    Occlusion,
)
from thecal.simulation.fluid import CSF, Fluid, FluidPath, Mixture
from thecal.simulation.programming import compile_program, describe_program
from thecal.simulation.scale import (
    volume_of,
    volume_units,
)
from thecal.simulation.schedule import Bolus, FlowSchedule
from thecal.simulation.state import TwinState
from thecal.simulation.status import BolusDecision, CommandOutcome

__all__ = ["TwinCommands"]

_HUNDRED = Fraction(100)


class TwinCommands(TwinState):
    """What a clinician programmer, a refill kit, an MRI suite and a patient can do to a pump."""

    # ------------------------------------------------------------------ programming
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

    def priming_bolus(
        self, *, flow: FlowRate | None = None, mode: PrimingMode = PrimingMode.AFTER_IMPLANT
    ) -> PrimingBolus:
        """Fill the pump path and catheter dead space after an implant (S53 [C], SR-14); after a
        catheter revision (``mode``) the catheter's dead space only."""
        self._refuse_if_stopped("a priming bolus")
        self._bolus_busy("priming bolus")
        plan = priming_bolus(
            catheter_volume=self.catheter_volume,
            pump_internal_volume=self.pump.internal_volume.value,
            mode=mode,
        )
        rate = flow or self.pump.max_flow.value
        self._replacing_bolus(volume_units(plan.volume), rate, "priming bolus")
        self.record("command", "priming-bolus", f"{plan.volume} at {rate}")
        return plan

    # ------------------------------------------------------------------ surgery

    def revise_catheter(self, catheter: CatheterModel, length_cm: Decimal) -> Volume:
        """Replace the catheter: the old one leaves with the fluid it held, the new one holds CSF;
        the pump's internal path keeps its admixture. Returns the new catheter's dead space."""
        self._refuse_if_stopped("a catheter revision")
        self._bolus_busy("catheter revision")
        mech = self.mech
        path = mech.path  # settles what passed through
        internal = volume_units(self.pump.internal_volume.value)
        kept: list[tuple[int, Mixture]] = []
        need = internal
        for units, mixture in reversed(path.contents()):  # from the pump end
            take = min(units, need)
            if take:
                kept.append((take, mixture))
                need -= take
            if not need:
                break
        kept.reverse()
        new_volume = catheter.dead_space(length_cm)
        catheter_units = volume_units(new_volume)
        fresh = FluidPath(catheter_units + internal - need, Mixture.pure(CSF))
        contents = [(catheter_units, Mixture.pure(CSF))] if catheter_units else []
        fresh.restore([*contents, *kept])
        mech.replace_path(fresh)
        self.catheter, self.catheter_length_cm = catheter, length_cm
        self.catheter_volume = new_volume
        self.dead_space = new_volume + self.pump.internal_volume.value
        self.log_event(
            "catheter-revised", f"{catheter.name}, {length_cm} cm: dead space {new_volume}"
        )
        return new_volume

    def explant(self, reason: str) -> None:
        """The pump comes out: it delivers nothing more and takes no command; its log is kept."""
        self.eos = True
        self.mech.halts.add("explanted")
        self.log_event("explanted", reason)

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
        if self.program_ is not new_program:  # an uncertain send that never reached the pump
            self.record(
                "command", "bridge-bolus", "not applied: the program did not reach the pump"
            )
            return plan
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
