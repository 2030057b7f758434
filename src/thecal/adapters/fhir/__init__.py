"""FHIR R4 export: one mapper module per resource, producing plain JSON-ready dicts.

Modules: :mod:`.patient`, :mod:`.device` (pump and catheter), :mod:`.medication_request` (the
program: admixture components as ingredients, daily dose, patient-bolus limits as
``maxDosePerPeriod``), :mod:`.medication_administration` (fills and patient boluses),
:mod:`.procedure` (any procedure record; the implant, each refill and each trial),
:mod:`.observation` (pain severity 0–10 as LOINC 72514-3, other scores),
:mod:`.questionnaire_response` (the instrument answers) and :mod:`.bundle` (a patient's record as a
``collection`` Bundle; ndjson for bulk). The pump therapy comes from the pathway records:
:mod:`.pump_therapy` (the audited read through the repository ports) and
:mod:`.pump_therapy_resources` (devices, orders, fills and boluses, linked); :mod:`.quantities`
writes UCUM quantities in each drug's dose unit. Quantities stay exact ``Decimal``;
:func:`fhir_json` writes them as JSON numbers digit for digit (never through a float). The tests
validate every resource with ``fhir.resources.R4B`` (R4B is R4 plus corrections, wire-compatible
for these resources).
"""

from __future__ import annotations

from thecal.adapters.fhir.serialise import fhir_json

__all__ = ["fhir_json"]
