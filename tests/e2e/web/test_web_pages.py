"""The server-rendered pages through TestClient: log-in, CSRF on every form, the pages each role
sees, and error pages that say what went wrong and what to do."""

from __future__ import annotations

import re
from typing import Any

from api_support import PASSWORD, Clinic, TestClient

from thecal.domain.users import Role


def form_token(html: str, action: str) -> str:
    """The CSRF token inside the form that posts to ``action`` (not any other form's)."""
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


def test_the_login_page_has_labelled_fields_and_a_csrf_token(clinic: Clinic) -> None:
    page = clinic.client().get("/login")
    assert page.status_code == 200
    assert '<label for="username">' in page.text
    assert '<label for="password">' in page.text
    assert form_token(page.text, "/login")
    assert page.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_a_wrong_password_shows_the_login_form_again_with_a_generic_message(
    clinic: Clinic,
) -> None:
    client = clinic.client()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "nurse",
            "password": "nope nope nope",
            "csrf_token": form_token(page.text, "/login"),
        },
    )
    assert response.status_code == 401
    assert "username or password is wrong" in response.text


def test_a_login_post_without_the_form_token_is_refused(clinic: Clinic) -> None:
    client = clinic.client()
    response = client.post("/login", data={"username": "nurse", "password": PASSWORD})
    assert response.status_code == 403
    assert "What went wrong" in response.text
    assert "reload the page" in response.text


def test_a_nurse_lands_on_the_worklist_and_can_find_a_patient(clinic: Clinic) -> None:
    client = browser_login(clinic, "nurse")
    home = client.get("/")
    assert "<h1>Worklist</h1>" in home.text
    found = client.get("/patients", params={"family_name": "ow"})
    assert "Owens, Alex" in found.text
    record = client.get(f"/patients/{clinic.own_patient}")
    assert "Timeline" in record.text
    assert "Registered" in record.text


