"""A program as a clinician types it, read into an :class:`~thecal.domain.program.InfusionProgram`.

Every quantity is text with its unit, read by the strict parser (``quantity_text.py``). A dose of
the drug is entered in the drug's unit from the library (``Drug.dose_unit``: mcg for baclofen,
ziconotide, clonidine, fentanyl, sufentanil; mg for morphine, hydromorphone, bupivacaine), per
day for a rate: "50 mcg/day" of baclofen is read, "0.05 mg/day" is refused (THC-PATH-090) so that a
clinician never has to convert, and a mg/mcg slip is a specific error instead of a 1000-fold dose.

* continuous: one daily dose (``daily_dose``);
* flex: steps over the daily cycle, each ``"HH:MM=<dose>"`` (the time into the cycle and the rate
  from then until the next step), at most the pump model's ``max_flex_steps`` (``pumps.toml``; the
  counts were not retrieved, so the value is a tagged assumption, clinical.md §4.1); or over a
  weekly cycle (Monday 00:00 to Monday 00:00) where the model runs one (``weekly_flex``), each step
  ``"Mon 07:00=<dose>"`` or ``"day 2 07:00=<dose>"`` (day 1 is Monday);
* periodic bolus: a dose (drug unit) over a duration, every interval, the first one after a delay
  (blank: as soon as the program is sent), where the model runs one (``periodic_bolus``; a model
  that runs none refuses it, THC-PATH-096); no basal rate is typed: between boluses the program
  runs the model's minimum flow where the library says the model keeps it
  (``periodic_min_rate_between``, the Prometra models, an assumption), else nothing;
* single bolus: one clinician bolus (rescue or bridge), a dose over a duration, after which the
  pump stops (clinical.md §4.1, S52), where the model runs one (``single_bolus``);
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
    WEEK,
    FlexStep,
    InfusionProgram,
    PatientBolusSettings,
    PeriodicBolus,
    ProgramMode,
)
from thecal.domain.quantity_text import (
    parse_dose_rate_as_written,
    parse_duration,
    parse_mass_as_written,
    parse_volume,
)
from thecal.domain.sourced import Sourced
from thecal.domain.units import DoseRate, Duration, Mass, TimeUnit

__all__ = [
    "BolusEntry",
    "BolusMalformed",
    "DoseNotInDrugUnit",
    "FlexNotSupported",
    "FlexStepMalformed",
    "ModeNotSupported",
    "PatientBolusEntry",
    "ProgramEntry",
    "ProgramEntryIncomplete",
    "TooManyFlexSteps",
    "bolus_entry",
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
        "{model} runs at most {maximum} flex steps in a cycle ({source}); the schedule has {count}"
    )


class FlexNotSupported(InvalidInput):
    code = "THC-PATH-092"
    template = "{model} has no flex schedule in the pump library: enter one daily dose"


class FlexStepMalformed(InvalidInput):
    code = "THC-PATH-093"
    template = (
        "flex step {text!r}: write the start time into the day and the dose as "
        "'HH:MM=<dose>', for example '07:00=80 {unit}/day' (a weekly schedule: "
        "'Mon 07:00=80 {unit}/day' or 'day 2 07:00=80 {unit}/day', every step with its day)"
    )


class BolusMalformed(InvalidInput):
    code = "THC-PATH-095"
    template = "{what} {text!r}: write it as {form!r}, for example {example!r}"


class ModeNotSupported(InvalidInput):
    code = "THC-PATH-096"
    template = "{model} runs no {what} in the pump library ({source}): {hint}"


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
class BolusEntry:
    """A clinician bolus as typed: dose (drug unit), duration; for a periodic bolus also the
    interval (``every``) and the delay before the first one (``first_after``, blank: none)."""

    dose: str
    duration: str
    every: str = ""
    first_after: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramEntry:
    """The program editor's fields; blank fields keep the current program's setting.

    Exactly one of ``daily_dose``, ``steps``, ``periodic_bolus`` and ``single_bolus`` gives the
    program's mode."""

    daily_dose: str = ""
    steps: tuple[str, ...] = ()
    periodic_bolus: BolusEntry | None = None
    single_bolus: BolusEntry | None = None
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


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day(text: str) -> tuple[int | None, str] | None:
    """The day of the week a weekly step names (0 = Monday) and the rest of the text; ``None`` as
    the day when the step names none, ``None`` overall when the day is malformed."""
    words = text.split()
    if len(words) >= 2 and words[0].lower() in _WEEKDAYS:
        return _WEEKDAYS.index(words[0].lower()), " ".join(words[1:])
    if len(words) >= 3 and words[0].lower() == "day":
        number = words[1]
        if not number.isdigit() or not 1 <= int(number) <= 7:
            return None
        return int(number) - 1, " ".join(words[2:])
    if len(words) == 1:
        return None, text
    return None


