"""Tasks over HTTP and through the worklist page, on SQLite and PostgreSQL: a nurse marks a task
done once (API and page); a second completion is 409 THC-TASK-001; patients and pharmacists may
not; the done task leaves the list and the worklist."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from api_support import PASSWORD, Clinic, TestClient, build_clinic, logged_in
from matrix_tasks import new_post_mri_task


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _open_task_ids(client: TestClient) -> list[str]:
    response = client.get("/api/v1/tasks")
    assert response.status_code == 200, response.text
    return [t["id"] for t in response.json()["items"]]


def _form_token(html: str, action: str) -> str:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert form, f"the page has no form posting to {action}"
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1))
    assert found, f"the form posting to {action} has no CSRF token"
    return found.group(1)


def _page_login(clinic: Clinic, username: str) -> TestClient:
    client = clinic.client()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": _form_token(page.text, "/login"),
        },
    )
    assert response.status_code == 200, response.text
    return client


def test_a_nurse_completes_a_task_once_over_the_api(clinic: Clinic) -> None:
    task_id = new_post_mri_task(clinic, clinic.own_patient, "NGP-API-TASK")
    nurse = logged_in(clinic, "nurse")
    assert task_id in _open_task_ids(nurse)
    path = f"/api/v1/tasks/{task_id}/completion"
    clinic.clock.advance(minutes=3)

    stale = nurse.post(path, json={"expected_version": 2})
    assert (stale.status_code, stale.json()["code"]) == (409, "THC-TASK-003")
    no_note = nurse.post(path, json={"expected_version": 1})  # an urgent task (after an MRI)
    assert (no_note.status_code, no_note.json()["code"]) == (422, "THC-TASK-004")
    assert task_id in _open_task_ids(nurse)
    done = nurse.post(path, json={"expected_version": 1, "note": "interrogated at the bedside"})

    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["state"], body["completed_how"], body["note"], body["version"]) == (
        "done",
        "completed-by-user",
        "interrogated at the bedside",
        2,
    )
    assert task_id not in _open_task_ids(nurse)
    again = logged_in(clinic, "physician").post(path, json={"expected_version": 2})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "THC-TASK-001"


@pytest.mark.parametrize("role", ["patient", "pharmacist"])
def test_a_patient_or_pharmacist_cannot_complete_a_task(clinic: Clinic, role: str) -> None:
    task_id = new_post_mri_task(clinic, clinic.own_patient, "NGP-API-TASK")
    client = logged_in(clinic, role)
    response = client.post(f"/api/v1/tasks/{task_id}/completion", json={"expected_version": 1})
    assert response.status_code == 403
    assert task_id in _open_task_ids(logged_in(clinic, "nurse"))


def test_a_nurse_marks_a_task_done_from_the_worklist_page(clinic: Clinic) -> None:
    task_id = new_post_mri_task(clinic, clinic.own_patient, "NGP-WEB-TASK")
    nurse = _page_login(clinic, "nurse")
    action = f"/tasks/{task_id}/completion"
    worklist = nurse.get("/")
    token = _form_token(worklist.text, action)

    refused = nurse.post(action, data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    # an urgent task without a note: the task's form again, the message at the note, kept open
    no_note = nurse.post(action, data={"csrf_token": token, "note": "  "}, follow_redirects=False)
    assert no_note.status_code == 422
    assert "THC-TASK-004" in no_note.text
    assert 'id="note-error"' in no_note.text
    assert f'action="{action}"' in no_note.text
    assert task_id in _open_task_ids(logged_in(clinic, "nurse"))
    done = nurse.post(
        action, data={"csrf_token": token, "note": "interrogated"}, follow_redirects=False
    )

    assert (done.status_code, done.headers["location"]) == (303, "/")
    assert action not in nurse.get("/").text
    assert task_id not in _open_task_ids(logged_in(clinic, "nurse"))
    again = nurse.post(action, data={"csrf_token": token, "note": "x"}, follow_redirects=False)
    assert again.status_code == 409
    assert "THC-TASK-001" in again.text
