"""The pump digital twin: one implanted pump, its catheter, and the patient at the tip.

:class:`PumpTwin` takes the commands a clinician programmer, a refill kit, an MRI suite and a
patient therapy manager can give a pump, and advances physical time exactly between them
(:mod:`.mechanics`). It keeps two truths: interrogation reports only the pump's belief; a refill's
withdrawal measures the physical reservoir. Time is simulated and starts at a timezone-aware
datetime; the wall clock is never read; randomness comes only from the seeded generator passed in.

The class is assembled in layers: :mod:`.state` (what the twin holds and how time moves it),
:mod:`.commands` (what can be done to it), and this module (reading it: interrogation, the
pump's belief and the physical truth).
"""

from __future__ import annotations

from fractions import Fraction

from thecal.domain.device_events import BatteryState, PatientBolusRecord
from thecal.domain.units import Duration
from thecal.simulation.commands import TwinCommands
from thecal.simulation.errors import TelemetryFailure as TelemetryLost
from thecal.simulation.scale import (
    US_PER_HOUR,
    duration_of,
    mass_of,
    volume_of,
)
from thecal.simulation.status import Belief, PumpStatus, Truth

__all__ = ["PumpTwin"]


class PumpTwin(TwinCommands):
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
