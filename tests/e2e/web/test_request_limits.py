"""One size limit on request bodies (issue 15 §5): 413 before anything is parsed, on the API
(problem document) and the pages (error page), declared or streamed; small bodies still work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from api_support import PASSWORD, Clinic, implant_pump_with_patient_bolus
from test_web_pages import browser_login, form_token

from thecal.domain.errors import RequestInvalid
from thecal.entrypoints.web.form_fields import decimal_number

LIMIT = 64 * 1024  # THECAL_MAX_REQUEST_KB's default


def test_a_huge_unauthenticated_log_in_body_is_413_before_it_is_read(clinic: Clinic) -> None:
    client = clinic.client()
    huge = b'{"username": "' + b"a" * (50 * 1024 * 1024) + b'"}'  # 50 MB
    api = client.post(
        "/api/v1/auth/login", content=huge, headers={"content-type": "application/json"}
    )
    assert api.status_code == 413
    assert api.headers["content-type"] == "application/problem+json"
    problem = api.json()
    assert (problem["code"], problem["status"]) == ("THC-HTTP-413", 413)
    assert "64 KiB" in problem["detail"]
    page = client.post(
        "/login",
        content=b"username=" + b"a" * (LIMIT + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert "64 KiB" in page.text


def test_a_streamed_body_without_a_length_is_cut_at_the_limit(clinic: Clinic) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):  # 100 × 8 KiB, no Content-Length: chunked
            yield b"x" * 8192

    answer = clinic.client().post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "THC-HTTP-413"


def test_a_300k_key_json_object_is_refused_before_it_is_parsed(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It cost 4 s of CPU to parse before the limit: now no JSON parser ever sees it (the check
    is on what is parsed, not on the clock, so a loaded machine cannot fail it)."""
    parsed: list[int] = []
    loads = json.loads

    def counting_loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        parsed.append(len(text))
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting_loads)
    body = json.dumps({f"k{i}": i for i in range(300_000)}).encode()
    answer = clinic.client().post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert [n for n in parsed if n > LIMIT] == []  # the 5.5 MB body was never parsed
    ordinary = clinic.client().post(
        "/api/v1/auth/login", json={"username": "nurse", "password": PASSWORD}
    )
    assert ordinary.status_code == 200
    assert parsed, "the counter sees the parser: an ordinary log-in body is parsed"


def test_an_ordinary_body_under_the_limit_is_served(clinic: Clinic) -> None:
    answer = clinic.client().post(
        "/api/v1/auth/login", json={"username": "nurse", "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (".5", "THC-QTY-002"),
        ("5.", "THC-QTY-011"),
        ("1e1", "THC-QTY-009"),
        ("1E+999999999", "THC-QTY-009"),
        ("-1", "THC-QTY-007"),
    ],
)
def test_a_form_volume_is_read_by_the_strict_quantity_parser(
    clinic: Clinic, typed: str, code: str
) -> None:
    """The pharmacist's label volume on the pump page: the API's parser, never a 500."""
    pump_id = implant_pump_with_patient_bolus(clinic)
    pharmacist = browser_login(clinic, "pharmacist")
    action = f"/pumps/{pump_id}/pharmacy-verifications"
    page = pharmacist.get(f"/pumps/{pump_id}")
    assert page.status_code == 200, page.text[-500:]
    answer = pharmacist.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "drug": "morphine",
            "concentration": "25 mg/mL",
            "volume": f"{typed} mL",
            "lot": "LOT-1",
            "beyond_use": "2026-04-01T12:00",
        },
    )
    assert answer.status_code == 422, answer.text[-500:]
    assert code in answer.text


@pytest.mark.parametrize("typed", [".5", "5.", "1e1", "1E+999999999", "1234567890.5"])
def test_a_form_number_refuses_what_the_api_refuses(typed: str) -> None:
    with pytest.raises(RequestInvalid, match=r"not a number like 1\.5"):
        decimal_number({"length_cm": typed}, "length_cm", "implanted length (cm)")
    assert decimal_number({"length_cm": "60.5"}, "length_cm", "length") == Decimal("60.5")
