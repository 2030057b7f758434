"""Code systems and identifiers used by the FHIR mappers."""

from __future__ import annotations

__all__ = [
    "LOINC",
    "PAIN_SEVERITY_LOINC",
    "SNOMED",
    "THECAL_DRUG",
    "THECAL_PROCEDURE",
    "THECAL_SCORE",
    "UCUM",
    "reference",
]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
#: "Pain severity - 0-10 verbal numeric rating [Score] - Reported" (the architecture names it).
PAIN_SEVERITY_LOINC = "72514-3"
#: thecal's own code systems (stable codes from the domain enums, no invented LOINC codes).
THECAL_PROCEDURE = "https://thecal.dev/fhir/CodeSystem/procedure-kind"
THECAL_SCORE = "https://thecal.dev/fhir/CodeSystem/instrument-score"
THECAL_DRUG = "https://thecal.dev/fhir/CodeSystem/drug"
THECAL_INSTRUMENT = "https://thecal.dev/fhir/Questionnaire"


def reference(kind: str, ident: str) -> dict[str, str]:
    """A literal reference ``{"reference": "Patient/123"}``."""
    return {"reference": f"{kind}/{ident}"}
