"""The pathway pages through TestClient: trial, implant, MRI, and the patient portal's pain diary
and questionnaires. Each page renders for the roles allowed and is refused for the others; the
forms change the records through the use cases; bad input shows its specific error and stores
nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

import pytest
from api_support import (
    Clinic,
    TestClient,
    implant_pump_with_patient_bolus,
)
from httpx import Response
from test_web_pages import browser_login, form_token

from thecal.domain.assessment import Assessment
from thecal.domain.instruments import Instrument
from thecal.domain.trial import Trial, TrialState
from thecal.domain.units import DoseRate
from thecal.domain.users import Actor, Role
from thecal.services.assessments import ListAssessments, list_assessments
from thecal.services.pump_record import Pump
from thecal.services.pumps import GetPump, get_pump
from thecal.services.trial_history import GetTrialHistory, get_trial_history


def submit(
    client: TestClient, page: str, action: str, data: Mapping[str, object] | None = None
) -> Response:
    """GET ``page``, then post its form to ``action`` with that form's CSRF token."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text[-800:]
    return client.post(action, data={"csrf_token": form_token(shown.text, action), **(data or {})})


def physician(clinic: Clinic) -> Actor:
    return Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)


def trials_of(clinic: Clinic, patient_id: str) -> tuple[Trial, ...]:
    found: tuple[Trial, ...] = clinic.thecal.run(
        get_trial_history, GetTrialHistory(actor=physician(clinic), patient_id=patient_id)
    )
    return found


def assessments_of(clinic: Clinic, patient_id: str) -> list[Assessment]:
    return list(
        clinic.thecal.run(
            list_assessments, ListAssessments(actor=physician(clinic), patient_id=patient_id)
        )
    )


def version_in(html: str, action: str) -> str:
    form = re.search(rf'action="{re.escape(action)}".*?</form>', html, re.DOTALL)
    assert form, f"no form posting to {action}"
    found = re.search(r'name="expected_version" value="(\d+)"', form.group(0))
    assert found
    return found.group(1)


TRIAL_PLAN = {
    "drug": "morphine",
    "dose": "0.3 mg",
    "route": "it-bolus",
    "spinal_level": "L3-L4",
    "baseline_pain": "8",
    "baseline_function": "40",
}


def plan_trial(client: TestClient, clinic: Clinic, **changes: str) -> str:
    response = submit(
        client,
        f"/patients/{clinic.own_patient}/trials/new",
        f"/patients/{clinic.own_patient}/trials",
        {**TRIAL_PLAN, **changes},
    )
    assert response.status_code == 200, response.text[-1500:]
    found = re.search(r"/trials/([A-Za-z0-9-]+)$", str(response.url))
    assert found, response.url
    return found.group(1)


# ----------------------------------------------------------------------------- trial

#: An observation of a patient fit to leave: awake, breathing 14/min, SpO2 97 %, HR 72, SBP 128.
FIT_TO_LEAVE = {
    "sedation": "1",
    "respiratory_rate": "14",
    "spo2_pct": "97",
    "heart_rate": "72",
    "systolic_bp": "128",
}


