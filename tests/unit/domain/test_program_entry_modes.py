"""The program editor's other modes: weekly flex, periodic bolus, single bolus — parsed strictly,
refused where the pump model does not run them, and counted in full in the day they are given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.library import reference_library
from thecal.domain.program import WEEK, InfusionProgram, ProgramMode
from thecal.domain.program_entry import (
    BolusEntry,
    BolusMalformed,
    DoseNotInDrugUnit,
    FlexStepMalformed,
    ModeNotSupported,
    ProgramEntry,
    ProgramEntryIncomplete,
    bolus_entry,
    build_program,
    step_text,
)
from thecal.domain.safety.context import Prescription
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume
from thecal.services.review_context import prescription_of
from thecal.simulation.programming import compile_program
from thecal.simulation.scale import flow_nl_per_day

LIB = reference_library()
BACLOFEN = Admixture.single("baclofen", Concentration.from_mcg_per_ml(500))
MORPHINE = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
SYNCHROMED = LIB.pump("synchromed-ii-20")
PROMETRA = LIB.pump("prometra-ii-20")


def _build(
    entry: ProgramEntry, admixture: Admixture = BACLOFEN, model_id: str = "synchromed-ii-20"
) -> InfusionProgram:
    current = InfusionProgram.continuous(
        admixture, DoseRate.from_mg_per_day(Decimal("0.1")), low_reservoir_alarm=Volume.from_ml(2)
    )
    drug = LIB.drug(admixture.primary.drug_id)
    return build_program(entry, current=current, drug=drug, model=LIB.pump(model_id))


def test_a_weekly_flex_schedule_by_weekday_or_day_number() -> None:
    program = _build(
        ProgramEntry(
            steps=("Mon 00:00=100 mcg/day", "day 6 00:00=200 mcg/day", "Sun 12:00=100 mcg/day")
        )
    )
    assert program.mode is ProgramMode.FLEX
    assert program.cycle == WEEK
    assert [s.start for s in program.steps] == [
        Duration.days(0),
        Duration.days(5),
        Duration.days(6) + Duration.hours(12),
    ]
    # 5 days at 100 + 1.5 days at 200 + 0.5 day at 100 = 850 mcg over 7 days
    assert program.basal_daily_dose.mcg_per_day == Decimal(850) / 7
    # the worst 24 h is a whole Saturday at 200 mcg/day, not the weekly average
    assert program.peak_daily_dose.mcg_per_day == Decimal(200)
    assert [step_text(s) for s in program.steps] == ["00:00", "day 6 00:00", "day 7 12:00"]


def test_a_weekly_schedule_names_every_days_step_and_starts_on_monday() -> None:
    with pytest.raises(ProgramEntryIncomplete, match="names the day of every step"):
        _build(ProgramEntry(steps=("00:00=100 mcg/day", "Sat 00:00=200 mcg/day")))
    with pytest.raises(ProgramEntryIncomplete, match="Monday"):
        _build(ProgramEntry(steps=("Tue 00:00=100 mcg/day", "Sat 00:00=200 mcg/day")))
    for bad in ("Mo 07:00=80 mcg/day", "day 8 07:00=80 mcg/day", "day 0 07:00=1 mcg/day"):
        with pytest.raises(FlexStepMalformed) as caught:
            _build(ProgramEntry(steps=("Mon 00:00=100 mcg/day", bad)))
        assert caught.value.code == "THC-PATH-093"


def test_prometra_runs_no_weekly_schedule_and_says_why() -> None:
    with pytest.raises(ModeNotSupported) as caught:
        _build(
            ProgramEntry(steps=("Mon 00:00=1 mg/day", "Sat 00:00=2 mg/day")),
            MORPHINE,
            "prometra-ii-20",
        )
    assert caught.value.code == "THC-PATH-096"
    assert "Prometra II 20 mL" in str(caught.value)
    assert "assumption" in str(caught.value)  # the library's value is tagged, not sourced


def test_a_periodic_bolus_in_the_drugs_unit_counts_every_bolus_of_the_day() -> None:
    program = _build(
        ProgramEntry(
            periodic_bolus=BolusEntry(
                dose="0.5 mg", duration="10 min", every="7 h", first_after="2 h"
            )
        ),
        MORPHINE,
        "prometra-ii-20",
    )
    assert program.mode is ProgramMode.PERIODIC_BOLUS
    assert program.periodic is not None
    assert program.periodic.dose == Mass.from_mg(Decimal("0.5"))
    assert program.periodic.offset == Duration.hours(2)
    # 24 h / 7 h: the average is 1.714 mg/day, but one day can hold 4 boluses = 2 mg, plus the
    # Prometra's minimum flow between boluses (0.02 mL/day × 10 mg/mL) counted over the day
    assert program.peak_daily_dose == DoseRate.from_mg_per_day(Decimal("2.2"))
    assert program.basal_daily_dose < program.peak_daily_dose


def test_the_review_sees_a_tenfold_periodic_bolus_in_the_days_doses() -> None:
    usual = _build(
        ProgramEntry(periodic_bolus=bolus_entry("0.5 mg over 10 min every 6 h", periodic=True)),
        MORPHINE,
        "prometra-ii-20",
    )
    slip = _build(
        ProgramEntry(periodic_bolus=bolus_entry("5 mg over 10 min every 6 h", periodic=True)),
        MORPHINE,
        "prometra-ii-20",
    )
    between = DoseRate.from_mg_per_day(Decimal("0.2"))  # the Prometra's minimum flow
    assert prescription_of(usual).component_doses() == {
        "morphine": DoseRate.from_mg_per_day(2) + between
    }
    assert prescription_of(slip).component_doses() == {
        "morphine": DoseRate.from_mg_per_day(20) + between
    }
    assert prescription_of(slip).program() == slip


def test_a_single_bolus_counts_in_full_in_the_day_it_is_given() -> None:
    program = _build(ProgramEntry(single_bolus=bolus_entry("40 mcg over 30 min", periodic=False)))
    assert program.mode is ProgramMode.SINGLE_BOLUS
    assert program.single_bolus is not None
    assert program.single_bolus.dose == Mass.from_mcg(40)
    assert program.basal_daily_dose.value == 0
    prescription: Prescription = prescription_of(program)
    assert prescription.component_doses() == {"baclofen": DoseRate.from_mcg_per_day(40)}


def test_the_models_that_run_no_periodic_or_single_bolus_refuse_them() -> None:
    with pytest.raises(ModeNotSupported, match="periodic bolus"):
        _build(ProgramEntry(periodic_bolus=BolusEntry(dose="5 mcg", duration="1 h", every="6 h")))
    with pytest.raises(ModeNotSupported, match="single bolus"):
        _build(
            ProgramEntry(single_bolus=BolusEntry(dose="1 mg", duration="1 h")),
            MORPHINE,
            "prometra-ii-20",
        )


@pytest.mark.parametrize(
    ("text", "periodic"),
    [
        ("0.5 mg every 6 h", True),
        ("0.5 mg over 10 min", True),
        ("over 10 min every 6 h", True),
        ("0.5 mg over 10 min every 6 h first 2 h", True),
        ("0.5 mg over over 10 min every 6 h", True),
        ("2 mg over 30 min every 6 h", False),
        ("2 mg in 30 min", False),
    ],
)
def test_a_malformed_bolus_phrase_is_refused(text: str, periodic: bool) -> None:
    with pytest.raises(BolusMalformed) as caught:
        bolus_entry(text, periodic=periodic)
    assert caught.value.code == "THC-PATH-095"


def test_the_bolus_phrase_splits_into_the_editors_fields() -> None:
    assert bolus_entry("0.5 mg over 10 min every 6 h first after 2 h", periodic=True) == (
        BolusEntry(dose="0.5 mg", duration="10 min", every="6 h", first_after="2 h")
    )
    assert bolus_entry("40 mcg over 30 min", periodic=False) == BolusEntry(
        dose="40 mcg", duration="30 min"
    )


def test_bolus_fields_are_checked() -> None:
    def periodic(**fields: str) -> None:
        values = {"dose": "0.5 mg", "duration": "10 min", "every": "6 h"} | fields
        _build(ProgramEntry(periodic_bolus=BolusEntry(**values)), MORPHINE, "prometra-ii-20")

    with pytest.raises(DoseNotInDrugUnit):
        periodic(dose="500 mcg")  # morphine is entered in mg
    with pytest.raises(ProgramEntryIncomplete, match="interval"):
        periodic(every="")
    with pytest.raises(ProgramEntryIncomplete, match="within one interval"):
        periodic(first_after="6 h")
    with pytest.raises(ValueOutOfRange):
        periodic(duration="7 h")  # longer than the interval
    with pytest.raises(ValueOutOfRange):
        periodic(dose="0 mg")


def test_exactly_one_mode_is_entered() -> None:
    with pytest.raises(ProgramEntryIncomplete, match="a daily dose and a single bolus were given"):
        _build(
            ProgramEntry(
                daily_dose="50 mcg/day", single_bolus=BolusEntry(dose="40 mcg", duration="1 h")
            )
        )
    with pytest.raises(ProgramEntryIncomplete, match="none was given"):
        _build(ProgramEntry())


def test_a_periodic_bolus_without_a_basal_runs_the_models_minimum_rate_between_boluses() -> None:
    """No basal rate is typed: the Prometra keeps its minimum flow between boluses (the library's
    periodic_min_rate_between, an assumption), so the program carries it and every dose counts it;
    a model that runs no periodic bolus refuses the program with its specific error."""
    program = _build(
        ProgramEntry(periodic_bolus=bolus_entry("0.5 mg over 30 min every 6 h", periodic=True)),
        MORPHINE,
        "prometra-ii-20",
    )
    keeps = PROMETRA.periodic_min_rate_between
    assert keeps is not None
    assert keeps.value
    assert not keeps.confirmed  # shown as an assumption
    minimum = PROMETRA.min_flow.value * MORPHINE.primary.concentration  # 0.2 mg/day
    assert program.between_boluses == minimum == DoseRate.from_mg_per_day(Decimal("0.2"))
    # 4 × 0.5 mg a day, and 0.2 mg/day for the 5.5 h of every 6 h between boluses
    expected = DoseRate.from_mg_per_day(2) + minimum * (Decimal("5.5") / 6)
    assert program.basal_daily_dose == expected
    assert program.basal_flow >= PROMETRA.min_flow.value
    # the twin delivers the bolus, then the minimum flow until the next one
    compiled = compile_program(
        program, pump=PROMETRA, library=LIB, start=dt.datetime(2026, 1, 5, tzinfo=dt.UTC), now_us=0
    )
    assert compiled.basal is not None
    assert compiled.basal.rates[1] == flow_nl_per_day(PROMETRA.min_flow.value)
    with pytest.raises(ModeNotSupported) as refused:
        _build(
            ProgramEntry(periodic_bolus=bolus_entry("0.5 mg over 30 min every 6 h", periodic=True)),
            MORPHINE,
            "synchromed-ii-20",
        )
    assert refused.value.code == "THC-PATH-096"
    assert "SynchroMed II 20 mL runs no periodic bolus" in str(refused.value)
