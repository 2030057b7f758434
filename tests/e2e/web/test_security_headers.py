"""Every response carries the security headers (routes.SecurityHeaders, a plain ASGI middleware)."""

from __future__ import annotations

from api_support import Clinic

from thecal.entrypoints.web.routes import _SECURITY_HEADERS


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