def test_a_physician_runs_a_trial_through_the_pages_to_an_implant_decision(
    both: Clinic,
) -> None:
    clinic = both  # on SQLite and PostgreSQL
    client = browser_login(clinic, "physician")
    record = client.get(f"/patients/{clinic.own_patient}")
    assert f'href="/patients/{clinic.own_patient}/trials/new"' in record.text
    form = client.get(f"/patients/{clinic.own_patient}/trials/new")
    assert '<label for="dose">' in form.text
    assert '<label for="spinal_level">' in form.text

    trial_id = plan_trial(client, clinic)
    page = client.get(f"/trials/{trial_id}")
    assert "planned" in page.text
    assert "≥ 50 % pain reduction lasting 8 h (S42, S40)" in page.text
    assert "24 h" in page.text or "1 day" in page.text  # the clinic's observation period (S4)

    action = f"/trials/{trial_id}/administration"
    given = client.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": version_in(page.text, action),
        },
    )
    assert "administered" in given.text
    assert "discharge possible from" in given.text

    clinic.clock.advance(hours=2)  # past the idle timeout: log in again
    client = browser_login(clinic, "physician")
    given = client.get(f"/trials/{trial_id}")
    observe = f"/trials/{trial_id}/observations"
    observed = client.post(
        observe,
        data={
            "csrf_token": form_token(given.text, observe),
            "pain_nrs": "3",
            "function_score": "55",
            "sedation": "1",
            "respiratory_rate": "14",
            "spo2_pct": "97",
            "heart_rate": "72",
            "systolic_bp": "128",
            "side_effects": "pruritus\nnausea",
        },
    )
    assert "14/97/72/128" in observed.text
    assert "pruritus, nausea" in observed.text
    assert "62.5 %" in observed.text  # (8 - 3) / 8 from the baseline, computed by the domain

    # Too early: the page says why and nothing changes.
    discharge = f"/trials/{trial_id}/discharge"
    early = client.post(
        discharge,
        data={
            "csrf_token": form_token(observed.text, discharge),
            "expected_version": version_in(observed.text, discharge),
        },
    )
    assert early.status_code == 409
    assert "THC-PATH-031" in early.text
    assert "still to go" in early.text
    [stored] = trials_of(clinic, clinic.own_patient)
    assert stored.state is TrialState.ADMINISTERED

    clinic.clock.advance(hours=23)
    client = browser_login(clinic, "physician")
    later = client.get(f"/trials/{trial_id}")
    observe = f"/trials/{trial_id}/observations"  # relief still there 23 h on: sustained (S40)
    client.post(
        observe,
        data={"csrf_token": form_token(later.text, observe), "pain_nrs": "3", **FIT_TO_LEAVE},
    )
    later = client.get(f"/trials/{trial_id}")
    discharged = client.post(
        discharge,
        data={
            "csrf_token": form_token(later.text, discharge),
            "expected_version": version_in(later.text, discharge),
        },
    )
    assert "Discharged" in discharged.text
    assert "Successful trial." in discharged.text

    decide = f"/trials/{trial_id}/decision"
    decided = client.post(
        decide,
        data={
            "csrf_token": form_token(discharged.text, decide),
            "expected_version": version_in(discharged.text, decide),
            "decision": "implant",
            "rationale": "62.5 % relief with functional gain; tolerated",
        },
    )
    assert "Decision: <strong>implant</strong>" in decided.text
    [stored] = trials_of(clinic, clinic.own_patient)
    assert stored.state is TrialState.DECIDED
    assert stored.decision_rationale == "62.5 % relief with functional gain; tolerated"
    timeline = client.get(f"/patients/{clinic.own_patient}")
    assert f'href="/trials/{trial_id}"' in timeline.text


