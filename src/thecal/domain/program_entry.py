"""A program as a clinician types it, read into an :class:`~thecal.domain.program.InfusionProgram`.

Every quantity is text with its unit, read by the strict parser (``quantity_text.py``). A dose of
the drug is entered in the drug's unit from the library (``Drug.dose_unit``: mcg for baclofen,
ziconotide, clonidine, fentanyl, sufentanil; mg for morphine, hydromorphone, bupivacaine), per
day for a rate: "50 mcg/day" of baclofen is read, "0.05 mg/day" is refused (THC-PATH-090) so that a
clinician never has to convert, and a mg/mcg slip is a specific error instead of a 1000-fold dose.

* continuous: one daily dose (``daily_dose``);
* flex: steps over the daily cycle, each ``"HH:MM=<dose>"`` (the time into the cycle and the rate
  from then until the next step), at most the pump model's ``max_flex_steps`` (``pumps.toml``; the
  counts were not retrieved, so the value is a tagged assumption, clinical.md §4.1);
* patient bolus: off, kept as on the pump, or a dose (drug unit), duration, lockout and a maximum
  per 24 h;
* low-reservoir alarm: a volume, or kept as on the pump.

Anything left blank keeps the current program's setting; nothing is clamped or rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.devices import PumpModel
from thecal.domain.drugs import Drug
from thecal.domain.errors import InvalidInput
from thecal.domain.program import (
    DAY,
    FlexStep,
    InfusionProgram,
    PatientBolusSettings,
    ProgramMode,
)
from thecal.domain.quantity_text import (
    parse_dose_rate_as_written,
    parse_duration,
    parse_mass_as_written,
    parse_volume,
)
from thecal.domain.units import DoseRate, Duration, Mass, TimeUnit

__all__ = [
    "DoseNotInDrugUnit",
    "FlexNotSupported",
    "FlexStepMalformed",
    "PatientBolusEntry",
    "ProgramEntry",
    "ProgramEntryIncomplete",
    "TooManyFlexSteps",
    "build_program",
    "step_text",
]


class DoseNotInDrugUnit(InvalidInput):
    code = "THC-PATH-090"
    template = (
        "{what}: {text!r} is not in {unit}; {drug} is entered in {unit} "
        "(the library's unit for it), for example {example!r}"
    )


class TooManyFlexSteps(InvalidInput):
    code = "THC-PATH-091"
    template = (
        "{model} runs at most {maximum} flex steps in a daily cycle ({source}); "
        "the schedule has {count}"
    )


class FlexNotSupported(InvalidInput):
    code = "THC-PATH-092"
    template = "{model} has no flex schedule in the pump library: enter one daily dose"


class FlexStepMalformed(InvalidInput):
    code = "THC-PATH-093"
    template = (
        "flex step {text!r}: write the start time into the day and the dose as "
        "'HH:MM=<dose>', for example '07:00=80 {unit}/day'"
    )


class ProgramEntryIncomplete(InvalidInput):
    code = "THC-PATH-094"
    template = "{detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientBolusEntry:
    """Patient-activated bolus as typed: dose (drug unit), duration, lockout, maximum per 24 h."""

    dose: str
    duration: str
    lockout: str
    max_per_day: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramEntry:
    """The program editor's fields; blank fields keep the current program's setting."""

    daily_dose: str = ""
    steps: tuple[str, ...] = ()
    patient_bolus: PatientBolusEntry | None = None
    patient_bolus_off: bool = False
    low_reservoir_alarm: str = ""


def _example(drug: Drug) -> str:
    return f"50 {drug.dose_unit.symbol}/day" if drug.dose_unit.symbol == "mcg" else "5 mg/day"


def _rate(text: str, drug: Drug, what: str) -> DoseRate:
    rate, mass, time = parse_dose_rate_as_written(text.strip())
    if mass is not drug.dose_unit or time is not TimeUnit.DAY:
        raise DoseNotInDrugUnit(
            what=what,
            text=text.strip(),
            unit=f"{drug.dose_unit.symbol}/day",
            drug=drug.name,
            example=_example(drug),
        )
    return rate


def _mass(text: str, drug: Drug, what: str) -> Mass:
    mass, unit = parse_mass_as_written(text.strip())
    if unit is not drug.dose_unit:
        raise DoseNotInDrugUnit(
            what=what,
            text=text.strip(),
            unit=drug.dose_unit.symbol,
            drug=drug.name,
            example=f"25 {drug.dose_unit.symbol}",
        )
    return mass


def _clock(text: str) -> Duration | None:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(hours) <= 2 and len(minutes) == 2):
        return None
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        return None
    return Duration.minutes(h * 60 + m)


def _step(text: str, drug: Drug, number: int) -> FlexStep:
    start_text, sep, dose_text = text.partition("=")
    start = _clock(start_text.strip())
    if not sep or start is None or not dose_text.strip():
        raise FlexStepMalformed(text=text, unit=drug.dose_unit.symbol)
    return FlexStep(start=start, rate=_rate(dose_text, drug, f"flex step {number} dose"))


def step_text(step: FlexStep) -> str:
    """The start of a step as the editor writes it (``"07:00"``)."""
    minutes = int(step.start.value // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _patient_bolus(
    entry: ProgramEntry, current: InfusionProgram, drug: Drug
) -> PatientBolusSettings | None:
    if entry.patient_bolus_off:
        return None
    pb = entry.patient_bolus
    if pb is None:
        return current.patient_bolus
    count = pb.max_per_day.strip()
    if not count.isdigit() or len(count) > 3:
        raise ProgramEntryIncomplete(
            detail=f"patient boluses per 24 h: {count!r} is not a whole number"
        )
    return PatientBolusSettings(
        dose=_mass(pb.dose, drug, "patient bolus dose"),
        duration=parse_duration(pb.duration.strip()),
        lockout=parse_duration(pb.lockout.strip()),
        max_per_day=int(count),
    )


def build_program(
    entry: ProgramEntry, *, current: InfusionProgram, drug: Drug, model: PumpModel
) -> InfusionProgram:
    """The new program for the pump's current admixture (``drug``: its primary drug).

    Raises:
        ProgramEntryIncomplete (neither or both of a daily dose and flex steps);
        DoseNotInDrugUnit; FlexStepMalformed; FlexNotSupported; TooManyFlexSteps;
        the strict parser's QuantityTextError; ValueOutOfRange (the program's own checks).
    """
    dose = entry.daily_dose.strip()
    steps = tuple(s for s in (t.strip() for t in entry.steps) if s)
    if bool(dose) == bool(steps):
        raise ProgramEntryIncomplete(
            detail="enter either one daily dose (continuous) or the flex steps, "
            + ("not both" if dose else "neither was given")
        )
    patient_bolus = _patient_bolus(entry, current, drug)
    alarm_text = entry.low_reservoir_alarm.strip()
    alarm = parse_volume(alarm_text) if alarm_text else current.low_reservoir_alarm
    if dose:
        return InfusionProgram.continuous(
            current.admixture,
            _rate(dose, drug, "daily dose"),
            patient_bolus=patient_bolus,
            low_reservoir_alarm=alarm,
        )
    limit = model.max_flex_steps
    if limit is None:
        raise FlexNotSupported(model=model.name)
    if len(steps) > limit.value:
        raise TooManyFlexSteps(
            model=model.name,
            maximum=limit.value,
            source=limit.source
            if limit.confirmed
            else "an assumption: no source gives this model's step count",
            count=len(steps),
        )
    parsed = tuple(_step(text, drug, n) for n, text in enumerate(steps, start=1))
    if len(parsed) < 2:
        raise ProgramEntryIncomplete(
            detail="a flex schedule has at least two steps; for one rate enter a daily dose"
        )
    if parsed[0].start.value != Decimal(0):
        raise ProgramEntryIncomplete(
            detail=f"the first flex step starts at 00:00 (the cycle's start), not {steps[0]!r}"
        )
    return InfusionProgram(
        mode=ProgramMode.FLEX,
        admixture=current.admixture,
        steps=parsed,
        cycle=DAY,
        patient_bolus=patient_bolus,
        low_reservoir_alarm=alarm,
    )
