"""The field names the docs give (docs/web.md, docs/worklist.md) are the schemas' (issue 18 §3):
every field a documented answer or request names in backticks exists in its schema, and the
worklist row's documented fields are exactly the schema's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from thecal.entrypoints.api.routers.worklist import WorklistRowPublic
from thecal.entrypoints.api.schemas.program_changes import (
    CoSignatureCreate,
    ProgramChangeCreate,
    ProgramChangePublic,
    SendingCreate,
    SignatureCreate,
    TransitionPublic,
)
from thecal.entrypoints.api.schemas.pumps import (
    ActiveAlarmPublic,
    DoseAtGlancePublic,
    DosePointPublic,
    InterrogationPublic,
    LastRefillPublic,
    PumpPublic,
    PumpsPublic,
    PumpSummaryPublic,
    ReservoirPointPublic,
)
from thecal.entrypoints.api.schemas.refills import RefillCreate, RefillPublic

DOCS = Path(__file__).resolve().parents[3] / "docs"
FIELD = re.compile(r"`([a-z][a-z0-9_]*)(?::[^`]*)?`")
#: words in backticks that are values, not fields
VALUES = {"acknowledged", "uncertain", "urgent", "routine", "active", "explanted", "true", "block"}


def fields(*models: type[BaseModel]) -> set[str]:
    return {name for model in models for name in model.model_fields}


def documented(text: str) -> set[str]:
    return {name for name in FIELD.findall(text) if name not in VALUES}


def table_row(operation: str) -> str:
    for line in (DOCS / "web.md").read_text(encoding="utf-8").splitlines():
        if line.startswith((f"| `{operation}`", f"| {operation} ")):
            return line.split("|", 3)[3]  # the notes cell
    pytest.fail(f"docs/web.md has no row for {operation}")


CASES = {
    "GET /pumps": fields(PumpSummaryPublic, PumpsPublic) | {"serial", "model_id", "state"},
    "GET /pumps/{pump_id}": fields(
        PumpPublic,
        DoseAtGlancePublic,
        ActiveAlarmPublic,
        LastRefillPublic,
        ReservoirPointPublic,
        DosePointPublic,
    ),
    "POST /pumps/{pump_id}/interrogations": fields(InterrogationPublic),
    "GET`/`POST /pumps/{pump_id}/program-changes": fields(ProgramChangeCreate, ProgramChangePublic),
    "GET /program-changes/{change_id}": fields(ProgramChangePublic, TransitionPublic),
    "POST /program-changes/{change_id}/signature": fields(SignatureCreate),
    "POST /program-changes/{change_id}/co-signature": fields(CoSignatureCreate),
    "POST /program-changes/{change_id}/sending": fields(SendingCreate, ProgramChangePublic),
    "GET`/`POST /pumps/{pump_id}/refills": fields(RefillCreate, RefillPublic),
}


@pytest.mark.parametrize("operation", sorted(CASES))
def test_the_fields_docs_web_names_are_the_schemas(operation: str) -> None:
    named = documented(table_row(operation))
    assert named - CASES[operation] == set(), operation


def test_the_worklist_rows_documented_fields_are_exactly_the_schemas() -> None:
    text = (DOCS / "worklist.md").read_text(encoding="utf-8")
    paragraph = text[text.index("Each row carries:") :].split("\n\n", 1)[0]
    assert documented(paragraph) == fields(WorklistRowPublic)
