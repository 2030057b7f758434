"""Rows ↔ the ``CandidacyAssessment`` (``tables/candidacy.py``): the assessment row and its
contraindication and medication rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from thecal.domain.candidacy import (
    CancerCategory,
    CancerStatus,
    CandidacyAssessment,
    CandidacyDetails,
    Contraindication,
    ContraindicationChecklist,
    Indication,
    MmeSummary,
    PainBreadth,
    PainMechanism,
    PsychEvaluation,
    SystemicMedication,
)
from thecal.domain.units import DoseRate

__all__ = [
    "candidacy_from_rows",
    "candidacy_to_rows",
]

Row = Mapping[Any, Any]  # a RowMapping: column name → value


def candidacy_to_rows(
    assessment: CandidacyAssessment,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The assessment row, its contraindication rows and its medication rows."""
    d = assessment.details
    opioid_mme = iter(mme for _, mme in assessment.mme.per_drug_mg_per_day)  # opioids, in order
    main = {
        "id": assessment.id,
        "patient_id": assessment.patient_id,
        "assessed_at": assessment.assessed_at,
        "assessed_by": assessment.assessed_by,
        "indication": d.indication.value,
        "indication_detail": d.indication_detail,
        "mechanism": d.mechanism.value,
        "breadth": d.breadth.value,
        "cancer_category": int(d.cancer.category) if d.cancer else None,
        "life_expectancy_months": d.cancer.life_expectancy_months if d.cancer else None,
        "conservative_therapy_months": d.conservative_therapy_months,
        "oral_medication_months": d.oral_medication_months,
        "psych_evaluation": d.psych_evaluation.value,
        "anticoagulation_plan": d.contraindications.anticoagulation_plan,
        "total_mme_mg_per_day": assessment.mme.total_mg_per_day,
        "mme_table_id": assessment.mme.table_id,
        "notes": d.notes,
        "version": assessment.version,
    }
    contraindications = [
        {"assessment_id": assessment.id, "code": item.value}
        for item in sorted(d.contraindications.present)
    ]
    medications = [
        {
            "assessment_id": assessment.id,
            "position": position,
            "drug": med.drug,
            "daily_dose_mcg_per_day": med.daily_dose.mcg_per_day,
            "opioid": med.opioid,
            "mme_mg_per_day": next(opioid_mme) if med.opioid else None,
        }
        for position, med in enumerate(d.medications)
    ]
    return main, contraindications, medications


def candidacy_from_rows(
    main: Row, contraindications: Iterable[Row], medications: Iterable[Row]
) -> CandidacyAssessment:
    meds = sorted(medications, key=lambda r: int(r["position"]))
    category = main["cancer_category"]
    details = CandidacyDetails(
        indication=Indication(main["indication"]),
        indication_detail=main["indication_detail"],
        mechanism=PainMechanism(main["mechanism"]),
        breadth=PainBreadth(main["breadth"]),
        cancer=(
            CancerStatus(
                category=CancerCategory(category),
                life_expectancy_months=main["life_expectancy_months"],
            )
            if category is not None
            else None
        ),
        conservative_therapy_months=main["conservative_therapy_months"],
        oral_medication_months=main["oral_medication_months"],
        psych_evaluation=PsychEvaluation(main["psych_evaluation"]),
        contraindications=ContraindicationChecklist(
            present=frozenset(Contraindication(r["code"]) for r in contraindications),
            anticoagulation_plan=main["anticoagulation_plan"],
        ),
        medications=tuple(
            SystemicMedication(
                drug=r["drug"],
                daily_dose=DoseRate.from_mcg_per_day(r["daily_dose_mcg_per_day"]),
                opioid=bool(r["opioid"]),
            )
            for r in meds
        ),
        notes=main["notes"],
    )
    per_drug: tuple[tuple[str, Decimal], ...] = tuple(
        (r["drug"], r["mme_mg_per_day"]) for r in meds if r["opioid"]
    )
    return CandidacyAssessment(
        id=main["id"],
        patient_id=main["patient_id"],
        assessed_at=main["assessed_at"],
        assessed_by=main["assessed_by"],
        details=details,
        mme=MmeSummary(
            total_mg_per_day=main["total_mme_mg_per_day"],
            table_id=main["mme_table_id"],
            per_drug_mg_per_day=per_drug,
        ),
        version=main["version"],
    )