def test_a_candidacy_form_records_an_assessment_shown_on_the_timeline(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    form = client.get(f"/patients/{clinic.own_patient}/candidacy/new")
    assert '<label for="indication">' in form.text
    response = client.post(
        f"/patients/{clinic.own_patient}/candidacy/new",
        data={
            "csrf_token": form_token(form.text, f"/patients/{clinic.own_patient}/candidacy/new"),
            "indication": "cancer_pain",
            "mechanism": "mixed",
            "breadth": "diffuse",
            "cancer_category": "2",
            "life_expectancy_months": "24",
            "conservative_therapy_months": "2",
            "oral_medication_months": "4",
            "psych_evaluation": "cleared",
            "med_drug": ["oxycodone", ""],
            "med_dose": ["40 mg/day", ""],
            "med_opioid": ["yes", "no"],
        },
    )
    assert response.status_code == 200, response.text[-1500:]
    assert "Candidacy assessment" in response.text
    assert "60 mg/day" in response.text


def _candidacy_with(client: TestClient, clinic: Clinic, drugs: list[str], doses: list[str]) -> Any:
    url = f"/patients/{clinic.own_patient}/candidacy/new"
    form = client.get(url)
    return client.post(
        url,
        data={
            "csrf_token": form_token(form.text, url),
            "indication": "failed_back_surgery_syndrome",
            "mechanism": "mixed",
            "breadth": "localized",
            "conservative_therapy_months": "12",
            "oral_medication_months": "18",
            "psych_evaluation": "cleared",
            "med_drug": drugs,
            "med_dose": doses,
            "med_opioid": ["yes"] * len(drugs),
        },
    )


def test_candidacy_medicines_are_entered_in_their_usual_units(clinic: Clinic) -> None:
    client = browser_login(clinic, "physician")
    # oxycodone 40 mg/day by mouth (× 1.5) and a 25 mcg/h fentanyl patch (× 2.4): 60 + 60 MME
    answer = _candidacy_with(
        client, clinic, ["oxycodone", "fentanyl-transdermal"], ["40 mg/day", "25 mcg/h"]
    )
    assert answer.status_code == 200, answer.text[-1500:]
    assert "120 mg/day" in answer.text


def test_a_candidacy_dose_without_its_unit_is_refused_and_nothing_is_recorded(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "physician")
    answer = _candidacy_with(client, clinic, ["oxycodone"], ["40000"])
    assert answer.status_code == 422
    assert "THC-QTY-005" in answer.text
    assert "&#39;40000&#39; has no unit" in answer.text or "'40000' has no unit" in answer.text
    assert "Candidacy assessment" not in client.get(f"/patients/{clinic.own_patient}").text


def test_a_form_post_without_the_session_token_is_refused_and_changes_nothing(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "nurse")
    response = client.post(
        "/patients/new",
        data={
            "mrn": "X-1",
            "family_name": "Nobody",
            "given_names": "N",
            "birth_date": "1990-01-01",
            "sex": "male",
        },
    )
    assert response.status_code == 403
    assert "THC-WEB-001" in response.text
    assert "No patient matches" in client.get("/patients", params={"mrn": "X-1"}).text


def test_an_unknown_record_shows_an_error_page_that_says_what_to_do(clinic: Clinic) -> None:
    client = browser_login(clinic, "nurse")
    response = client.get("/patients/not-a-patient")
    assert response.status_code == 404
    assert "What went wrong" in response.text
    assert "What to do" in response.text
    assert "THC-PAT-002" in response.text


def test_a_patient_sees_their_portal_and_is_refused_another_record(clinic: Clinic) -> None:
    client = browser_login(clinic, "patient")
    portal = client.get("/")
    assert "My record" in portal.text
    assert "Owens" in portal.text
    foreign = client.get(f"/patients/{clinic.foreign_patient}")
    assert foreign.status_code == 403
    assert "Forde" not in foreign.text


def test_without_a_session_a_page_sends_the_browser_to_log_in(clinic: Clinic) -> None:
    response = clinic.client().get("/patients", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?")
    assert "next=/patients" in response.headers["location"]


def test_a_first_visit_opens_the_log_in_page_without_an_error(clinic: Clinic) -> None:
    client = clinic.client()
    first = client.get("/", follow_redirects=False)
    assert first.headers["location"] == "/login?next=/"
    page = client.get(first.headers["location"])
    assert page.status_code == 200
    assert 'role="alert"' not in page.text


def test_an_ended_session_says_why_on_the_log_in_page(clinic: Clinic) -> None:
    client = browser_login(clinic, "nurse")
    home = client.get("/")
    client.post("/logout", data={"csrf_token": form_token(home.text, "/logout")})
    client.cookies.set("thecal_session", "no-such-session")
    page = client.get("/patients")
    assert 'role="alert"' in page.text


def test_an_administrator_reads_and_verifies_the_audit_log(clinic: Clinic) -> None:
    client = browser_login(clinic, "admin")
    page = client.get("/audit")
    assert "session.login" in page.text
    verified = client.post(
        "/audit/verify", data={"csrf_token": form_token(page.text, "/audit/verify")}
    )
    assert "The chain is intact" in verified.text


def test_the_audit_log_filters_by_patient_and_person_names_them_and_exports_csv(
    clinic: Clinic,
) -> None:
    client = browser_login(clinic, "admin")
    page = client.get("/audit", params={"patient": "OWN-1"})
    assert page.status_code == 200
    assert "Owens, Alex (OWN-1)" in page.text  # the record by name and number, not its id
    assert "Forde" not in page.text  # the other patient's entries are filtered out
    assert clinic.own_patient not in page.text.split("<tbody>")[1]
    person = client.get(
        "/audit", params={"user": clinic.users[Role.PHYSICIAN], "action": "patient.register"}
    )
    rows = person.text.split("<tbody>")[1]
    assert rows.count("<tr>") == 2  # the physician registered both patients
    assert "Physician Tester" in rows
    exported = client.get("/audit.csv", params={"patient": "OWN-1"})
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0].startswith("sequence,occurred_at,actor,actor_name,action")
    sequences = [int(line.split(",")[0]) for line in lines[1:]]
    assert sequences == sorted(sequences)
    assert sequences
    unknown = client.get("/audit", params={"patient": "NOPE-9"})
    assert unknown.status_code == 422
    assert "no patient has record number NOPE-9" in unknown.text


def test_logging_out_ends_the_session(clinic: Clinic) -> None:
    client = browser_login(clinic, "nurse")
    home = client.get("/")
    response = client.post("/logout", data={"csrf_token": form_token(home.text, "/logout")})
    assert "You have logged out." in response.text
    after = client.get("/patients", follow_redirects=False)
    assert after.status_code == 303
