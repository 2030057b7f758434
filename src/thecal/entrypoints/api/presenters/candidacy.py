"""A candidacy request → the domain's details, and an assessment → its API document."""

from __future__ import annotations

from decimal import Decimal

from thecal.domain.candidacy import (
    CancerStatus,
    CandidacyAssessment,
    CandidacyDetails,
    ContraindicationChecklist,
    SystemicMedication,
)
from thecal.domain.units import DoseRate, plain
from thecal.entrypoints.api.schemas.candidacy import (
    CandidacyConcernPublic,
    CandidacyCreate,
    CandidacyPublic,
    MedicationPublic,
)

__all__ = [
    "candidacy_details",
    "candidacy_public",
]


def candidacy_details(body: CandidacyCreate) -> CandidacyDetails:
    """The domain details from a request body (the domain validates the combinations)."""
    return CandidacyDetails(
        indication=body.indication,
        indication_detail=body.indication_detail,
        mechanism=body.mechanism,
        breadth=body.breadth,
        cancer=(
            CancerStatus(
                category=body.cancer_category, life_expectancy_months=body.life_expectancy_months
            )
            if body.cancer_category is not None
            else None
        ),
        conservative_therapy_months=body.conservative_therapy_months,
        oral_medication_months=body.oral_medication_months,
        psych_evaluation=body.psych_evaluation,
        contraindications=ContraindicationChecklist(
            present=frozenset(body.contraindications),
            anticoagulation_plan=body.anticoagulation_plan,
        ),
        medications=tuple(
            SystemicMedication(
                drug=m.drug,
                daily_dose=DoseRate.from_mcg_per_day(Decimal(m.daily_dose_mcg_per_day)),
                opioid=m.opioid,
            )
            for m in body.medications
        ),
        notes=body.notes,
    )


def candidacy_public(assessment: CandidacyAssessment) -> CandidacyPublic:
    d = assessment.details
    return CandidacyPublic(
        id=assessment.id,
        patient_id=assessment.patient_id,
        assessed_at=assessment.assessed_at,
        assessed_by=assessment.assessed_by,
        indication=d.indication,
        indication_detail=d.indication_detail,
        mechanism=d.mechanism,
        breadth=d.breadth,
        cancer_category=int(d.cancer.category) if d.cancer else None,
        life_expectancy_months=d.cancer.life_expectancy_months if d.cancer else None,
        conservative_therapy_months=d.conservative_therapy_months,
        oral_medication_months=d.oral_medication_months,
        psych_evaluation=d.psych_evaluation,
        contraindications=sorted(c.value for c in d.contraindications.present),
        anticoagulation_plan=d.contraindications.anticoagulation_plan,
        medications=[
            MedicationPublic(
                drug=m.drug,
                daily_dose_mcg_per_day=plain(m.daily_dose.mcg_per_day),
                opioid=m.opioid,
            )
            for m in d.medications
        ],
        total_mme_mg_per_day=plain(assessment.mme.total_mg_per_day),
        mme_table_id=assessment.mme.table_id,
        concerns=[
            CandidacyConcernPublic(code=c.code, message=c.message, source=c.source)
            for c in assessment.concerns()
        ],
        notes=d.notes,
        version=assessment.version,
    )