def test_a_dose_without_its_unit_is_refused_with_its_code_and_no_trial_is_stored(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/trials/new"
    action = f"/patients/{clinic.own_patient}/trials"
    bare = submit(client, page, action, {**TRIAL_PLAN, "dose": "0.5"})
    assert bare.status_code == 422
    assert "THC-QTY-005" in bare.text
    assert "has no unit" in bare.text
    naked = submit(client, page, action, {**TRIAL_PLAN, "dose": ".5 mg"})
    assert "THC-QTY-002" in naked.text
    assert trials_of(clinic, clinic.own_patient) == ()


def test_a_dose_outside_the_trial_range_needs_a_written_override(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/trials/new"
    action = f"/patients/{clinic.own_patient}/trials"
    refused = submit(client, page, action, {**TRIAL_PLAN, "dose": "0.8 mg"})
    assert refused.status_code == 422
    assert "ITS-TRIAL-001" in refused.text
    assert "Nothing was stored" in refused.text
    assert trials_of(clinic, clinic.own_patient) == ()
    assert 'name="override_text_ITS-TRIAL-001"' in refused.text
    accepted = client.post(
        action,
        data={
            "csrf_token": form_token(refused.text, action),
            **TRIAL_PLAN,
            "dose": "0.8 mg",
            "override": "ITS-TRIAL-001",
            "override_reason_ITS-TRIAL-001": "tolerance-documented",
            "override_text_ITS-TRIAL-001": "opioid tolerant: 200 mg/day oral morphine",
        },
    )
    assert accepted.status_code == 200
    assert "ITS-TRIAL-001" in accepted.text  # the finding stays on the trial page
    assert len(trials_of(clinic, clinic.own_patient)) == 1


def test_a_nurse_records_observations_but_may_not_plan_or_administer(clinic: Clinic) -> None:
    trial_id = plan_trial(browser_login(clinic, "physician"), clinic)
    nurse = browser_login(clinic, "nurse")
    page = nurse.get(f"/trials/{trial_id}")
    assert page.status_code == 200
    assert "A physician gives the trial dose." in page.text
    refused = nurse.post(
        f"/trials/{trial_id}/administration",
        data={"csrf_token": form_token(page.text, "/logout"), "expected_version": "1"},
    )
    assert refused.status_code == 403
    plan_refused = nurse.post(
        f"/patients/{clinic.own_patient}/trials",
        data={"csrf_token": form_token(page.text, "/logout"), **TRIAL_PLAN},
    )
    assert plan_refused.status_code == 403
    assert len(trials_of(clinic, clinic.own_patient)) == 1


@pytest.mark.parametrize("role", ["pharmacist", "admin", "patient"])
def test_the_trial_pages_are_refused_to_other_roles(clinic: Clinic, role: str) -> None:
    trial_id = plan_trial(browser_login(clinic, "physician"), clinic)
    client = browser_login(clinic, role)
    assert client.get(f"/trials/{trial_id}").status_code == 403
    assert client.get(f"/patients/{clinic.own_patient}/trials/new").status_code == 403
    assert client.get(f"/patients/{clinic.own_patient}/implants/new").status_code == 403


def test_without_a_session_the_pathway_pages_send_the_browser_to_log_in(clinic: Clinic) -> None:
    anonymous = clinic.client()
    for path in (
        f"/patients/{clinic.own_patient}/trials/new",
        "/trials/some-trial",
        f"/patients/{clinic.own_patient}/implants/new",
        "/pumps/some-pump/mri/new",
        "/portal",
        "/portal/questionnaires/odi",
    ):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?"), path


# ----------------------------------------------------------------------------- implant

IMPLANT = {
    "pump_model": "synchromed-ii-20",
    "serial": "NGP-WEB-777",
    "catheter_model": "indura-1p-8709sc",
    "catheter_length_cm": "60",
    "tip_level": "T10",
    "drug": "morphine",
    "concentration": "25 mg/mL",
    "fill_volume": "20 mL",
    "daily_dose": "5 mg/day",
    "bolus_dose": "0.1 mg",
    "bolus_duration": "10 min",
    "bolus_lockout": "4 h",
    "bolus_max_per_day": "3",
}


def test_an_implant_through_the_form_creates_the_pump_and_shows_the_priming_bolus(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/implants/new"
    shown = client.get(page)
    assert '<label for="serial">' in shown.text
    assert "Prometra II 20 mL" in shown.text  # the models come from the reference library
    result = submit(client, page, f"/patients/{clinic.own_patient}/implants", IMPLANT)
    text = result.text
    assert result.status_code == 200, text[-1500:]
    assert "The pump acknowledged the initial program." in text
    assert "Priming bolus" in text
    pump_id = re.search(r'href="/pumps/([A-Za-z0-9-]+)"', text)
    assert pump_id
    pump: Pump = clinic.thecal.run(
        get_pump, GetPump(actor=physician(clinic), pump_id=pump_id.group(1))
    )
    assert pump.serial == "NGP-WEB-777"
    assert pump.patient_id == clinic.own_patient
    assert pump.program.basal_daily_dose == DoseRate.from_mg_per_day(Decimal(5))
    assert pump.program.patient_bolus is not None
    assert pump.program.patient_bolus.max_per_day == 3
    assert f"{pump.catheter_length_cm}" in text


def test_an_implant_with_a_naked_decimal_or_half_a_bolus_setting_stores_no_pump(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/implants/new"
    action = f"/patients/{clinic.own_patient}/implants"
    naked = submit(client, page, action, {**IMPLANT, "daily_dose": ".5 mg/day"})
    assert naked.status_code == 422
    assert "THC-QTY-002" in naked.text
    partial = submit(client, page, action, {**IMPLANT, "bolus_lockout": ""})
    assert partial.status_code == 422
    assert "patient bolus lockout" in partial.text
    record = client.get(f"/patients/{clinic.own_patient}")
    assert "NGP-WEB-777" not in record.text


# ----------------------------------------------------------------------------- MRI


def _implant(clinic: Clinic, model: str, serial: str) -> str:
    client = browser_login(clinic, "physician")
    result = submit(
        client,
        f"/patients/{clinic.own_patient}/implants/new",
        f"/patients/{clinic.own_patient}/implants",
        {
            **IMPLANT,
            "pump_model": model,
            "serial": serial,
            "catheter_model": "prometra-catheter" if "prometra" in model else "indura-1p-8709sc",
        },
    )
    found = re.search(r'href="/pumps/([A-Za-z0-9-]+)"', result.text)
    assert found, result.text[-1500:]
    return found.group(1)


def test_an_mri_of_a_prometra_needs_the_emptying_then_leaves_the_post_mri_task(
    both: Clinic,
) -> None:
    clinic = both  # on SQLite and PostgreSQL
    pump_id = _implant(clinic, "prometra-ii-20", "PRO-WEB-1")
    client = browser_login(clinic, "physician")
    new = client.get(f"/pumps/{pump_id}/mri/new")
    assert "must be <strong>emptied before the MRI</strong>" in new.text
    assert "flow-activated valve must be reset" in new.text
    planned = client.post(
        f"/pumps/{pump_id}/mri",
        data={
            "csrf_token": form_token(new.text, f"/pumps/{pump_id}/mri"),
            "scan_at": (clinic.clock.now().replace(tzinfo=None) + dt.timedelta(hours=3)).isoformat(
                timespec="minutes"
            ),
            "field_strength_t": "1.5",
        },
    )
    assert planned.status_code == 200, planned.text[-1500:]
    plan_path = str(planned.url).removeprefix("http://testserver")
    assert "planned" in planned.text

    # Clearance before the emptying is refused, and the page says why.
    clear = f"{plan_path}/clearance"
    refused = client.post(clear, data={"csrf_token": form_token(planned.text, clear)})
    assert refused.status_code == 409
    assert "THC-PATH-051" in refused.text
    assert "Post-MRI task" not in refused.text

    empty = f"{plan_path}/emptying"
    page = client.get(plan_path)
    version = re.search(r'name="pump_version" value="(\d+)"', page.text)
    assert version
    emptied = client.post(
        empty,
        data={"csrf_token": form_token(page.text, empty), "pump_version": version.group(1)},
    )
    assert "emptied" in emptied.text
    assert "withdrawn" in emptied.text
    cleared = client.post(clear, data={"csrf_token": form_token(emptied.text, clear)})
    assert "Post-MRI task" in cleared.text
    clinic.clock.advance(hours=3)
    client = browser_login(clinic, "nurse")  # a nurse records the scan
    scan = f"{plan_path}/scan"
    page = client.get(plan_path)
    scanned = client.post(scan, data={"csrf_token": form_token(page.text, scan)})
    assert "scanned" in scanned.text
    assert "refill and restart the emptied pump" in scanned.text
    worklist = client.get("/")
    assert "post mri interrogation" in worklist.text
    assert "refill and restart the emptied pump" in worklist.text


def test_an_mri_above_the_accepted_field_is_refused_at_clearance(clinic: Clinic) -> None:
    pump_id = _implant(clinic, "synchromed-ii-20", "SM-WEB-1")
    client = browser_login(clinic, "physician")
    new = client.get(f"/pumps/{pump_id}/mri/new")
    assert "is not emptied" in new.text
    planned = client.post(
        f"/pumps/{pump_id}/mri",
        data={
            "csrf_token": form_token(new.text, f"/pumps/{pump_id}/mri"),
            "scan_at": (clinic.clock.now().replace(tzinfo=None) + dt.timedelta(hours=2)).isoformat(
                timespec="minutes"
            ),
            "field_strength_t": "3",
        },
    )
    plan_path = str(planned.url).removeprefix("http://testserver")
    clear = f"{plan_path}/clearance"
    refused = client.post(clear, data={"csrf_token": form_token(planned.text, clear)})
    assert refused.status_code == 409
    assert "THC-PATH-052" in refused.text
    assert "planned" in client.get(plan_path).text


def test_the_mri_pages_are_refused_to_a_pharmacist_and_a_patient(clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(clinic)
    for role in ("pharmacist", "patient"):
        response = browser_login(clinic, role).get(f"/pumps/{pump_id}/mri/new")
        assert response.status_code == 403, role


# ----------------------------------------------------------------------------- portal


def test_a_patient_records_todays_pain_and_sees_it_in_the_diary_and_chart(clinic: Clinic) -> None:
    client = browser_login(clinic, "patient")
    portal = client.get("/portal")
    assert "Pain diary" in portal.text
    saved = client.post(
        "/portal/diary", data={"csrf_token": form_token(portal.text, "/portal/diary"), "pain": "6"}
    )
    assert saved.status_code == 200
    assert "Saved: your pain diary entry" in saved.text
    assert 'id="pain-chart"' in saved.text
    [entry] = assessments_of(clinic, clinic.own_patient)
    assert entry.instrument is Instrument.NRS
    assert entry.scores["pain"] == "6"
    assert entry.recorded_by == clinic.users[Role.PATIENT]
    assert "<td>pain 6 of 10</td>" in saved.text  # the score in words (issue 13 §8)


def test_a_patient_fills_the_odi_and_sees_the_score_the_domain_computed(both: Clinic) -> None:
    clinic = both  # on SQLite and PostgreSQL
    client = browser_login(clinic, "patient")
    form = client.get("/portal/questionnaires/odi")
    assert "<legend>Section 1: Pain intensity</legend>" in form.text
    assert form.text.count('type="radio" name="lifting"') == 6
    answers = dict.fromkeys(
        (
            "pain_intensity",
            "personal_care",
            "lifting",
            "walking",
            "sitting",
            "standing",
            "sleeping",
            "social_life",
            "travelling",
        ),
        "2",
    )  # section 8 (sex life) left blank
    saved = client.post(
        "/portal/questionnaires/odi",
        data={"csrf_token": form_token(form.text, "/portal/questionnaires/odi"), **answers},
    )
    assert "Saved: your ODI" in saved.text
    [odi] = assessments_of(clinic, clinic.own_patient)
    assert odi.scores["percent"] == "40"  # 18 / 45 × 100
    assert odi.scores["missing_sections"] == "8"
    assert "disability 40 % (moderate); sections left blank: 8" in saved.text


def test_a_missing_or_invalid_answer_shows_its_error_and_stores_nothing(clinic: Clinic) -> None:
    client = browser_login(clinic, "patient")
    form = client.get("/portal/questionnaires/pgic")
    token = form_token(form.text, "/portal/questionnaires/pgic")
    missing = client.post("/portal/questionnaires/pgic", data={"csrf_token": token})
    assert missing.status_code == 422
    assert "THC-PRO-005" in missing.text
    assert "PGIC" in missing.text
    out_of_range = client.post(
        "/portal/questionnaires/pgic", data={"csrf_token": token, "change": "9"}
    )
    assert out_of_range.status_code == 422
    assert "THC-PRO-001" in out_of_range.text
    no_pain = client.post("/portal/diary", data={"csrf_token": token})
    assert "THC-PRO-005" in no_pain.text
    assert assessments_of(clinic, clinic.own_patient) == []
    saved = client.post("/portal/questionnaires/pgic", data={"csrf_token": token, "change": "2"})
    assert "Saved: your PGIC" in saved.text
    assert "much improved (2 of 7)" in saved.text


def test_a_patient_cannot_write_to_another_patients_record(clinic: Clinic) -> None:
    client = browser_login(clinic, "patient")
    portal = client.get("/portal")
    token = form_token(portal.text, "/portal/diary")
    client.post(
        "/portal/diary",
        data={"csrf_token": token, "pain": "4", "patient_id": clinic.foreign_patient},
    )
    assert assessments_of(clinic, clinic.foreign_patient) == []
    assert len(assessments_of(clinic, clinic.own_patient)) == 1
    foreign = client.post(
        f"/patients/{clinic.foreign_patient}/trials",
        data={"csrf_token": token, **TRIAL_PLAN},
    )
    assert foreign.status_code == 403
    assert client.get(f"/patients/{clinic.foreign_patient}").status_code == 403


def test_a_clinician_opening_the_portal_goes_to_the_start_page(clinic: Clinic) -> None:
    client = browser_login(clinic, "nurse")
    response = client.get("/portal/questionnaires/odi", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_an_observation_time_in_the_future_is_refused_and_nothing_is_recorded(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "physician")
    trial_id = plan_trial(client, clinic)
    page = client.get(f"/trials/{trial_id}")
    action = f"/trials/{trial_id}/administration"
    given = client.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": version_in(page.text, action),
        },
    )
    observe = f"/trials/{trial_id}/observations"
    later = clinic.clock.now().replace(tzinfo=None) + dt.timedelta(hours=1)
    refused = client.post(
        observe,
        data={
            "csrf_token": form_token(given.text, observe),
            "observed_at": later.isoformat(timespec="minutes"),
            "pain_nrs": "2",
        },
    )
    assert refused.status_code == 422
    assert "is in the future" in refused.text
    [stored] = trials_of(clinic, clinic.own_patient)
    assert stored.observations == ()


def test_an_implant_decision_after_a_failed_trial_is_refused_on_the_page(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    trial_id = plan_trial(client, clinic)
    page = client.get(f"/trials/{trial_id}")
    action = f"/trials/{trial_id}/administration"
    given = client.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": version_in(page.text, action),
        },
    )
    observe = f"/trials/{trial_id}/observations"
    client.post(
        observe,
        data={"csrf_token": form_token(given.text, observe), "pain_nrs": "6", **FIT_TO_LEAVE},
    )
    clinic.clock.advance(hours=24)
    client = browser_login(clinic, "physician")
    page = client.get(f"/trials/{trial_id}")
    discharge = f"/trials/{trial_id}/discharge"
    discharged = client.post(
        discharge,
        data={
            "csrf_token": form_token(page.text, discharge),
            "expected_version": version_in(page.text, discharge),
        },
    )
    assert "Not successful: pain reduction 25.0 % &lt; 50 %" in discharged.text
    decide = f"/trials/{trial_id}/decision"
    refused = client.post(
        decide,
        data={
            "csrf_token": form_token(discharged.text, decide),
            "expected_version": version_in(discharged.text, decide),
            "decision": "implant",
            "rationale": "wants the pump",
        },
    )
    assert refused.status_code == 409
    assert "THC-PATH-034" in refused.text
    assert ">wants the pump</textarea>" in refused.text  # the rationale kept (issue 13 §5)
    assert 'value="implant" required checked' in refused.text
    [stored] = trials_of(clinic, clinic.own_patient)
    assert stored.state is TrialState.DISCHARGED
    decided = client.post(
        decide,
        data={
            "csrf_token": form_token(refused.text, decide),
            "expected_version": version_in(refused.text, decide),
            "decision": "no-implant",
            "rationale": "25 % relief only",
        },
    )
    assert "Decision: <strong>no implant</strong>" in decided.text


def test_a_ziconotide_implant_decision_counts_the_earlier_successful_occasion(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "physician")
    trial_id = plan_trial(client, clinic, drug="ziconotide", dose="2 mcg")
    page = client.get(f"/trials/{trial_id}")
    assert "on 2 occasions (S21)" in page.text
    action = f"/trials/{trial_id}/administration"
    given = client.post(
        action,
        data={
            "csrf_token": form_token(page.text, action),
            "expected_version": version_in(page.text, action),
        },
    )
    observe = f"/trials/{trial_id}/observations"
    client.post(
        observe,
        data={"csrf_token": form_token(given.text, observe), "pain_nrs": "4", **FIT_TO_LEAVE},
    )
    clinic.clock.advance(hours=24)
    client = browser_login(clinic, "physician")
    page = client.get(f"/trials/{trial_id}")
    discharge = f"/trials/{trial_id}/discharge"
    discharged = client.post(
        discharge,
        data={
            "csrf_token": form_token(page.text, discharge),
            "expected_version": version_in(page.text, discharge),
        },
    )
    assert "1 of 2 successful occasions (S21)" in discharged.text
    assert 'name="prior_successful_occasions"' in discharged.text
    decide = f"/trials/{trial_id}/decision"
    decided = client.post(
        decide,
        data={
            "csrf_token": form_token(discharged.text, decide),
            "expected_version": version_in(discharged.text, decide),
            "decision": "implant",
            "rationale": "second successful occasion",
            "prior_successful_occasions": "1",
        },
    )
    assert "Decision: <strong>implant</strong>" in decided.text
    [stored] = trials_of(clinic, clinic.own_patient)
    assert stored.evaluation is not None
    assert stored.evaluation.successful_occasions == 2
