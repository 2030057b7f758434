"""The outcomes page and its downloads through the web app (TestClient, SQLite)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import Clinic, build_clinic, logged_in

from thecal.domain.instruments import Instrument
from thecal.domain.procedure import ProcedureKind
from thecal.domain.users import Actor, Role
from thecal.services.assessments import RecordAssessment, record_assessment
from thecal.services.procedures import RecordProcedure, record_procedure

QUERY = "?procedure=epidural_steroid_injection&time_point=3+months&report_date=2026-03-01"


@pytest.fixture
def clinic(tmp_path: Path) -> Clinic:
    built = build_clinic(f"sqlite:///{tmp_path}/thecal.db")
    physician = Actor(user_id=built.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    for patient, (before, after, pgic) in zip(
        (built.own_patient, built.foreign_patient), ((8, 2, 1), (6, 6, 4)), strict=True
    ):
        procedure = built.thecal.run(
            record_procedure,
            RecordProcedure(
                actor=physician,
                patient_id=patient,
                kind=ProcedureKind.EPIDURAL_STEROID_INJECTION,
                performed_on=dt.date(2025, 9, 1),
                indication="L-RAD",
            ),
        )
        for instrument, answers, day in (
            (Instrument.NRS, {"pain": before}, dt.date(2025, 8, 30)),
            (Instrument.NRS, {"pain": after}, dt.date(2025, 11, 30)),
            (Instrument.PGIC, {"change": pgic}, dt.date(2025, 11, 30)),
        ):
            built.thecal.run(
                record_assessment,
                RecordAssessment(
                    actor=physician,
                    patient_id=patient,
                    instrument=instrument,
                    answers=answers,
                    assessed_on=day,
                    procedure_id=procedure.id,
                ),
            )
    return built


def test_the_page_shows_the_sentences_counts_and_charts(clinic: Clinic) -> None:
    client = logged_in(clinic, "physician")
    page = client.get("/outcomes" + QUERY)
    assert page.status_code == 200, page.text
    assert (
        "50 % of our epidural patients report being much improved or better (1 of 2 at 3 months"
        in page.text
    )
    assert "data:image/png;base64," in page.text
    assert "S110" in page.text


def test_the_downloads_carry_the_same_report(clinic: Clinic) -> None:
    client = logged_in(clinic, "physician")
    pdf = client.get("/outcomes/report.pdf" + QUERY)
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
    document = client.get("/outcomes/report.json" + QUERY).json()
    assert document["measures"][0]["responders"] == 1
    csv_text = client.get("/outcomes/report.csv" + QUERY).text
    assert csv_text.splitlines()[0].startswith("report_date,time_point")


def test_a_pharmacist_is_refused_the_page(clinic: Clinic) -> None:
    client = logged_in(clinic, "pharmacist")
    assert client.get("/outcomes" + QUERY).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        QUERY,  # two episodes
        "?procedure=epidural_steroid_injection&time_point=3+months&report_date=2025-09-02",  # none due
        "?procedure=epidural_steroid_injection&time_point=12+months&report_date=2026-03-01",  # not due
    ],
)
def test_the_page_and_pdf_render_whatever_the_report_holds(clinic: Clinic, query: str) -> None:
    client = logged_in(clinic, "physician")
    assert client.get("/outcomes" + query).status_code == 200  # warnings are errors in the tests
    assert client.get("/outcomes/report.pdf" + query).status_code == 200
