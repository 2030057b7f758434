"""``GET /api/v1/pumps/{pump_id}/pharmacy-verifications/{code}/label.pdf``: the syringe label
of a verification made through the API, its refusals as problems (who may print it is in the
authorization matrix, matrix_device)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from api_support import Clinic, build_clinic, implant_pump_with_patient_bolus, logged_in
from pdf_reader import read_pdf
from qr_reader import read_qr

API = "/api/v1"


@pytest.fixture
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    built = build_clinic(f"sqlite:///{tmp_path_factory.mktemp('label')}/thecal.db")
    yield built
    built.thecal.close()


def test_the_label_of_an_api_verification_is_a_pdf_with_the_code_and_its_qr(
    clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    pharmacist = logged_in(clinic, "pharmacist")
    verified = pharmacist.post(
        f"{API}/pumps/{pump_id}/pharmacy-verifications",
        json={
            "drugs": [{"drug": "morphine", "concentration": "25000 mcg/mL"}],  # = 25 mg/mL
            "volume": "20 mL",
            "lot": "LOT-API-1",
            "beyond_use": (clinic.clock.now() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert verified.status_code == 201, verified.text
    code = verified.json()["id"]

    response = pharmacist.get(f"{API}/pumps/{pump_id}/pharmacy-verifications/{code}/label.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="syringe-label-{code}.pdf"'
    (page,) = read_pdf(response.content)
    assert "Morphine sulfate 25 mg/mL" in page.text  # typed in mcg, shown in morphine's mg
    assert "LOT-API-1" in page.text
    assert read_qr(page.png()) == code


@pytest.mark.parametrize(
    ("typed", "status", "problem"),
    [
        ("2222-2222", 404, "THC-PHARM-001"),  # a code no verification has
        ("2222-2223", 422, "THC-PATH-026"),  # a typo: the check character does not fit
    ],
)
def test_an_unknown_or_mistyped_code_is_a_problem_naming_it(
    clinic: Clinic, typed: str, status: int, problem: str
) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    response = logged_in(clinic, "pharmacist").get(
        f"{API}/pumps/{pump_id}/pharmacy-verifications/{typed}/label.pdf"
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == problem
    assert typed in response.json()["detail"]
