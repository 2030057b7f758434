"""Turning an :class:`~thecal.domain.program.InfusionProgram` into a flow schedule.

This is the programmer's last check before a program is sent, and the firmware's reading of it:
every non-zero step flow must lie within the pump model's limits (S12 minimum for SynchroMed II;
:func:`thecal.domain.dosing.check_pump_flow`), a patient bolus must not be configured for a drug
whose library entry forbids it, and flows are quantised to whole nL/day at the actuator.
Flex cycles run on the pump's clock: a daily cycle starts at local midnight of the twin's start
time zone, a weekly one at Monday 00:00 [A] (the pump clock does not follow daylight saving).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.devices import PumpModel
from thecal.domain.dosing import check_pump_flow
from thecal.domain.library import ReferenceLibrary
from thecal.domain.program import WEEK, InfusionProgram, ProgramMode
from thecal.domain.quantity_text import format_quantity
from thecal.domain.units import Volume
from thecal.simulation.errors import PatientBolusNotAllowed
from thecal.simulation.scale import US_PER_DAY, flow_nl_per_day, us_of, volume_units
from thecal.simulation.schedule import Bolus, PeriodicRate

__all__ = ["CompiledProgram", "compile_program", "cycle_phase_us", "describe_program"]


@dataclass(frozen=True, slots=True)
class CompiledProgram:
    basal: PeriodicRate | None
    bolus: Bolus | None


def cycle_phase_us(start: dt.datetime, *, weekly: bool) -> int:
    """Where the twin's time zero falls in the program cycle (µs since local midnight/Monday)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    into_day = start - midnight
    micros = (into_day.seconds * 1_000_000) + into_day.microseconds
    return micros + (start.weekday() * US_PER_DAY if weekly else 0)


def _dose_volume_units(program: InfusionProgram, dose_mcg: Decimal) -> int:
    volume = Volume(dose_mcg / program.admixture.primary.concentration.mcg_per_ml)
    return volume_units(volume)


def compile_program(
    program: InfusionProgram,
    *,
    pump: PumpModel,
    library: ReferenceLibrary | None,
    start: dt.datetime,
    now_us: int,
) -> CompiledProgram:
    """Check ``program`` against the pump and the library; return its schedule pieces.

    Raises:
        FlowBelowPumpMinimum, FlowAbovePumpMaximum: a step outside the pump's flow range.
        PatientBolusNotAllowed: a patient bolus for a drug that forbids it.
    """
    if program.patient_bolus is not None and library is not None:
        for drug_id in program.admixture.drug_ids:
            allowed = library.drug(drug_id).patient_bolus_allowed
            if not allowed.value:
                raise PatientBolusNotAllowed(drug=drug_id, source=allowed.cite())
    concentration = program.admixture.primary.concentration
    mode = program.mode
    if mode in (ProgramMode.CONTINUOUS, ProgramMode.FLEX):
        steps = []
        for step in program.steps:
            flow = check_pump_flow(step.rate, concentration, pump)
            steps.append((us_of(step.start), flow_nl_per_day(flow)))
        weekly = program.cycle == WEEK
        basal = PeriodicRate.build(
            cycle_us=us_of(program.cycle),
            steps=steps,
            phase_us=cycle_phase_us(start, weekly=weekly),
        )
        return CompiledProgram(basal, None)
    if mode is ProgramMode.PERIODIC_BOLUS and program.periodic is not None:
        periodic = program.periodic
        every, length = us_of(periodic.every), us_of(periodic.duration)
        units = _dose_volume_units(program, periodic.dose.mcg)
        rate = -(-units // length)  # nL/day = units per µs, rounded up to deliver the full dose
        between = 0  # the rate between boluses (the model's minimum, where the program has it)
        if program.steps and program.steps[0].rate.value > 0:
            between = flow_nl_per_day(check_pump_flow(program.steps[0].rate, concentration, pump))
        steps = [(0, rate)] if length >= every else [(0, rate), (length, between)]
        first = now_us + us_of(periodic.offset)
        basal = PeriodicRate.build(cycle_us=every, steps=steps, phase_us=-first)
        return CompiledProgram(basal, None)
    if mode is ProgramMode.SINGLE_BOLUS and program.single_bolus is not None:
        single = program.single_bolus
        begin = now_us + us_of(single.offset)
        units = _dose_volume_units(program, single.dose.mcg)
        bolus = Bolus(
            begin, begin + us_of(single.duration), units, replaces_basal=False, label="single bolus"
        )
        return CompiledProgram(None, bolus)
    return CompiledProgram(None, None)


def describe_program(program: InfusionProgram) -> str:
    """A one-line description for the trace."""
    text = f"{program.mode.value} {program.admixture.describe()}"
    if program.mode in (ProgramMode.CONTINUOUS, ProgramMode.FLEX):
        steps = ", ".join(
            f"{format_quantity(s.start)}→{format_quantity(s.rate)}" for s in program.steps
        )
        text += f" [{steps}]"
    if program.patient_bolus is not None:
        pb = program.patient_bolus
        text += (
            f"; PTM {pb.dose} over {pb.duration}, lockout {pb.lockout}, max {pb.max_per_day}/day"
        )
    return text
