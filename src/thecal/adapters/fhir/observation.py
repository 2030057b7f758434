"""Observation: every score of an assessment; pain severity 0–10 as LOINC 72514-3.

Pain (NRS, or the BPI "pain on average" item) is coded with LOINC 72514-3; the other scores
(ODI percent, PGIC category, EQ VAS, BPI severity and interference, EQ-5D-5L profile and index)
carry thecal's own score codes — no LOINC code is invented.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from thecal.adapters.fhir.codes import LOINC, PAIN_SEVERITY_LOINC, THECAL_SCORE, UCUM, reference
from thecal.domain.assessment import Assessment

__all__ = ["observation_resources"]

#: score field → (code, display, UCUM unit or None)
_SCORES: dict[str, tuple[str, str, str | None]] = {
    "odi_percent": ("odi-percent", "Oswestry Disability Index", "%"),
    "bpi_severity": ("bpi-severity", "BPI pain severity (mean of 4 items)", None),
    "bpi_interference": ("bpi-interference", "BPI pain interference (mean)", None),
    "eq_vas": ("eq-vas", "EQ VAS", None),
    "eq5d_index": ("eq5d-index", "EQ-5D-5L index", None),
}


def _base(assessment: Assessment, suffix: str, code: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"{assessment.id}-{suffix}",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": code,
        "subject": reference("Patient", assessment.patient_id),
        "effectiveDateTime": assessment.assessed_on.isoformat(),
        "derivedFrom": [reference("QuestionnaireResponse", assessment.id)],
    }
    if assessment.procedure_id is not None:
        resource["partOf"] = [reference("Procedure", assessment.procedure_id)]
    return resource


def _quantity(value: Decimal, unit: str | None) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value}
    if unit is not None:
        quantity |= {"unit": unit, "system": UCUM, "code": unit}
    else:
        quantity |= {"unit": "{score}", "system": UCUM, "code": "{score}"}
    return quantity


def observation_resources(assessment: Assessment) -> list[dict[str, Any]]:
    """One Observation per score the assessment has."""
    figures, scores = assessment.figures, assessment.scores
    found: list[dict[str, Any]] = []
    if figures.pain_nrs is not None:
        resource = _base(
            assessment,
            "pain",
            {
                "coding": [
                    {
                        "system": LOINC,
                        "code": PAIN_SEVERITY_LOINC,
                        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                    }
                ],
                "text": "Pain severity 0–10",
            },
        )
        resource["valueInteger"] = int(figures.pain_nrs)
        found.append(resource)
    values: dict[str, Decimal | None] = {
        "odi_percent": figures.odi_percent,
        "eq_vas": None if figures.eq_vas is None else Decimal(figures.eq_vas),
        "bpi_severity": _decimal(
            scores.get("severity")
            if "worst_pain_band" in scores or "severity_band" in scores  # a BPI (older records)
            else None
        ),
        "bpi_interference": _decimal(scores.get("interference")),
        "eq5d_index": _decimal(scores.get("index")),
    }
    for name, value in values.items():
        if value is None:
            continue
        code, display, unit = _SCORES[name]
        resource = _base(
            assessment,
            code,
            {
                "coding": [{"system": THECAL_SCORE, "code": code, "display": display}],
                "text": display,
            },
        )
        resource["valueQuantity"] = _quantity(value, unit)
        found.append(resource)
    if figures.pgic is not None:
        resource = _base(
            assessment,
            "pgic",
            {
                "coding": [{"system": THECAL_SCORE, "code": "pgic", "display": "PGIC"}],
                "text": "Patient Global Impression of Change",
            },
        )
        resource["valueCodeableConcept"] = {
            "coding": [
                {
                    "system": f"{THECAL_SCORE}/pgic",
                    "code": str(figures.pgic.value),
                    "display": figures.pgic.label,
                }
            ],
            "text": figures.pgic.label,
        }
        found.append(resource)
    profile = scores.get("profile") if "index_unscored_reason" in scores else None
    if profile:
        resource = _base(
            assessment,
            "eq5d-profile",
            {
                "coding": [
                    {"system": THECAL_SCORE, "code": "eq5d-profile", "display": "EQ-5D-5L profile"}
                ],
                "text": "EQ-5D-5L profile",
            },
        )
        resource["valueString"] = profile
        found.append(resource)
    return found


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
