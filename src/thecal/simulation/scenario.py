"""A declarative scenario: the pump, its catheter, what is in it, what happens, and for how long.

Scenarios are read from TOML by :func:`thecal.simulation.scenario_file.load_scenario` (format:
``docs/scenarios/README.md``) and run by :func:`thecal.simulation.runner.run_scenario`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.devices import CatheterModel, PumpModel
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Duration, FlowRate, Volume
from thecal.simulation.demand import BolusDemand
from thecal.simulation.faults import Fault

__all__ = [
    "Action",
    "Interrogate",
    "MriScan",
    "PatientBolusPress",
    "PrimingBolusCommand",
    "ProgramChange",
    "Refill",
    "Scenario",
    "ScenarioEvent",
    "StartFault",
    "ValveReset",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Refill:
    """Withdraw the residual (measured), then inject ``volume`` (``pocket_percent`` to the pocket)."""

    volume: Volume
    admixture: Admixture | None = None  # None: the admixture of the last fill
    pocket_percent: Decimal = Decimal(0)
    withdraw: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramChange:
    """Send ``program``; with ``bridge`` behind a bridge bolus (domain ``bridge_bolus``)."""

    program: InfusionProgram
    bridge: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PrimingBolusCommand:
    flow: FlowRate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MriScan:
    """An MRI scan lasting ``duration``; ``recovery`` is the SynchroMed motor-restart delay."""

    duration: Duration
    recovery: Duration | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ValveReset:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class StartFault:
    fault: Fault


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientBolusPress:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Interrogate:
    pass


Action = (
    Refill
    | ProgramChange
    | PrimingBolusCommand
    | MriScan
    | ValveReset
    | StartFault
    | PatientBolusPress
    | Interrogate
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioEvent:
    """``action`` at ``at`` after the scenario start."""

    at: Duration
    action: Action


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Everything needed to run the twin deterministically."""

    name: str
    description: str
    start: dt.datetime
    horizon: Duration
    seed: int
    pump: PumpModel
    serial: str
    catheter: CatheterModel
    catheter_length_cm: Decimal
    catheter_primed: bool  # True: path already full of the admixture; False: fresh implant (CSF)
    accuracy_bias_pct: Decimal | None
    battery_cost_days_per_ml: Decimal | None
    admixture: Admixture
    fill: Volume
    program: InfusionProgram
    prime: bool
    events: tuple[ScenarioEvent, ...]
    demand: BolusDemand | None
    sample_every: Duration | None
