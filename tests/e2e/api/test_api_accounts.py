"""Accounts over HTTP (issue 15 §1, issue 13 §9): no one acts as someone else; tokens, accounts
and passwords can be revoked, deactivated and changed, and that takes effect at once.

Each test reproduces a finding of the security probe and fails without its fix. Both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import OPERATOR, PASSWORD, Clinic, TestClient, build_clinic, logged_in

from thecal.domain.users import Role
from thecal.services.accounts import IssueApiToken

SESSION = "/api/v1/auth/session"
NEW_PASSWORD = "Marigold tandem orbit 47 quietly"  # noqa: S105 - a test account's new password


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _bearer(clinic: Clinic, token: str) -> TestClient:
    machine = clinic.client()
    machine.headers["Authorization"] = f"Bearer {token}"
    return machine


def _own_token(clinic: Clinic, username: str, role: Role) -> tuple[str, str]:
    client = logged_in(clinic, username)
    issued = client.post(
        f"/api/v1/users/{clinic.users[role]}/tokens", json={"label": "robot", "password": PASSWORD}
    )
    assert issued.status_code == 201, issued.text
    return issued.json()["id"], issued.json()["token"]


def _audit_ops(clinic: Clinic, op: str) -> list[dict[str, object]]:
    with clinic.thecal.uow() as uow:
        entries = uow.audit_log.newest(before_sequence=None, limit=200)
    return [e.details for e in entries if e.details.get("op") == op]


@pytest.mark.parametrize("target", [Role.PHYSICIAN, Role.PATIENT, Role.PHARMACIST])
def test_the_admins_token_for_a_clinician_or_patient_is_refused(
    clinic: Clinic, target: Role
) -> None:
    admin = logged_in(clinic, "admin")
    refused = admin.post(f"/api/v1/users/{clinic.users[target]}/tokens", json={"label": "x"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "THC-TOKEN-002"
    assert _audit_ops(clinic, "token.issue") == []


def test_an_admin_issues_a_token_to_a_service_account_with_its_narrow_role(
    clinic: Clinic,
) -> None:
    admin = logged_in(clinic, "admin")
    created = admin.post(
        "/api/v1/users",
        json={"username": "registry-export", "role": "integration", "display_name": "Registry"},
    )
    assert created.status_code == 201, created.text
    service_id = created.json()["id"]
    issued = admin.post(f"/api/v1/users/{service_id}/tokens", json={"label": "registry"})
    assert issued.status_code == 201, issued.text
    machine = _bearer(clinic, issued.json()["token"])
    assert machine.get(SESSION).json()["role"] == "integration"
    # read-only and non-clinical: no patient record, no audit log, no accounts
    for path in (f"/api/v1/patients/{clinic.own_patient}", "/api/v1/audit", "/api/v1/users"):
        assert machine.get(path).status_code == 403, path
    [detail] = _audit_ops(clinic, "token.issue")
    assert detail["grant"] == "service account"
    # a service account never logs in: it has no password
    login = clinic.client().post(
        "/api/v1/auth/login", json={"username": "registry-export", "password": PASSWORD}
    )
    assert login.status_code == 401
    # and cannot be given one
    with_password = admin.post(
        "/api/v1/users",
        json={
            "username": "export-2",
            "role": "integration",
            "display_name": "Export",
            "password": "a long enough password",
        },
    )
    assert with_password.status_code == 422
    assert with_password.json()["code"] == "THC-USER-006"


def test_a_token_for_oneself_needs_the_password_again(clinic: Clinic) -> None:
    nurse = logged_in(clinic, "nurse")
    url = f"/api/v1/users/{clinic.users[Role.NURSE]}/tokens"
    bare = nurse.post(url, json={"label": "stolen session"})
    assert bare.status_code == 403
    assert bare.json()["code"] == "THC-TOKEN-003"
    wrong = nurse.post(url, json={"label": "stolen session", "password": "not the password"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "THC-AUTH-011"
    assert _audit_ops(clinic, "token.issue") == []
    assert nurse.post(url, json={"label": "ok", "password": PASSWORD}).status_code == 201


def test_a_revoked_token_stops_working_at_once(clinic: Clinic) -> None:
    token_id, token = _own_token(clinic, "nurse", Role.NURSE)
    machine = _bearer(clinic, token)
    assert machine.get(SESSION).status_code == 200
    nurse = logged_in(clinic, "nurse")
    listed = nurse.get(f"/api/v1/users/{clinic.users[Role.NURSE]}/tokens").json()["items"]
    assert [(t["id"], t["active"]) for t in listed] == [(token_id, True)]
    # another clinician may neither list nor revoke it
    physician = logged_in(clinic, "physician")
    base = f"/api/v1/users/{clinic.users[Role.NURSE]}/tokens"
    assert physician.get(base).json()["code"] == "THC-TOKEN-004"
    assert physician.post(f"{base}/{token_id}/revoke").status_code == 403
    assert machine.get(SESSION).status_code == 200
    revoked = nurse.post(f"{base}/{token_id}/revoke")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False
    assert machine.get(SESSION).status_code == 401  # at once, no cache
    assert _audit_ops(clinic, "token.revoke")[0]["token_id"] == token_id


def test_an_admin_revokes_anyones_token(clinic: Clinic) -> None:
    token_id, token = _own_token(clinic, "physician", Role.PHYSICIAN)
    admin = logged_in(clinic, "admin")
    base = f"/api/v1/users/{clinic.users[Role.PHYSICIAN]}/tokens"
    assert [t["id"] for t in admin.get(base).json()["items"]] == [token_id]
    assert admin.post(f"{base}/{token_id}/revoke").status_code == 200
    assert _bearer(clinic, token).get(SESSION).status_code == 401
    # the token id must belong to the account in the path
    wrong = admin.post(f"/api/v1/users/{clinic.users[Role.NURSE]}/tokens/{token_id}/revoke")
    assert wrong.status_code == 404


def test_a_deactivated_account_stops_at_once_and_cannot_log_in(clinic: Clinic) -> None:
    _token_id, token = _own_token(clinic, "nurse", Role.NURSE)
    session = logged_in(clinic, "nurse")
    machine = _bearer(clinic, token)
    assert session.get(SESSION).status_code == 200
    admin = logged_in(clinic, "admin")
    nurse_id = clinic.users[Role.NURSE]
    done = admin.post(f"/api/v1/users/{nurse_id}/deactivate", json={"reason": "left the clinic"})
    assert done.status_code == 200, done.text
    assert done.json()["active"] is False
    assert session.get(SESSION).status_code == 401
    assert machine.get(SESSION).status_code == 401
    login = clinic.client().post(
        "/api/v1/auth/login", json={"username": "nurse", "password": PASSWORD}
    )
    assert login.status_code == 401
    [detail] = _audit_ops(clinic, "deactivate")
    assert (detail["sessions_ended"], detail["tokens_revoked"]) == (2, 1)  # token-issue session too
    # reactivated: logs in again, but the old token stays revoked
    assert admin.post(f"/api/v1/users/{nurse_id}/reactivate", json={}).status_code == 200
    assert logged_in(clinic, "nurse").get(SESSION).status_code == 200
    assert machine.get(SESSION).status_code == 401
    # an administrator cannot lock themselves out
    own = admin.post(f"/api/v1/users/{clinic.users[Role.ADMIN]}/deactivate", json={})
    assert own.status_code == 422
    assert own.json()["code"] == "THC-USER-005"
    # only administrators deactivate
    physician = logged_in(clinic, "physician")
    assert physician.post(f"/api/v1/users/{nurse_id}/deactivate", json={}).status_code == 403


def test_a_password_change_needs_the_current_password_and_ends_other_sessions(
    clinic: Clinic,
) -> None:
    elsewhere = logged_in(clinic, "pharmacist")
    here = logged_in(clinic, "pharmacist")
    url = "/api/v1/auth/password"
    wrong = here.post(
        url, json={"current_password": "guess guess guess", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 401
    weak = here.post(url, json={"current_password": PASSWORD, "new_password": "Password123!"})
    assert weak.status_code == 422
    assert weak.json()["code"] == "THC-AUTH-010"
    changed = here.post(url, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.text
    assert here.get(SESSION).status_code == 200  # the session it was changed from stays
    assert elsewhere.get(SESSION).status_code == 401  # every other session ends
    old = clinic.client().post(
        "/api/v1/auth/login", json={"username": "pharmacist", "password": PASSWORD}
    )
    assert old.status_code == 401
    assert logged_in(clinic, "pharmacist", NEW_PASSWORD).get(SESSION).status_code == 200
    [detail] = _audit_ops(clinic, "password.change")
    assert NEW_PASSWORD not in str(detail)
    assert PASSWORD not in str(detail)


def test_every_entry_made_with_a_token_records_its_id(clinic: Clinic) -> None:
    issued = clinic.thecal.run(
        clinic.thecal.accounts.issue_api_token,
        IssueApiToken(actor=OPERATOR, user_id=clinic.users[Role.INTEGRATION], label="audit"),
    )
    machine = _bearer(clinic, issued.token)
    assert machine.get("/api/v1/audit").status_code == 403  # a refusal, audited
    with clinic.thecal.uow() as uow:
        last = uow.audit_log.newest(limit=1)[0]
    assert (last.actor, last.details["via_token"]) == (
        clinic.users[Role.INTEGRATION],
        issued.record.id,
    )


@pytest.mark.parametrize(
    "password", ["Password123!", "walker-Lantern-2026", "aaaaaaaaaaaaaaaaaaaa"]
)
def test_a_weak_password_or_one_containing_the_username_is_refused(
    clinic: Clinic, password: str
) -> None:
    admin = logged_in(clinic, "admin")
    body = {"username": "walker", "role": "nurse", "display_name": "W", "password": password}
    refused = admin.post("/api/v1/users", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "THC-AUTH-010"
    with clinic.thecal.uow() as uow:
        assert uow.users.get_by_username("walker") is None
