"""`thecal export fhir` end to end on both databases: every exported resource validates (R4B)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from outcomes_clinic import seed_clinic
from records_db import AUDIT_KEY, seed_user
from typer.testing import CliRunner

from thecal.bootstrap import Thecal
from thecal.domain.users import Role
from thecal.entrypoints.cli.main import app as cli

MODELS = {
    "Patient": Patient,
    "Procedure": Procedure,
    "Observation": Observation,
    "QuestionnaireResponse": QuestionnaireResponse,
}


@pytest.fixture
def clinic(app: Thecal, database_url: str) -> tuple[dict[str, str], dict[str, str]]:
    physician = seed_user(app, username="phil", role=Role.PHYSICIAN)
    seed_user(app, username="nina", role=Role.NURSE)
    episodes = seed_clinic(app, physician.as_actor())
    env = {
        "THECAL_DATABASE_URL": database_url,
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_USER": "phil",
    }
    return env, episodes


def test_one_patient_exports_as_a_valid_bundle(
    app: Thecal, clinic: tuple[dict[str, str], dict[str, str]]
) -> None:
    env, episodes = clinic
    with app.uow() as uow:
        procedure = uow.procedures.get(episodes["P1"])
    assert procedure is not None
    result = CliRunner().invoke(cli, ["export", "fhir", "--patient", procedure.patient_id], env=env)
    assert result.exit_code == 0, result.stderr
    bundle = Bundle.model_validate_json(result.stdout)
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("Procedure") == 2  # the epidural and the facet joint injection
    assert kinds.count("QuestionnaireResponse") == 5
    pain = [
        e.resource
        for e in bundle.entry
        if e.resource.get_resource_type() == "Observation"
        and e.resource.code.coding[0].code == "72514-3"
    ]
    assert sorted(o.valueInteger for o in pain) == [2, 8]


def test_bulk_export_is_ndjson_of_valid_resources(
    clinic: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    env, _ = clinic
    target = tmp_path / "all.ndjson"
    result = CliRunner().invoke(cli, ["export", "fhir", "--all", "--output", str(target)], env=env)
    assert result.exit_code == 0, result.stderr
    lines = target.read_text(encoding="utf-8").splitlines()
    for line in lines:
        MODELS[json.loads(line)["resourceType"]].model_validate_json(line)
    kinds = [json.loads(line)["resourceType"] for line in lines]
    assert kinds.count("Patient") == 6
    assert kinds.count("Procedure") == 7


def test_a_nurse_may_not_export(clinic: tuple[dict[str, str], dict[str, str]]) -> None:
    env, _ = clinic
    result = CliRunner().invoke(cli, ["export", "fhir", "--all", "--as", "nina"], env=env)
    assert result.exit_code == 2
    assert "THC-AUTH-001" in result.stderr
