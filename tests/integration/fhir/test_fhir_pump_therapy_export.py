"""`thecal export fhir` of a pump patient on SQLite and PostgreSQL, after the real pathway use cases:
trial → implant (with a patient bolus) → program change signed by two clinicians, sent and
confirmed → patient boluses (one over a failing link) → verified refill. Every exported resource
validates with ``fhir.resources.R4B``, and the resources point at each other."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pathway_scenario import (
    MORPHINE_25,
    NURSE,
    PATIENT_ID,
    PATIENT_USER,
    PHYSICIAN,
    MovableClock,
    actor,
    cosign,
    implant,
    refill,
    sign,
    verify,
)
from plans_scenario import observation, plan_morphine_trial, with_patient_bolus
from typer.testing import CliRunner

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal
from thecal.config import Settings
from thecal.domain.program import InfusionProgram, PatientBolusSettings
from thecal.domain.program_change import ProgramChangeState
from thecal.domain.trial import TrialDecision
from thecal.domain.units import DoseRate, Duration, Mass
from thecal.entrypoints.cli.main import app as cli
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import (
    ProposeProgramChange,
    SendProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pumps import GetPump, get_pump, implant_pump
from thecal.services.refills import perform_refill
from thecal.services.trials import (
    AdministerTrial,
    DecideTrial,
    DischargeTrial,
    ObserveTrial,
    administer_trial,
    decide_trial,
    discharge_trial,
    observe_trial,
    plan_trial,
)
from thecal.simulation.faults import TelemetryFailure

MODELS: dict[str, Any] = {
    "Patient": Patient,
    "Procedure": Procedure,
    "Observation": Observation,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Device": Device,
    "MedicationRequest": MedicationRequest,
    "MedicationAdministration": MedicationAdministration,
}


def _bolus_program(mg_per_day: str) -> InfusionProgram:
    return InfusionProgram.continuous(
        MORPHINE_25,
        DoseRate.from_mg_per_day(Decimal(mg_per_day)),
        patient_bolus=PatientBolusSettings(
            dose=Mass.from_mg(Decimal("0.1")),
            duration=Duration.minutes(10),
            lockout=Duration.hours(4),
            max_per_day=3,
        ),
    )


def _version(clinic: Thecal) -> int:
    return clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version


def _trial(clinic: Thecal, clock: MovableClock) -> None:
    clinic.run(plan_trial, plan_morphine_trial(clock.now()))
    clock.advance(minutes=20)
    clinic.run(
        administer_trial,
        AdministerTrial(actor=actor(PHYSICIAN), trial_id="trial-1", expected_version=1),
    )
    for hours in (4, 21):
        clock.advance(hours=hours)
        clinic.run(
            observe_trial,
            ObserveTrial(
                actor=actor(NURSE), trial_id="trial-1", observation=observation(clock.now())
            ),
        )
    clinic.run(
        discharge_trial, DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=4)
    )
    clinic.run(
        decide_trial,
        DecideTrial(
            actor=actor(PHYSICIAN),
            trial_id="trial-1",
            expected_version=5,
            decision=TrialDecision.IMPLANT,
            rationale="pain 8 → 3 with function up",
        ),
    )


def _pump_year(clinic: Thecal, clock: MovableClock) -> None:
    """Implant, a confirmed titration, three bolus presses (one uncertain), one refill."""
    clock.advance(days=14)
    clinic.run_device(implant_pump, with_patient_bolus(implant()))
    clock.advance(days=1)
    change = clinic.run(
        propose_program_change,
        ProposeProgramChange(
            actor=actor(NURSE),
            pump_id="pump-1",
            new_program=_bolus_program("5.5"),
            idempotency_key="change-1",
            rationale="pain not controlled",
        ),
    ).change
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE), change_id=change.change_id, expected_pump_version=_version(clinic)
        ),
    )
    clock.advance(hours=1)
    clinic.run_device(interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1"))
    press = RequestPatientBolus(actor=actor(PATIENT_USER))
    clock.advance(hours=2)
    assert clinic.run_device(request_patient_bolus, press).granted
    clock.advance(minutes=30)  # inside the 4 h lockout: refused, not an administration
    assert not clinic.run_device(request_patient_bolus, press).granted
    clock.advance(hours=5)
    with clinic.uow() as uow:
        TwinStoreDriver.for_unit_of_work(uow, clock=clock).inject_fault(
            "NGP-000123", TelemetryFailure(applied=True, duration=Duration.hours(1))
        )
        uow.commit()
    assert clinic.run_device(request_patient_bolus, press).uncertain
    clock.advance(days=20)
    clinic.run(verify_admixture, verify(clock.now()))
    clinic.run_device(perform_refill, refill(_version(clinic)))


@pytest.fixture
def exported(
    clinic: Thecal, clock: MovableClock, settings: Settings, database_url: str
) -> dict[str, str]:
    _trial(clinic, clock)
    _pump_year(clinic, clock)
    return {
        "THECAL_DATABASE_URL": database_url,
        "THECAL_AUDIT_KEY": settings.audit_key.get_secret_value(),
        "THECAL_USER": "paula",
    }


def _exact(text: str) -> Any:
    """JSON with its numbers as exact decimals (the export writes them digit for digit)."""
    return json.loads(text, parse_float=Decimal)


def test_a_pump_patients_bundle_validates_and_links_devices_orders_fills_and_boluses(
    exported: dict[str, str],
) -> None:
    result = CliRunner().invoke(cli, ["export", "fhir", "--patient", PATIENT_ID], env=exported)
    assert result.exit_code == 0, result.stderr
    bundle = Bundle.model_validate_json(result.stdout)
    raw = [entry["resource"] for entry in _exact(result.stdout)["entry"]]
    for resource in raw:
        MODELS[resource["resourceType"]].model_validate(resource)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for resource in raw:
        by_kind.setdefault(resource["resourceType"], []).append(resource)
    assert len(bundle.entry) == len(raw)

    pump, catheter = by_kind["Device"]
    assert (pump["serialNumber"], pump["status"]) == ("NGP-000123", "active")
    assert catheter["parent"] == {"reference": "Device/pump-1"}
    assert catheter["property"][0]["valueQuantity"][0]["value"] == 60

    procedures = {p["code"]["coding"][0]["code"]: p for p in by_kind["Procedure"]}
    assert sorted(procedures) == ["intrathecal_pump_implant", "intrathecal_trial", "refill"]
    assert procedures["intrathecal_trial"]["outcome"] == {"text": "implant"}
    assert procedures["refill"]["status"] == "completed"

    first, second = by_kind["MedicationRequest"]
    assert (first["status"], second["status"]) == ("stopped", "active")
    assert second["priorPrescription"] == {"reference": f"MedicationRequest/{first['id']}"}
    basal, bolus = second["dosageInstruction"]
    assert basal["doseAndRate"][0]["rateQuantity"] == {
        "value": Decimal("5.5"),
        "unit": "mg/d",
        "system": "http://unitsofmeasure.org",
        "code": "mg/d",
    }
    assert bolus["maxDosePerPeriod"]["numerator"]["value"] == Decimal("0.3")  # 0.1 mg × 3 a day
    assert bolus["maxDosePerPeriod"]["denominator"]["code"] == "h"

    administrations = by_kind["MedicationAdministration"]
    fills = [a for a in administrations if a["category"]["text"] == "pump reservoir fill"]
    boluses = [a for a in administrations if a["category"]["text"] == "patient-activated bolus"]
    assert [f["partOf"][0]["reference"] for f in fills] == [
        f"Procedure/{procedures['intrathecal_pump_implant']['id']}",
        f"Procedure/{procedures['refill']['id']}",
    ]
    assert fills[1]["request"] == {"reference": f"MedicationRequest/{second['id']}"}
    assert [b["status"] for b in boluses] == ["completed", "unknown"]  # the refusal is not one
    assert {b["dosage"]["dose"]["value"] for b in boluses} == {Decimal("0.1")}
    assert {b["request"]["reference"] for b in boluses} == {f"MedicationRequest/{second['id']}"}


def test_bulk_export_carries_the_pump_therapy_as_valid_ndjson(
    exported: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "all.ndjson"
    result = CliRunner().invoke(
        cli, ["export", "fhir", "--all", "--output", str(target)], env=exported
    )
    assert result.exit_code == 0, result.stderr
    kinds = []
    for line in target.read_text(encoding="utf-8").splitlines():
        MODELS[json.loads(line)["resourceType"]].model_validate_json(line)
        kinds.append(json.loads(line)["resourceType"])
    assert {k: kinds.count(k) for k in sorted(set(kinds))} == {
        "Device": 2,
        "MedicationAdministration": 4,
        "MedicationRequest": 2,
        "Patient": 1,
        "Procedure": 3,
    }


def test_the_change_that_was_not_confirmed_is_not_exported_as_an_order(
    clinic: Thecal, clock: MovableClock, settings: Settings, database_url: str
) -> None:
    clinic.run_device(implant_pump, implant())
    change = clinic.run(
        propose_program_change,
        ProposeProgramChange(
            actor=actor(NURSE),
            pump_id="pump-1",
            new_program=_bolus_program("6"),
            idempotency_key="change-x",
            rationale="proposed, never signed",
        ),
    ).change
    assert change.state is ProgramChangeState.REVIEWED
    env = {
        "THECAL_DATABASE_URL": database_url,
        "THECAL_AUDIT_KEY": settings.audit_key.get_secret_value(),
        "THECAL_USER": "paula",
    }
    result = CliRunner().invoke(cli, ["export", "fhir", "--patient", PATIENT_ID], env=env)
    assert result.exit_code == 0, result.stderr
    requests = [
        e["resource"]
        for e in _exact(result.stdout)["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
    ]
    assert [
        (r["status"], r["dosageInstruction"][0]["doseAndRate"][0]["rateQuantity"]["value"])
        for r in requests
    ] == [("active", 5)]
    assert dt.datetime.fromisoformat(requests[0]["authoredOn"]).tzinfo is not None
