"""Forms that keep the work (issue 13 §5): a refused form comes back with everything typed and the
message next to the field it is about (``aria-invalid``, ``aria-describedby``), not a dead-end
error page; nothing is stored."""

from __future__ import annotations

import datetime as dt
import html
import re

from api_support import Clinic
from test_web_pages import browser_login, form_token
from test_web_pathway_pages import IMPLANT, TRIAL_PLAN, _implant, submit, trials_of
from test_web_trial_monitoring import _administered

from thecal.domain.users import Actor, Role
from thecal.services.pump_reads import ListPatientPumps, list_patient_pumps


def _pumps(clinic: Clinic) -> int:
    actor = Actor(user_id=clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    return clinic.thecal.run(
        list_patient_pumps, ListPatientPumps(actor=actor, patient_id=clinic.own_patient)
    ).total


def _field_error(text: str, field: str) -> str:
    """The message shown next to ``field`` (its input points at it with aria-describedby)."""
    tag = re.search(rf'<input id="{field}" [^>]*>', text)
    assert tag, f"no input {field}"
    assert 'aria-invalid="true"' in tag.group(0)
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error\b', tag.group(0)), tag.group(0)
    message = re.search(
        rf'<p class="error field-error" role="alert" id="{field}-error">(.*?)</p>', text
    )
    assert message, f"no message next to {field}"
    return html.unescape(message.group(1))


def _kept(text: str, typed: dict[str, str]) -> None:
    for name, value in typed.items():
        if name in ("pump_model", "catheter_model", "drug"):
            assert re.search(rf'<option value="{value}" selected>', text), name
        else:
            assert f'value="{html.escape(value)}"' in text, name


def test_a_naked_decimal_in_the_implant_form_keeps_everything_typed(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/implants/new"
    action = f"/patients/{clinic.own_patient}/implants"
    typed = {**IMPLANT, "pump_model": "prometra-ii-20", "daily_dose": ".5 mg/day"}
    refused = submit(client, page, action, typed)
    assert refused.status_code == 422
    assert f'action="{action}"' in refused.text  # the form again, not an error page
    assert "THC-QTY-002" in _field_error(refused.text, "daily_dose")
    _kept(refused.text, typed)
    assert _pumps(clinic) == 0


def test_half_a_patient_bolus_points_at_the_missing_setting(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/implants/new"
    action = f"/patients/{clinic.own_patient}/implants"
    typed = {**IMPLANT, "bolus_lockout": ""}
    refused = submit(client, page, action, typed)
    assert refused.status_code == 422
    assert "missing: patient bolus lockout" in _field_error(refused.text, "bolus_lockout")
    _kept(refused.text, {k: v for k, v in typed.items() if v})
    assert _pumps(clinic) == 0


def test_a_serial_already_recorded_is_named_next_to_the_serial(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/implants/new"
    action = f"/patients/{clinic.own_patient}/implants"
    first = submit(client, page, action, IMPLANT)
    assert first.status_code == 200, first.text[-800:]
    again = submit(client, page, action, {**IMPLANT, "tip_level": "T9"})
    assert again.status_code == 422
    message = _field_error(again.text, "serial")
    assert "NGP-WEB-777" in message
    assert "already recorded" in message
    _kept(again.text, {**IMPLANT, "tip_level": "T9"})
    assert _pumps(clinic) == 1


PATIENT = {
    "mrn": "MRN-KEEP-1",
    "family_name": "Keeping",
    "given_names": "Robin",
    "birth_date": "1961-04-12",
    "sex": "female",
    "phone": "+44 20 7946 0000",
    "email": "robin@example.org",
}


def _patient_refused(text: str, typed: dict[str, str]) -> None:
    assert 'action="/patients/new"' in text  # the form again, not an error page
    for name, value in typed.items():
        if name == "sex":
            assert f'value="{value}" required checked' in text
        elif value:
            assert f'value="{html.escape(value)}"' in text, name


def test_a_patient_born_in_the_future_is_refused_next_to_the_birth_date(clinic: Clinic) -> None:
    client = browser_login(clinic, "nurse")
    typed = {**PATIENT, "birth_date": "2999-01-01"}
    refused = submit(client, "/patients/new", "/patients/new", typed)
    assert refused.status_code == 422
    assert "in the future" in _field_error(refused.text, "birth_date")
    _patient_refused(refused.text, typed)
    assert "No patient matches" in client.get("/patients", params={"mrn": "MRN-KEEP-1"}).text


def test_a_medical_record_number_already_registered_is_named_next_to_it(clinic: Clinic) -> None:
    client = browser_login(clinic, "nurse")
    first = submit(client, "/patients/new", "/patients/new", PATIENT)
    assert first.status_code == 200, first.text[-800:]
    typed = {**PATIENT, "family_name": "Other", "given_names": "Sam"}
    again = submit(client, "/patients/new", "/patients/new", typed)
    assert again.status_code == 422
    assert "already registered" in _field_error(again.text, "mrn")
    _patient_refused(again.text, typed)


CANDIDACY = {
    "indication": "failed_back_surgery_syndrome",
    "mechanism": "mixed",
    "breadth": "localized",
    "cancer_category": "",
    "life_expectancy_months": "",
    "conservative_therapy_months": "12",
    "oral_medication_months": "18",
    "psych_evaluation": "cleared",
    "contraindications": ["anticoagulation"],
    "anticoagulation_plan": "Apixaban held 72 h before, restarted 24 h after.",
    "notes": "Seen with her daughter.",
}


def _candidacy(clinic: Clinic, **changes: object) -> tuple[int, str]:
    client = browser_login(clinic, "physician")
    url = f"/patients/{clinic.own_patient}/candidacy/new"
    data = {
        **CANDIDACY,
        "med_drug": ["oxycodone", "morphine-oral", ""],
        "med_dose": ["40 mg/day", "60", ""],
        "med_opioid": ["yes", "yes", "no"],
        **changes,
    }
    answer = submit(client, url, url, data)
    return answer.status_code, answer.text


def test_a_candidacy_dose_without_its_unit_keeps_every_answer(clinic: Clinic) -> None:
    status, text = _candidacy(clinic)
    assert status == 422
    assert "THC-QTY-005" in _field_error(text, "med_dose_1")  # the second medicine's dose
    assert re.search(r'<option value="failed_back_surgery_syndrome" selected>', text)
    for name in ("mechanism", "breadth", "psych_evaluation"):
        assert re.search(rf'name="{name}" value="{CANDIDACY[name]}" required checked', text), name
    assert 'value="anticoagulation" checked' in text
    assert 'value="12"' in text
    assert 'value="18"' in text
    assert "Apixaban held 72 h before, restarted 24 h after.</textarea>" in text
    assert "Seen with her daughter.</textarea>" in text
    assert 'id="med_drug_0" name="med_drug" maxlength="100" value="oxycodone"' in text
    assert (
        'id="med_dose_0" name="med_dose" placeholder="e.g. 40 mg/day" maxlength="24" value="40 mg/day"'
        in text
    )
    assert 'id="med_drug_1" name="med_drug" maxlength="100" value="morphine-oral"' in text
    assert 'value="60"' in text


def test_a_missing_number_of_months_is_named_next_to_its_field(clinic: Clinic) -> None:
    status, text = _candidacy(
        clinic, oral_medication_months="", med_dose=["40 mg/day", "60 mg/day", ""]
    )
    assert status == 422
    assert "whole number of months" in _field_error(text, "oral_medication_months")
    assert 'value="60 mg/day"' in text


ODI = dict.fromkeys(
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
)


def test_a_questionnaire_answer_out_of_range_keeps_every_other_answer(clinic: Clinic) -> None:
    client = browser_login(clinic, "patient")
    url = "/portal/questionnaires/odi"
    refused = submit(client, url, url, {**ODI, "personal_care": "9", "walking": "4"})
    assert refused.status_code == 422
    assert f'action="{url}"' in refused.text  # the questionnaire again, not an error page
    message = re.search(
        r'<p class="error field-error" role="alert" id="personal_care-error">(.*?)</p>',
        refused.text,
    )
    assert message, "no message next to the question"
    assert "THC-PRO-001" in message.group(1)
    assert 'aria-describedby="personal_care-error"' in refused.text
    for key, value in {**ODI, "walking": "4"}.items():
        if key != "personal_care":
            assert f'name="{key}" value="{value}" checked' in refused.text, key
    portal = client.get("/portal")
    assert "disability" not in portal.text  # nothing recorded


def test_a_weak_password_keeps_the_new_account_form_but_not_the_password(clinic: Clinic) -> None:
    client = browser_login(clinic, "admin")
    typed = {
        "username": "rnurse",
        "display_name": "Riley Nurse",
        "role": "nurse",
        "patient_id": "",
        "password": "rnurse-is-my-password",  # contains the username
    }
    refused = submit(client, "/users", "/users", typed)
    assert refused.status_code == 422
    assert "username" in _field_error(refused.text, "password")
    assert 'value="rnurse"' in refused.text
    assert 'value="Riley Nurse"' in refused.text
    assert '<option value="nurse" selected>' in refused.text
    assert "rnurse-is-my-password" not in refused.text  # a password is never shown again
    assert "Riley Nurse" not in client.get("/users").text  # no account created


def test_a_username_taken_is_named_next_to_the_username(clinic: Clinic) -> None:
    client = browser_login(clinic, "admin")
    typed = {
        "username": "nurse",  # the test clinic's nurse
        "display_name": "Second Nurse",
        "role": "nurse",
        "patient_id": "",
        "password": "a-long-and-unusual-passphrase-42",
    }
    refused = submit(client, "/users", "/users", typed)
    assert refused.status_code == 422
    assert "taken" in _field_error(refused.text, "username")
    assert 'value="Second Nurse"' in refused.text


def test_three_vital_signs_of_four_keep_the_observation_as_typed(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    trial_id = _administered(client, clinic)
    page = client.get(f"/trials/{trial_id}")
    action = f"/trials/{trial_id}/observations"
    typed = {
        "pain_nrs": "3",
        "function_score": "55",
        "sedation": "2",
        "respiratory_rate": "14",
        "spo2_pct": "97",
        "heart_rate": "",  # the fourth vital sign forgotten
        "systolic_bp": "128",
        "side_effects": "mild pruritus\nnausea once",
        "intolerable": "yes",
    }
    refused = client.post(action, data={"csrf_token": form_token(page.text, action), **typed})
    assert refused.status_code == 422
    assert f'action="{action}"' in refused.text  # the trial page with its form, not an error page
    assert "missing: heart rate" in _field_error(refused.text, "heart_rate")
    for key in ("pain_nrs", "function_score", "respiratory_rate", "spo2_pct", "systolic_bp"):
        assert re.search(rf'<input id="{key}" [^>]*value="{typed[key]}"', refused.text), key
    assert '<option value="2" selected>' in refused.text
    assert "mild pruritus\nnausea once</textarea>" in refused.text
    assert 'name="intolerable" value="yes" checked' in refused.text
    trial = client.get(f"/trials/{trial_id}")
    assert "mild pruritus" not in trial.text  # nothing recorded


def test_a_trial_dose_without_its_leading_zero_keeps_the_plan_as_typed(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    page = f"/patients/{clinic.own_patient}/trials/new"
    action = f"/patients/{clinic.own_patient}/trials"
    typed = {**TRIAL_PLAN, "dose": ".3 mg", "spinal_level": "L2-L3"}
    refused = submit(client, page, action, typed)
    assert refused.status_code == 422
    assert f'action="{action}"' in refused.text  # the plan form again, not an error page
    assert "THC-QTY-002" in _field_error(refused.text, "dose")
    assert 'value=".3 mg"' in refused.text
    assert 'value="L2-L3"' in refused.text
    assert f'value="{TRIAL_PLAN["baseline_pain"]}"' in refused.text
    assert trials_of(clinic, clinic.own_patient) == ()  # nothing planned


def test_an_mri_plan_in_the_past_or_in_words_keeps_what_was_typed(clinic: Clinic) -> None:
    pump_id = _implant(clinic, "synchromed-ii-20", "NGP-MRI-KEEP")
    client = browser_login(clinic, "physician")
    page = f"/pumps/{pump_id}/mri/new"
    action = f"/pumps/{pump_id}/mri"
    later = (clinic.clock.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    words = submit(client, page, action, {"scan_at": later, "field_strength_t": "1.5T"})
    assert words.status_code == 422
    assert "1.5T" in _field_error(words.text, "field_strength_t")
    assert f'value="{later}"' in words.text
    past = (clinic.clock.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = submit(client, page, action, {"scan_at": past, "field_strength_t": "1.5"})
    assert refused.status_code == 422
    assert "is past" in _field_error(refused.text, "scan_at")
    assert 'value="1.5"' in refused.text
