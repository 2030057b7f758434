"""The program editor's typed fields → a program: drug units, flex limits, patient bolus."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture
from thecal.domain.errors import MissingUnit, ValueOutOfRange, WrongQuantityKind
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram, ProgramMode
from thecal.domain.program_entry import (
    DoseNotInDrugUnit,
    FlexStepMalformed,
    PatientBolusEntry,
    ProgramEntry,
    ProgramEntryIncomplete,
    TooManyFlexSteps,
    build_program,
)
from thecal.domain.units import Concentration, DoseRate, Volume

LIB = reference_library()
BACLOFEN = Admixture.single("baclofen", Concentration.from_mcg_per_ml(500))
MORPHINE = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
SYNCHROMED = LIB.pump("synchromed-ii-20")


def _current(admixture: Admixture, rate: DoseRate) -> InfusionProgram:
    return InfusionProgram.continuous(admixture, rate, low_reservoir_alarm=Volume.from_ml(2))


def _build(entry: ProgramEntry, admixture: Admixture = BACLOFEN) -> InfusionProgram:
    drug_id = admixture.primary.drug_id
    current = _current(admixture, DoseRate.from_mg_per_day(Decimal("0.1")))
    return build_program(entry, current=current, drug=LIB.drug(drug_id), model=SYNCHROMED)


def test_baclofen_is_entered_in_mcg_per_day() -> None:
    program = _build(ProgramEntry(daily_dose="50 mcg/day"))
    assert program.mode is ProgramMode.CONTINUOUS
    assert program.basal_daily_dose == DoseRate.from_mg_per_day(Decimal("0.05"))
    assert program.low_reservoir_alarm == Volume.from_ml(2)  # blank keeps the pump's


def test_baclofen_in_mg_is_refused_not_converted() -> None:
    with pytest.raises(DoseNotInDrugUnit) as caught:
        _build(ProgramEntry(daily_dose="0.05 mg/day"))
    assert caught.value.code == "THC-PATH-090"
    assert "mcg/day" in caught.value.message


def test_morphine_is_entered_in_mg_per_day_and_mcg_is_refused() -> None:
    assert _build(
        ProgramEntry(daily_dose="5.5 mg/day"), MORPHINE
    ).basal_daily_dose == DoseRate.from_mg_per_day(Decimal("5.5"))
    with pytest.raises(DoseNotInDrugUnit):
        _build(ProgramEntry(daily_dose="5500 mcg/day"), MORPHINE)


def test_a_rate_per_hour_is_refused_and_a_bare_number_too() -> None:
    with pytest.raises(DoseNotInDrugUnit):
        _build(ProgramEntry(daily_dose="2 mcg/h"))
    with pytest.raises(MissingUnit):
        _build(ProgramEntry(daily_dose="50"))
    with pytest.raises(WrongQuantityKind):
        _build(ProgramEntry(daily_dose="50 mcg"))


def test_a_flex_schedule_averages_over_the_day() -> None:
    program = _build(ProgramEntry(steps=("00:00=40 mcg/day", "06:00=80 mcg/day", "")))
    assert program.mode is ProgramMode.FLEX
    assert len(program.steps) == 2
    # 6 h at 40 + 18 h at 80 mcg/day → 70 mcg/day
    assert program.basal_daily_dose == DoseRate.from_mg_per_day(Decimal("0.07"))


@pytest.mark.parametrize(
    ("steps", "error"),
    [
        (("00:00=40 mcg/day", "7=80 mcg/day"), FlexStepMalformed),
        (("00:00=40 mcg/day", "25:00=80 mcg/day"), FlexStepMalformed),
        (("00:00 40 mcg/day", "07:00=80 mcg/day"), FlexStepMalformed),
        (("01:00=40 mcg/day", "07:00=80 mcg/day"), ProgramEntryIncomplete),
        (("00:00=40 mcg/day",), ProgramEntryIncomplete),
        (("00:00=40 mcg/day", "07:00=0.08 mg/day"), DoseNotInDrugUnit),
        (("00:00=40 mcg/day", "09:00=80 mcg/day", "07:00=60 mcg/day"), ValueOutOfRange),
    ],
)
def test_a_malformed_flex_schedule_is_refused(
    steps: tuple[str, ...], error: type[Exception]
) -> None:
    with pytest.raises(error):
        _build(ProgramEntry(steps=steps))


def test_the_models_step_limit_is_from_the_pump_library_and_tagged() -> None:
    limit = SYNCHROMED.max_flex_steps
    assert limit is not None
    assert not limit.confirmed  # not retrieved: an assumption, shown as such
    steps = tuple(f"{h:02d}:00=50 mcg/day" for h in range(limit.value + 1))
    with pytest.raises(TooManyFlexSteps) as caught:
        _build(ProgramEntry(steps=steps))
    assert str(limit.value) in caught.value.message
    assert len(_build(ProgramEntry(steps=steps[:-1])).steps) == limit.value


def test_daily_dose_and_steps_are_exclusive() -> None:
    with pytest.raises(ProgramEntryIncomplete):
        _build(ProgramEntry())
    with pytest.raises(ProgramEntryIncomplete):
        _build(ProgramEntry(daily_dose="50 mcg/day", steps=("00:00=1 mcg/day", "01:00=2 mcg/day")))


def test_patient_bolus_in_the_drugs_unit_counts_in_the_worst_case() -> None:
    bolus = PatientBolusEntry(dose="25 mcg", duration="10 min", lockout="4 h", max_per_day="4")
    program = _build(ProgramEntry(daily_dose="50 mcg/day", patient_bolus=bolus))
    assert program.patient_bolus is not None
    assert program.worst_case_daily_dose == DoseRate.from_mg_per_day(Decimal("0.15"))
    with pytest.raises(DoseNotInDrugUnit):
        _build(
            ProgramEntry(
                daily_dose="50 mcg/day",
                patient_bolus=PatientBolusEntry(
                    dose="0.025 mg", duration="10 min", lockout="4 h", max_per_day="4"
                ),
            )
        )
    with pytest.raises(ProgramEntryIncomplete):
        _build(
            ProgramEntry(
                daily_dose="50 mcg/day",
                patient_bolus=PatientBolusEntry(
                    dose="25 mcg", duration="10 min", lockout="4 h", max_per_day="four"
                ),
            )
        )


def test_patient_bolus_off_and_alarm_set() -> None:
    program = _build(
        ProgramEntry(daily_dose="50 mcg/day", patient_bolus_off=True, low_reservoir_alarm="4 mL")
    )
    assert program.patient_bolus is None
    assert program.low_reservoir_alarm == Volume.from_ml(4)
