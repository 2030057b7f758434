"""Candidacy assessments: PACC keys, the checklist, and MME with a recorded table version."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from thecal.domain.candidacy import (
    CancerCategory,
    CancerStatus,
    CandidacyAssessment,
    CandidacyDetails,
    CandidacyInvalid,
    Contraindication,
    ContraindicationChecklist,
    Indication,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
    StaleCandidacyVersion,
    SystemicMedication,
    summarise_mme,
)
from thecal.domain.errors import UnknownReference
from thecal.domain.library import reference_library
from thecal.domain.units import DoseRate, MassUnit, TimeUnit

AT = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)


def details(**changes: object) -> CandidacyDetails:
    base = CandidacyDetails(
        indication=Indication.FAILED_BACK_SURGERY_SYNDROME,
        indication_detail="",
        mechanism=PainMechanism.MIXED,
        breadth=PainBreadth.DIFFUSE,
        cancer=None,
        conservative_therapy_months=12,
        oral_medication_months=24,
        psych_evaluation=PsychEvaluation.CLEARED,
        contraindications=ContraindicationChecklist(),
        medications=(
            SystemicMedication(
                drug="oxycodone", daily_dose=DoseRate.from_mg_per_day(60), opioid=True
            ),
            SystemicMedication(
                drug="gabapentin", daily_dose=DoseRate.from_mg_per_day(1800), opioid=False
            ),
        ),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def assessment(d: CandidacyDetails | None = None) -> CandidacyAssessment:
    chosen = d or details()
    return CandidacyAssessment(
        id="c-1",
        patient_id="p-1",
        assessed_at=AT,
        assessed_by="u-1",
        details=chosen,
        mme=summarise_mme(chosen.medications, reference_library().mme_table()),
    )


def test_mme_counts_opioids_only_and_records_the_table() -> None:
    mme = assessment().mme
    assert mme.total_mg_per_day == Decimal(90)  # oxycodone 60 mg/day × 1.5
    assert mme.table_id == "cdc-2022"
    assert mme.per_drug_mg_per_day == (("oxycodone", Decimal(90)),)


def test_a_fentanyl_patch_counts_by_its_hourly_rate() -> None:
    patch = SystemicMedication(
        drug="fentanyl-transdermal",
        daily_dose=DoseRate.of(25, MassUnit.MCG, TimeUnit.HOUR),
        opioid=True,
    )
    assert summarise_mme([patch], reference_library().mme_table()).total_mg_per_day == Decimal(60)


def test_the_2016_table_can_be_chosen_and_is_recorded() -> None:
    meds = [
        SystemicMedication(drug="methadone", daily_dose=DoseRate.from_mg_per_day(30), opioid=True)
    ]
    mme = summarise_mme(meds, reference_library().mme_table("cdc-2016"))
    assert (mme.total_mg_per_day, mme.table_id) == (Decimal(240), "cdc-2016")


def test_an_opioid_missing_from_the_table_is_refused() -> None:
    meds = [
        SystemicMedication(drug="levorphanol", daily_dose=DoseRate.from_mg_per_day(4), opioid=True)
    ]
    with pytest.raises(UnknownReference):
        summarise_mme(meds, reference_library().mme_table())


def test_other_indication_needs_a_description() -> None:
    with pytest.raises(CandidacyInvalid):
        details(indication=Indication.OTHER, indication_detail=" ")
    assert details(indication=Indication.OTHER, indication_detail="arachnoiditis").indication_detail


def test_cancer_pain_needs_a_category() -> None:
    with pytest.raises(CandidacyInvalid):
        details(indication=Indication.CANCER_PAIN)


def test_anticoagulation_needs_a_plan() -> None:
    with pytest.raises(CandidacyInvalid):
        ContraindicationChecklist(present=frozenset({Contraindication.ANTICOAGULATION}))


@pytest.mark.parametrize("months", [-1, 1201, True])
def test_month_counts_are_whole_and_bounded(months: object) -> None:
    with pytest.raises(CandidacyInvalid):
        details(conservative_therapy_months=months)


def test_a_well_prepared_non_cancer_candidate_raises_no_concerns() -> None:
    assert assessment().concerns() == ()


def test_the_checklist_questions_short_conservative_care_and_missing_psych_clearance() -> None:
    codes = [
        c.code
        for c in assessment(
            details(conservative_therapy_months=3, psych_evaluation=PsychEvaluation.PENDING)
        ).concerns()
    ]
    assert codes == ["CAND-CONSERVATIVE", "CAND-PSYCH"]


def test_a_short_life_expectancy_is_questioned_for_an_implanted_pump() -> None:
    cancer = details(
        indication=Indication.CANCER_PAIN,
        cancer=CancerStatus(category=CancerCategory.PALLIATIVE, life_expectancy_months=2),
        conservative_therapy_months=0,
        psych_evaluation=PsychEvaluation.PENDING,
    )
    assert [c.code for c in assessment(cancer).concerns()] == ["CAND-LIFE-EXPECTANCY"]


def test_present_contraindications_are_listed() -> None:
    checklist = ContraindicationChecklist(
        present=frozenset({Contraindication.ACTIVE_INFECTION, Contraindication.PSYCHOSIS_HISTORY})
    )
    codes = [c.code for c in assessment(details(contraindications=checklist)).concerns()]
    assert codes == ["CAND-CI-ACTIVE_INFECTION", "CAND-CI-PSYCHOSIS_HISTORY"]


def test_a_revision_checks_the_version_then_bumps_it() -> None:
    record = assessment()
    with pytest.raises(StaleCandidacyVersion):
        record.revise(details(), record.mme, expected_version=2, at=AT, by="u-2")
    record.revise(details(notes="re-assessed"), record.mme, expected_version=1, at=AT, by="u-2")
    assert (record.version, record.assessed_by, record.details.notes) == (2, "u-2", "re-assessed")
