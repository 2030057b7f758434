"""Domain objects → API DTOs (shared by the API and the web pages)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypeVar

from thecal.domain.audit import AuditEntry
from thecal.domain.candidacy import (
    CancerStatus,
    CandidacyAssessment,
    CandidacyDetails,
    ContraindicationChecklist,
    SystemicMedication,
)
from thecal.domain.errors import QuantityTextError
from thecal.domain.patient import Patient
from thecal.domain.program_change import FindingSummary, OverrideJustification
from thecal.domain.units import DoseRate, plain
from thecal.domain.users import User
from thecal.entrypoints.api.schemas import (
    AuditEntryPublic,
    FindingPublic,
    OverrideIn,
    UserPublic,
)
from thecal.entrypoints.api.schemas_clinical import (
    CandidacyConcernPublic,
    CandidacyCreate,
    CandidacyPublic,
    MedicationPublic,
    PatientPublic,
)

__all__ = [
    "audit_entry_public",
    "candidacy_details",
    "candidacy_public",
    "finding_public",
    "overrides_of",
    "patient_public",
    "quantity",
    "user_public",
]


def patient_public(patient: Patient) -> PatientPublic:
    d = patient.demographics
    return PatientPublic(
        id=patient.id,
        mrn=patient.mrn,
        family_name=d.family_name,
        given_names=d.given_names,
        birth_date=d.birth_date,
        sex=d.sex,
        phone=d.contact.phone,
        email=d.contact.email,
        address=d.contact.address,
        registered_at=patient.registered_at,
        version=patient.version,
    )


def user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        patient_id=user.patient_id,
        active=user.active,
        created_at=user.created_at,
    )


def audit_entry_public(entry: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic(
        sequence=entry.sequence,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        details_json=entry.details_json,
        entry_hash=entry.entry_hash,
    )


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


_Q = TypeVar("_Q")


def quantity(parse: Callable[[str], _Q], text: str, *, where: str) -> _Q:
    """``parse(text)`` strictly; a refusal keeps its code and names the request field in ``where``.

    Raises:
        QuantityTextError: the text is not one unambiguous quantity of the expected kind.
    """
    try:
        return parse(text)
    except QuantityTextError as error:
        error.fields.setdefault("where", where)
        raise


def finding_public(finding: FindingSummary) -> FindingPublic:
    return FindingPublic(
        code=finding.code,
        severity=finding.severity.value,
        message=finding.message,
        source=finding.source,
    )


def overrides_of(given: Iterable[OverrideIn]) -> tuple[OverrideJustification, ...]:
    """The written overrides of a request, as the domain takes them."""
    return tuple(
        OverrideJustification(finding_code=o.finding_code, reason=o.reason, text=o.text)
        for o in given
    )
