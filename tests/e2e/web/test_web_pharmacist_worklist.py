"""The pharmacist's worklist: the refill rows (to prepare and verify admixtures), nothing else."""

from __future__ import annotations

from api_support import Clinic, implant_pump_with_patient_bolus, logged_in
from test_web_pages import browser_login

from thecal.domain.users import Role
from thecal.services.worklist import KINDS_BY_ROLE, WorklistKind


def test_a_pharmacist_sees_the_refill_rows_with_the_pump_link_but_no_clinical_tasks(
    clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)  # refill due + a post-implant task
    nurse = logged_in(clinic, "nurse").get("/api/v1/worklist?limit=100").json()["items"]
    nurse_kinds = {row["kind"] for row in nurse}
    assert "post-implant-monitoring" in nurse_kinds  # the nurse sees the task …

    api = logged_in(clinic, "pharmacist").get("/api/v1/worklist?limit=100")
    assert api.status_code == 200, api.text
    kinds = {row["kind"] for row in api.json()["items"]}
    assert kinds  # … the pharmacist the refill-related rows of the same pump, and only those
    assert kinds <= {k.value for k in KINDS_BY_ROLE[Role.PHARMACIST]}
    assert kinds == nurse_kinds & {k.value for k in KINDS_BY_ROLE[Role.PHARMACIST]}

    page = browser_login(clinic, "pharmacist").get("/?window=all")
    assert page.status_code == 200
    assert f'href="/pumps/{pump_id}"' in page.text  # where the admixture is verified
    assert "/completion" not in page.text  # no task to close
    assert 'href="/patients/new"' not in page.text  # a pharmacist registers no patient


def test_a_pharmacist_asking_for_a_clinical_kind_is_refused_by_name(clinic: Clinic) -> None:
    implant_pump_with_patient_bolus(clinic)
    refused = logged_in(clinic, "pharmacist").get(
        f"/api/v1/worklist?kind={WorklistKind.TRIAL_DECISION.value}"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "THC-AUTH-001"
    assert "trial-decision" in refused.json()["detail"]
