"""Every FHIR mapper's output validates against the R4 (R4B) models of ``fhir.resources``."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from thecal.adapters.fhir import fhir_json
from thecal.adapters.fhir.bundle import patient_bundle, record_resources
from thecal.adapters.fhir.device import catheter_device, pump_device
from thecal.adapters.fhir.medication_administration import (
    bolus_administration,
    fill_administration,
)
from thecal.adapters.fhir.medication_request import medication_request_resource
from thecal.domain.admixture import Admixture, Component
from thecal.domain.assessment import Assessment, assess
from thecal.domain.instruments import BPI_INTERFERENCE_ITEMS, ODI_ITEMS, Instrument
from thecal.domain.library import reference_library
from thecal.domain.patient import Contact, Demographics, Patient, Sex
from thecal.domain.procedure import ProcedureKind, ProcedureRecord
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, Volume

AT = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)
MODELS = {
    "Patient": FhirPatient,
    "Procedure": Procedure,
    "Observation": Observation,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Device": Device,
    "MedicationRequest": MedicationRequest,
    "MedicationAdministration": MedicationAdministration,
    "Bundle": Bundle,
}


def validate(resource: dict[str, Any]) -> Any:
    """Validate the resource as its JSON text (what is exported), not the Python dict."""
    return MODELS[resource["resourceType"]].model_validate_json(fhir_json(resource))


PATIENT = Patient(
    id="pat-1",
    mrn="MRN-1",
    demographics=Demographics(
        family_name="Doe",
        given_names="Jane Ann",
        birth_date=dt.date(1961, 4, 3),
        sex=Sex.FEMALE,
        contact=Contact(phone="+41 44 000 00 00", email="jane@example.org", address="Main St 1"),
    ),
    registered_at=AT,
)
PROCEDURE = ProcedureRecord(
    id="proc-1",
    patient_id="pat-1",
    kind=ProcedureKind.INTRATHECAL_PUMP_IMPLANT,
    performed_on=dt.date(2025, 3, 1),
    indication="FBSS",
    performer_id="u-surgeon",
    recorded_by="u-surgeon",
    recorded_at=AT,
    notes="uneventful",
)


def _assess(instrument: Instrument, answers: dict[str, int | None], ident: str) -> Assessment:
    return assess(
        assessment_id=ident,
        patient_id="pat-1",
        instrument=instrument,
        answers=answers,
        assessed_on=dt.date(2025, 6, 1),
        recorded_by="u-nurse",
        recorded_at=AT,
        procedure=PROCEDURE,
    )


ASSESSMENTS = [
    _assess(Instrument.NRS, {"pain": 4}, "a-nrs"),
    _assess(Instrument.PGIC, {"change": 2}, "a-pgic"),
    _assess(Instrument.ODI, dict.fromkeys(ODI_ITEMS[:9], 3) | {ODI_ITEMS[9]: None}, "a-odi"),
    _assess(
        Instrument.EQ5D5L,
        {
            "mobility": 2,
            "self_care": 1,
            "usual_activities": 1,
            "pain_discomfort": 4,
            "anxiety_depression": 3,
            "vas": 65,
        },
        "a-eq",
    ),
    _assess(
        Instrument.BPI_SF,
        {"worst": 7, "least": 2, "average": 5, "now": 4} | dict.fromkeys(BPI_INTERFERENCE_ITEMS, 3),
        "a-bpi",
    ),
]


def test_every_record_resource_validates_and_the_bundle_too() -> None:
    resources = record_resources(PATIENT, [PROCEDURE], ASSESSMENTS)
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("QuestionnaireResponse") == len(ASSESSMENTS)
    for resource in resources:
        validate(resource)
    validate(patient_bundle(resources, bundle_id="b-1", timestamp=AT.isoformat()))


def test_pain_is_coded_with_loinc_72514_3_as_a_0_to_10_integer() -> None:
    pains = [
        r
        for r in record_resources(PATIENT, [], ASSESSMENTS)
        if r["resourceType"] == "Observation" and r["id"].endswith("-pain")
    ]
    assert {(r["id"], r["valueInteger"]) for r in pains} == {("a-nrs-pain", 4), ("a-bpi-pain", 5)}
    observation = validate(pains[0])
    assert observation.code.coding[0].system == "http://loinc.org"
    assert observation.code.coding[0].code == "72514-3"


def test_odi_with_a_blank_section_keeps_its_exact_decimal_in_the_json() -> None:
    odi = next(
        r for r in record_resources(PATIENT, [], ASSESSMENTS) if r["id"] == "a-odi-odi-percent"
    )
    text = fhir_json(odi)
    assert json.loads(text, parse_float=Decimal)["valueQuantity"]["value"] == Decimal(60)
    assert '"value": 60' in text


def test_the_questionnaire_response_keeps_blank_items_without_an_answer() -> None:
    response = validate(record_resources(PATIENT, [], [ASSESSMENTS[2]])[1])
    answered = {item.linkId: item.answer for item in response.item}
    assert answered[ODI_ITEMS[9]] is None
    assert answered[ODI_ITEMS[0]][0].valueInteger == 3


def _program() -> InfusionProgram:
    admixture = Admixture(
        components=(
            Component(drug_id="morphine", concentration=Concentration.from_mg_per_ml(10)),
            Component(
                drug_id="bupivacaine", concentration=Concentration.from_mg_per_ml(Decimal("7.5"))
            ),
        )
    )
    return InfusionProgram.continuous(
        admixture,
        DoseRate.from_mg_per_day(Decimal("2.5")),
        patient_bolus=PatientBolusSettings(
            dose=Mass.from_mcg(100),
            duration=Duration.minutes(10),
            lockout=Duration.hours(4),
            max_per_day=4,
        ),
    )


def test_the_program_becomes_a_request_with_ingredients_daily_dose_and_bolus_limits() -> None:
    resource = medication_request_resource(
        request_id="rx-1",
        patient_id="pat-1",
        program=_program(),
        authored_on="2025-06-02",
        requester_id="u-physician",
    )
    request = validate(resource)
    medication = request.contained[0]
    assert [i.itemCodeableConcept.text for i in medication.ingredient] == [
        "morphine",
        "bupivacaine",
    ]
    strength = medication.ingredient[1].strength.numerator
    assert (strength.value, strength.code) == (Decimal("7.5"), "mg")  # 7.5 mg per 1 mL
    morphine, bupivacaine, bolus = request.dosageInstruction
    assert [d.sequence for d in (morphine, bupivacaine, bolus)] == [1, 1, 2]
    assert (
        morphine.doseAndRate[0].rateQuantity.value,
        morphine.doseAndRate[0].rateQuantity.code,
    ) == (
        Decimal("2.5"),
        "mg/d",
    )
    # 2.5 mg/day of morphine at 10 mg/mL is 0.25 mL/day, which carries 1.875 mg of bupivacaine
    assert bupivacaine.doseAndRate[0].rateQuantity.value == Decimal("1.875")
    assert bolus.doseAndRate[0].doseQuantity.value == Decimal("0.1")  # 100 mcg in mg
    assert bolus.maxDosePerPeriod.numerator.value == Decimal("0.4")  # 0.1 mg × 4 per day
    assert (bolus.maxDosePerPeriod.denominator.value, bolus.maxDosePerPeriod.denominator.code) == (
        Decimal(24),
        "h",
    )


def test_a_microgram_drug_is_ordered_in_ug_per_day_and_a_replaced_order_names_its_predecessor() -> (
    None
):
    program = InfusionProgram.continuous(
        Admixture.single("ziconotide", Concentration.from_mcg_per_ml(25)),
        DoseRate.from_mcg_per_day(Decimal("2.4")),
    )
    request = validate(
        medication_request_resource(
            request_id="rx-2",
            patient_id="pat-1",
            program=program,
            authored_on="2025-06-02",
            requester_id="u-physician",
            status="stopped",
            prior_request_id="rx-1",
        )
    )
    (dosage,) = request.dosageInstruction
    rate = dosage.doseAndRate[0].rateQuantity
    assert (rate.value, rate.code, rate.unit) == (Decimal("2.4"), "ug/d", "mcg/d")
    assert request.contained[0].ingredient[0].strength.numerator.code == "ug"
    assert (request.status, request.priorPrescription.reference) == (
        "stopped",
        "MedicationRequest/rx-1",
    )


def test_pump_and_catheter_devices_carry_model_and_serial() -> None:
    library = reference_library()
    pump = validate(
        pump_device(
            device_id="dev-pump",
            patient_id="pat-1",
            pump=library.pump("synchromed-ii-40"),
            serial="NGP123456H",
        )
    )
    assert (pump.serialNumber, pump.modelNumber) == (
        "NGP123456H",
        library.pump("synchromed-ii-40").model_number,
    )
    catheter = validate(
        catheter_device(
            device_id="dev-cath",
            patient_id="pat-1",
            catheter=library.catheter("ascenda-8780"),
            implanted_length_cm=Decimal("45.5"),
            tip_level="T10",
            pump_device_id="dev-pump",
        )
    )
    assert catheter.parent.reference == "Device/dev-pump"


@pytest.mark.parametrize("delivered", [True, False, None])
def test_fills_and_boluses_become_administrations(delivered: bool | None) -> None:
    fill = validate(
        fill_administration(
            administration_id="fill-1",
            patient_id="pat-1",
            admixture=_program().admixture,
            volume=Volume.from_ml(40),
            at=AT,
            procedure_id="proc-1",
            device_id="dev-pump",
        )
    )
    assert fill.dosage.dose.value == Decimal(40)
    bolus = validate(
        bolus_administration(
            administration_id="bolus-1",
            patient_id="pat-1",
            drug_id="morphine",
            dose=Mass.from_mcg(100),
            at=AT,
            delivered=delivered,
        )
    )
    assert bolus.status == {True: "completed", False: "not-done", None: "unknown"}[delivered]
