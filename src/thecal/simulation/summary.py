"""The summary of a run: what the patient got, what the pump said, where the two truths differ."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from thecal.domain.quantity_text import format_quantity
from thecal.domain.units import Mass, MassUnit, Volume
from thecal.simulation.runner import SimulationRun
from thecal.simulation.scale import mass_of, volume_of

__all__ = ["Summary", "summarise"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    scenario: str
    start: str
    end: str
    tip_volume: Volume
    tip_mass: dict[str, Mass]
    tissue_mass: dict[str, Mass]
    pocket_mass: dict[str, Mass]
    believed_reservoir: Volume
    true_reservoir: Volume
    alarms: tuple[tuple[str, str, str, str], ...]  # (at, code, priority, raised/cleared)
    hazards: tuple[tuple[str, str], ...]
    refills: tuple[dict[str, str], ...]
    boluses: dict[str, int]
    battery: str

    def to_dict(self) -> dict[str, Any]:
        def masses(values: dict[str, Mass]) -> dict[str, str]:
            return {drug: str(mass.mcg) for drug, mass in values.items()}

        return {
            "scenario": self.scenario,
            "start": self.start,
            "end": self.end,
            "tip_volume_ml": str(self.tip_volume.ml),
            "tip_mcg": masses(self.tip_mass),
            "tissue_mcg": masses(self.tissue_mass),
            "pocket_mcg": masses(self.pocket_mass),
            "believed_reservoir_ml": str(self.believed_reservoir.ml),
            "true_reservoir_ml": str(self.true_reservoir.ml),
            "alarms": [
                {"at": at, "code": code, "priority": prio, "change": change}
                for at, code, prio, change in self.alarms
            ],
            "hazards": [{"at": at, "detail": detail} for at, detail in self.hazards],
            "refills": list(self.refills),
            "patient_boluses": self.boluses,
            "battery": self.battery,
        }

    def to_text(self) -> str:
        def mass(value: Mass) -> str:
            return format_quantity(value, mass=MassUnit.MG, places=3)

        def vol(value: Volume) -> str:
            return format_quantity(value, places=3)

        lines = [f"scenario {self.scenario}: {self.start} → {self.end}"]
        lines.append(f"delivered at the catheter tip: {vol(self.tip_volume)}")
        lines += [f"  {drug}: {mass(m)}" for drug, m in self.tip_mass.items()]
        for label, values in (
            ("into tissue (leak)", self.tissue_mass),
            ("into the pocket", self.pocket_mass),
        ):
            if values:
                lines.append(f"{label}: " + ", ".join(f"{d} {mass(m)}" for d, m in values.items()))
        lines.append(
            f"reservoir: pump believes {vol(self.believed_reservoir)}, truly {vol(self.true_reservoir)}"
        )
        lines.append(f"battery: {self.battery}")
        lines.append(f"refills: {len(self.refills)}")
        lines += [
            f"  {r['at']}: expected {r['expected_ml']} mL, measured {r['measured_ml']} mL, "
            f"injected {r['injected_ml']} mL (into reservoir {r['into_reservoir_ml']} mL)"
            for r in self.refills
        ]
        granted = self.boluses.get("granted", 0)
        denied = {k: v for k, v in self.boluses.items() if k != "granted"}
        lines.append(f"patient boluses: {granted} granted, denied {denied or 'none'}")
        lines.append(f"alarms: {sum(1 for a in self.alarms if a[3] == 'raised')} raised")
        lines += [f"  {at} {code} [{prio}] {change}" for at, code, prio, change in self.alarms]
        lines += [f"HAZARD {at}: {detail}" for at, detail in self.hazards]
        return "\n".join(lines)


def summarise(run: SimulationRun) -> Summary:
    twin = run.twin
    mech = twin.mech
    trace = twin.trace

    def when(t_us: int) -> str:
        return twin.at(t_us).isoformat()

    def q3(volume: Volume) -> str:
        return format_quantity(volume, places=3).removesuffix(" mL").removeprefix("≈ ")

    boluses = Counter(
        r.detail if r.name == "denied" else "granted" for r in trace if r.kind == "bolus"
    )
    battery = mech.battery
    state = "end of service" if twin.eos else "elective replacement" if battery.eri_at_us else "ok"
    if battery.eri_at_us is not None:
        state += f" (ERI at {when(battery.eri_at_us)})"
    return Summary(
        scenario=run.scenario.name,
        start=when(0),
        end=twin.now.isoformat(),
        tip_volume=volume_of(mech.tip.units),
        tip_mass={d: mass_of(m) for d, m in mech.tip.mcg.items()},
        tissue_mass={d: mass_of(m) for d, m in mech.tissue.mcg.items()},
        pocket_mass={d: mass_of(m) for d, m in mech.pocket.mcg.items()},
        believed_reservoir=volume_of(mech.believed),
        true_reservoir=volume_of(mech.reservoir.units),
        alarms=tuple(
            (when(c.at_us), c.kind.code, c.kind.priority.value, "raised" if c.raised else "cleared")
            for c in twin.alarms.log
        ),
        hazards=tuple((when(r.at_us), r.detail) for r in trace if r.kind == "hazard"),
        refills=tuple(
            {
                "at": when(r.at_us),
                "expected_ml": q3(r.expected),
                "measured_ml": q3(r.measured),
                "injected_ml": q3(r.injected),
                "into_reservoir_ml": q3(r.into_reservoir),
            }
            for r in run.refills
        ),
        boluses=dict(sorted(boluses.items())),
        battery=state,
    )
