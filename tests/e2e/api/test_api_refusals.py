"""Refused access is audited (SR-17, SR-21): each refusal by the policy appends exactly one
``access.refused`` entry, written in its own transaction, the chain still verifies, and the
caller still gets 403 — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from api_support import AUDIT_KEY, Clinic, build_clinic, logged_in

from thecal.domain.audit import AuditEntry, verify_chain
from thecal.domain.users import Role


@pytest.fixture
def clinic(database_url: str) -> Iterator[Clinic]:
    built = build_clinic(database_url)
    yield built
    built.thecal.close()


def _entries(clinic: Clinic) -> list[AuditEntry]:
    with clinic.thecal.uow() as uow:
        return list(uow.audit_log.entries())


def _chain_verifies(clinic: Clinic) -> bool:
    with clinic.thecal.uow() as uow:
        report = verify_chain(
            uow.audit_log.entries(), AUDIT_KEY.encode(), anchor=uow.audit_log.recorded_head()
        )
    return report.ok


def _refusals_after(clinic: Clinic, before: int) -> list[AuditEntry]:
    return [e for e in _entries(clinic)[before:] if e.action == "access.refused"]


def test_a_nurses_refused_action_is_audited_once_and_still_403(clinic: Clinic) -> None:
    nurse = logged_in(clinic, "nurse")
    before = len(_entries(clinic))

    response = nurse.post("/api/v1/audit/verify")  # physicians and admins only

    assert response.status_code == 403
    assert response.json()["code"] == "THC-AUTH-001"
    (refusal,) = _refusals_after(clinic, before)
    assert len(_entries(clinic)) == before + 1  # the refusal, and nothing of the refused call
    assert refusal.actor == clinic.users[Role.NURSE]
    assert refusal.subject == "audit"
    assert json.loads(refusal.details_json) == {
        "role": "nurse",
        "refused_action": "audit.verify",
        "use_case": "verify_audit",
        "code": "THC-AUTH-001",
        "reason": "nurse may not audit.verify audit",
    }
    assert _chain_verifies(clinic)


def test_a_patients_attempt_on_a_foreign_record_is_audited_once_and_still_403(
    clinic: Clinic,
) -> None:
    patient = logged_in(clinic, "patient")
    assert patient.get(f"/api/v1/patients/{clinic.own_patient}").status_code == 200
    before = len(_entries(clinic))

    response = patient.get(f"/api/v1/patients/{clinic.foreign_patient}")

    assert response.status_code == 403
    (refusal,) = _refusals_after(clinic, before)
    assert len(_entries(clinic)) == before + 1
    details = json.loads(refusal.details_json)
    assert refusal.subject == f"patient:{clinic.foreign_patient}"
    assert (details["role"], details["refused_action"]) == ("patient", "patient.read")
    assert _chain_verifies(clinic)