def _step(text: str, drug: Drug, number: int) -> tuple[FlexStep, bool]:
    """One step and whether it names a day (a weekly schedule)."""
    start_text, sep, dose_text = text.partition("=")
    day = _day(start_text.strip())
    start = _clock(day[1].strip()) if day is not None else None
    if not sep or day is None or start is None or not dose_text.strip():
        raise FlexStepMalformed(text=text, unit=drug.dose_unit.symbol)
    weekday = day[0]
    if weekday is not None:
        start = Duration.days(weekday) + start
    rate = _rate(dose_text, drug, f"flex step {number} dose")
    return FlexStep(start=start, rate=rate), weekday is not None


def step_text(step: FlexStep) -> str:
    """The start of a step as the editor writes it (``"07:00"``; ``"day 2 07:00"`` past a day)."""
    minutes = int(step.start.value // 60)
    day, minutes = divmod(minutes, 24 * 60)
    clock = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"day {day + 1} {clock}" if day else clock


_PERIODIC_FORM = "<dose> over <duration> every <interval> [first after <delay>]"
_SINGLE_FORM = "<dose> over <duration>"


def bolus_entry(text: str, *, periodic: bool) -> BolusEntry:
    """A bolus written as one phrase: ``"0.5 mg over 10 min every 6 h"`` (optionally ``"first
    after 2 h"``) for a periodic bolus, ``"2 mg over 30 min"`` for a single bolus.

    Raises:
        BolusMalformed: the phrase does not have that shape.
    """
    what, form = ("periodic bolus", _PERIODIC_FORM) if periodic else ("single bolus", _SINGLE_FORM)
    example = "0.5 mg over 10 min every 6 h" if periodic else "2 mg over 30 min"
    words = text.split()
    lowered = [w.lower() for w in words]

    def cut(keyword: str, rest: list[str]) -> tuple[list[str], list[str]] | None:
        marker = [w.lower() for w in rest]
        if marker.count(keyword) != 1:
            return None
        at = marker.index(keyword)
        return rest[:at], rest[at + 1 :]

    malformed = BolusMalformed(what=what, text=text.strip(), form=form, example=example)
    over = cut("over", words)
    if over is None or not over[0] or not over[1]:
        raise malformed
    dose, rest = over
    every: list[str] = []
    first: list[str] = []
    if periodic:
        split = cut("every", rest)
        if split is None or not split[0] or not split[1]:
            raise malformed
        rest, every = split
        if "first" in [w.lower() for w in every]:
            at = [w.lower() for w in every].index("first")
            every, first = every[:at], every[at + 1 :]
            if not every or len(first) < 2 or first[0].lower() != "after":
                raise malformed
            first = first[1:]
    elif "every" in lowered or "first" in lowered:
        raise malformed
    return BolusEntry(
        dose=" ".join(dose),
        duration=" ".join(rest),
        every=" ".join(every),
        first_after=" ".join(first),
    )


def _duration(text: str, what: str) -> Duration:
    if not text.strip():
        raise ProgramEntryIncomplete(detail=f"{what}: not given")
    return parse_duration(text.strip())


def _require(flag: Sourced[bool] | None, model: PumpModel, what: str, hint: str) -> None:
    if flag is None or not flag.value:
        source = (
            "not in the library"
            if flag is None
            else flag.source
            if flag.confirmed
            else f"{flag.source}, an assumption"
        )
        raise ModeNotSupported(model=model.name, what=what, source=source, hint=hint)


def _bolus(entry: BolusEntry, drug: Drug, *, periodic: bool) -> PeriodicBolus:
    what = "periodic bolus" if periodic else "single bolus"
    if not entry.dose.strip():
        raise ProgramEntryIncomplete(detail=f"{what} dose: not given")
    dose = _mass(entry.dose, drug, f"{what} dose")
    duration = _duration(entry.duration, f"{what} duration")
    if not periodic:
        if entry.every.strip() or entry.first_after.strip():
            raise ProgramEntryIncomplete(
                detail="a single bolus is given once, when the program is sent: "
                "it has no interval and no delay"
            )
        return PeriodicBolus(dose=dose, duration=duration, every=duration)
    every = _duration(entry.every, "periodic bolus interval (every)")
    first = entry.first_after.strip()
    offset = parse_duration(first) if first else Duration(Decimal(0))
    if offset >= every:
        raise ProgramEntryIncomplete(
            detail=f"the first periodic bolus comes within one interval ({every}), "
            f"not after {first!r}"
        )
    return PeriodicBolus(dose=dose, duration=duration, every=every, offset=offset)


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


def _flex(
    steps: tuple[str, ...], drug: Drug, model: PumpModel
) -> tuple[tuple[FlexStep, ...], Duration]:
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
    read = [_step(text, drug, n) for n, text in enumerate(steps, start=1)]
    weekly = {named for _, named in read}
    if len(weekly) > 1:
        raise ProgramEntryIncomplete(
            detail="a weekly schedule names the day of every step ('Mon 07:00=…'), "
            "a daily one of none"
        )
    cycle = WEEK if weekly == {True} else DAY
    if cycle == WEEK:
        _require(
            model.weekly_flex,
            model,
            "weekly flex schedule",
            "write the steps over one day ('07:00=…')",
        )
    parsed = tuple(step for step, _ in read)
    if len(parsed) < 2:
        raise ProgramEntryIncomplete(
            detail="a flex schedule has at least two steps; for one rate enter a daily dose"
        )
    if parsed[0].start.value != Decimal(0):
        raise ProgramEntryIncomplete(
            detail=f"the first flex step starts at 00:00 (the cycle's start"
            f"{', Monday' if cycle == WEEK else ''}), not {steps[0]!r}"
        )
    return parsed, cycle


def _between_boluses(model: PumpModel, current: InfusionProgram) -> tuple[FlexStep, ...]:
    """The rate between periodic boluses: the model's minimum flow where the library says it keeps
    it between boluses (``periodic_min_rate_between``), as the primary drug's dose rate; else
    none (the pump delivers nothing between boluses)."""
    keeps = model.periodic_min_rate_between
    if keeps is None or not keeps.value:
        return ()
    rate = model.min_flow.value * current.admixture.primary.concentration
    return (FlexStep(start=Duration(Decimal(0)), rate=rate),)


def build_program(
    entry: ProgramEntry, *, current: InfusionProgram, drug: Drug, model: PumpModel
) -> InfusionProgram:
    """The new program for the pump's current admixture (``drug``: its primary drug).

    Raises:
        ProgramEntryIncomplete (not exactly one of a daily dose, flex steps, a periodic bolus and
        a single bolus; a bolus field missing); DoseNotInDrugUnit; FlexStepMalformed;
        FlexNotSupported; TooManyFlexSteps; ModeNotSupported; the strict parser's
        QuantityTextError; ValueOutOfRange (the program's own checks).
    """
    dose = entry.daily_dose.strip()
    steps = tuple(s for s in (t.strip() for t in entry.steps) if s)
    given = [
        name
        for name, present in (
            ("a daily dose", bool(dose)),
            ("flex steps", bool(steps)),
            ("a periodic bolus", entry.periodic_bolus is not None),
            ("a single bolus", entry.single_bolus is not None),
        )
        if present
    ]
    if len(given) != 1:
        raise ProgramEntryIncomplete(
            detail="enter one of a daily dose (continuous), flex steps, a periodic bolus or a "
            "single bolus; " + (f"{' and '.join(given)} were given" if given else "none was given")
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
    if entry.periodic_bolus is not None:
        _require(model.periodic_bolus, model, "periodic bolus", "enter a daily dose or flex steps")
        return InfusionProgram(
            mode=ProgramMode.PERIODIC_BOLUS,
            admixture=current.admixture,
            steps=_between_boluses(model, current),
            periodic=_bolus(entry.periodic_bolus, drug, periodic=True),
            patient_bolus=patient_bolus,
            low_reservoir_alarm=alarm,
        )
    if entry.single_bolus is not None:
        _require(model.single_bolus, model, "single bolus", "enter a daily dose or flex steps")
        return InfusionProgram(
            mode=ProgramMode.SINGLE_BOLUS,
            admixture=current.admixture,
            single_bolus=_bolus(entry.single_bolus, drug, periodic=False),
            patient_bolus=patient_bolus,
            low_reservoir_alarm=alarm,
        )
    parsed, cycle = _flex(steps, drug, model)
    return InfusionProgram(
        mode=ProgramMode.FLEX,
        admixture=current.admixture,
        steps=parsed,
        cycle=cycle,
        patient_bolus=patient_bolus,
        low_reservoir_alarm=alarm,
    )
