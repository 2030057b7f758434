"""One size limit on request bodies (issue 15 §5): 413 before anything is parsed, on the API
(problem document) and the pages (error page), declared or streamed; small bodies still work."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from api_support import PASSWORD, Clinic

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


def test_a_300k_key_json_object_is_refused_at_once(clinic: Clinic) -> None:
    body = json.dumps({f"k{i}": i for i in range(300_000)}).encode()
    started = time.perf_counter()
    answer = clinic.client().post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    elapsed = time.perf_counter() - started
    assert answer.status_code == 413
    assert elapsed < 1.0, elapsed  # it cost 4 s of CPU to parse before the limit


def test_an_ordinary_body_under_the_limit_is_served(clinic: Clinic) -> None:
    answer = clinic.client().post(
        "/api/v1/auth/login", json={"username": "nurse", "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
