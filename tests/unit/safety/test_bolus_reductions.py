"""A program change that ends clinician boluses is a dose reduction (issue 12): the review counts
every periodic or single bolus in full in the 24 h it is given, so stopping a baclofen periodic
bolus of 200 mcg/day is the same large reduction as a basal rate cut from 200 to 0 mcg/day, named
with the drug's withdrawal risk (ITS-STEP-005); a small cut of the same bolus is not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram, PeriodicBolus, ProgramMode
from thecal.domain.safety.context import (
    ActionKind,
    CurrentTherapy,
    Proposal,
    Proposer,
    PumpState,
    ReviewContext,
    Role,
)
from thecal.domain.safety.findings import Finding
from thecal.domain.safety.patient_facts import Indication, Patient
from thecal.domain.safety.review import review
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume
from thecal.services.review_context import prescription_of

BACLOFEN = Admixture.single("baclofen", Concentration.from_mcg_per_ml(500))
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _periodic(mcg: int, every_hours: int = 6) -> InfusionProgram:
    return InfusionProgram(
        mode=ProgramMode.PERIODIC_BOLUS,
        admixture=BACLOFEN,
        periodic=PeriodicBolus(
            dose=Mass.from_mcg(mcg),
            duration=Duration.minutes(10),
            every=Duration.hours(every_hours),
        ),
    )


def _reductions(current: InfusionProgram, new: InfusionProgram) -> list[Finding]:
    context = ReviewContext(
        action=ActionKind.PROGRAM_CHANGE,
        at=AT,
        proposer=Proposer(user_id="user-paula", role=Role.PHYSICIAN),
        patient=Patient(age_years=40, indication=Indication.SPASTICITY, cancer=False),
        pump=PumpState(model="synchromed-ii-20", reservoir=Volume.from_ml(15)),
        current=CurrentTherapy(
            prescription=prescription_of(current), last_dose_change_at=AT - dt.timedelta(days=30)
        ),
        proposal=Proposal(prescription=prescription_of(new), programmed_admixture=BACLOFEN),
    )
    result = review(context, library=reference_library(), policy=ClinicPolicy())
    return [f for f in result.findings if f.code == "ITS-STEP-005"]


def test_the_last_periodic_bolus_stopping_is_a_large_reduction_named_with_its_risk() -> None:
    periodic = _periodic(50)  # 4 × 50 mcg a day
    assert periodic.peak_daily_dose == DoseRate.from_mcg_per_day(200)
    stopped = InfusionProgram(mode=ProgramMode.STOPPED, admixture=BACLOFEN)
    (finding,) = _reductions(periodic, stopped)
    assert "baclofen falls 100 %" in finding.message
    assert "200 mcg/day → 0 mcg/day" in finding.message
    assert "the periodic bolus ends, nothing delivered after it" in finding.message
    assert "withdrawal risk high" in finding.message
    zero = InfusionProgram.continuous(BACLOFEN, DoseRate(Decimal(0)))
    (to_zero,) = _reductions(periodic, zero)
    assert "200 mcg/day → 0 mcg/day" in to_zero.message
    assert "nothing delivered after it" in to_zero.message


def test_a_single_bolus_program_ending_on_a_lower_basal_counts_the_bolus() -> None:
    single = InfusionProgram(
        mode=ProgramMode.SINGLE_BOLUS,
        admixture=BACLOFEN,
        single_bolus=PeriodicBolus(
            dose=Mass.from_mcg(200), duration=Duration.minutes(30), every=Duration.minutes(30)
        ),
    )
    lower = InfusionProgram.continuous(BACLOFEN, DoseRate.from_mcg_per_day(50))
    (finding,) = _reductions(single, lower)
    assert "baclofen falls 75 %" in finding.message
    assert "the single bolus ends, continuous delivery after it" in finding.message


def test_a_bolus_cut_within_the_clinic_limit_is_not_flagged_a_basal_cut_is() -> None:
    assert _reductions(_periodic(50), _periodic(40)) == []  # 200 → 160 mcg/day: 20 %
    # the same bolus every 8 h instead of 6 h: 150 mcg/day, 25 % less
    assert _reductions(_periodic(50), _periodic(50, every_hours=8)) == []
    steady = InfusionProgram.continuous(BACLOFEN, DoseRate.from_mcg_per_day(180))
    assert _reductions(_periodic(50), steady) == []
    # a basal cut from 200 to 50 mcg/day is the same reduction, without a bolus to name
    basal = InfusionProgram.continuous(BACLOFEN, DoseRate.from_mcg_per_day(200))
    (cut,) = _reductions(basal, InfusionProgram.continuous(BACLOFEN, DoseRate.from_mcg_per_day(50)))
    assert "baclofen falls 75 %" in cut.message
    assert "bolus ends" not in cut.message
