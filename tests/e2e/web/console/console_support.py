"""Log-in through the form and find a form's CSRF token (as the other web tests do)."""

from __future__ import annotations

import re

from api_support import PASSWORD, Clinic, TestClient


def form_token(html: str, action: str) -> str:
    """The CSRF token inside the form that posts to ``action``."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert form, f"the page has no form posting to {action}"
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1))
    assert found, f"the form posting to {action} has no CSRF token"
    return found.group(1)


def browser_login(clinic: Clinic, username: str, password: str = PASSWORD) -> TestClient:
    client = clinic.client()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": form_token(page.text, "/login"),
        },
    )
    assert response.status_code == 200, response.text
    return client


def post_form(client: TestClient, page_path: str, action: str, **fields: str) -> str:
    """Open ``page_path``, post the form to ``action`` with ``fields``, follow, return the HTML."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    response = client.post(action, data={"csrf_token": form_token(page.text, action), **fields})
    assert response.status_code == 200, response.text
    return response.text
