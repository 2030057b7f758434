"""Every response carries the security headers (routes.SecurityHeaders, a plain ASGI middleware);
HSTS behind TLS; a 405 says which methods are allowed; the served app sends no server banner."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from api_support import AUDIT_KEY, Clinic, build_clinic

from thecal.entrypoints.web.routes import _SECURITY_HEADERS, HSTS_HEADER

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "workers"))

from servers import start


def test_pages_api_answers_and_errors_carry_the_security_headers(clinic: Clinic) -> None:
    client = clinic.client()
    answers = [
        client.get("/login"),  # a page
        client.get("/", follow_redirects=False),  # a redirect to log in
        client.get("/api/v1/worklist"),  # an API problem (401)
        client.get("/no-such-page"),  # a 404 page
    ]
    assert [a.status_code for a in answers] == [200, 303, 401, 404]
    for answer in answers:
        for name, value in _SECURITY_HEADERS.items():
            assert answer.headers.get_list(name) == [value], (answer.url, name)
        assert HSTS_HEADER[0] not in answer.headers  # plain HTTP in development: no HSTS


@pytest.mark.parametrize("setting", [{"secure_cookies": True}, {"hsts": True}])
def test_behind_tls_every_answer_carries_hsts(tmp_path: Path, setting: dict[str, bool]) -> None:
    built = build_clinic(f"sqlite:///{tmp_path}/thecal.db", **setting)
    try:
        client = built.client()
        for answer in (client.get("/login"), client.get("/api/v1/worklist")):
            assert answer.headers.get_list(HSTS_HEADER[0]) == [HSTS_HEADER[1]]
    finally:
        built.thecal.close()


def test_hsts_can_be_turned_off_behind_tls(tmp_path: Path) -> None:
    built = build_clinic(f"sqlite:///{tmp_path}/thecal.db", secure_cookies=True, hsts=False)
    try:
        assert HSTS_HEADER[0] not in built.client().get("/login").headers
    finally:
        built.thecal.close()


def test_a_method_not_allowed_names_the_allowed_ones(clinic: Clinic) -> None:
    client = clinic.client()
    api = client.put("/api/v1/worklist")
    assert api.status_code == 405
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "THC-HTTP-405"
    assert api.headers["allow"] == "GET"
    page = client.delete("/login")
    assert page.status_code == 405
    assert page.headers["content-type"].startswith("text/html")
    assert sorted(m.strip() for m in page.headers["allow"].split(",")) == ["GET", "POST"]


@pytest.mark.slow
def test_the_served_app_sends_no_server_banner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/thecal.db"
    build_clinic(url).thecal.close()  # migrated, with users
    env = {"THECAL_DATABASE_URL": url, "THECAL_AUDIT_KEY": AUDIT_KEY, "THECAL_ENV": "test"}
    server = start(env, tmp_path / "serve.log")
    try:
        answer = httpx.get(f"{server.url}/login", timeout=10)
        assert answer.status_code == 200
        assert "server" not in answer.headers, answer.headers.get("server")
    finally:
        assert server.stop() in (0, -15)
