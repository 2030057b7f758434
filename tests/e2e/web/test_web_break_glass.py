"""Break the glass on the web (SR-21, issue 15 §3): a nurse refused a patient outside her care
teams gets the form on the refusal page; a too-short reason or a time limit not offered comes
back (422) with what was typed and nothing opened; a good one opens the record until the time
limit (303 back to the page first asked for), is audited and puts an alert on the
administrators' page, who close it with a note. When the time is up the record is refused again.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re

from api_support import (
    Clinic,
    TestClient,
    add_user,
    implant_pump_with_patient_bolus,
    logged_in,
)
from test_web_pages import browser_login, form_token

from thecal.domain.users import Role

API = "/api/v1"


def _care_teams(clinic: Clinic) -> None:
    """Team Spine (physician, nurse; the own patient), team Cancer pain (nurse2; the other)."""
    add_user(clinic, "nurse2", Role.NURSE)
    admin = logged_in(clinic, "admin")
    for name, people, patient in (
        ("Spine", ("physician", "nurse"), clinic.own_patient),
        ("Cancer pain", ("nurse2",), clinic.foreign_patient),
    ):
        team = admin.post(f"{API}/care-teams", json={"name": name})
        assert team.status_code == 201, team.text
        for username in people:
            added = admin.post(
                f"{API}/care-teams/{team.json()['id']}/members", json={"username": username}
            )
            assert added.status_code == 200, added.text
        assigned = admin.put(f"{API}/patients/{patient}/care-team", json={"team": name})
        assert assigned.status_code == 200, assigned.text


def _open(client: TestClient, refusal_html: str, patient_id: str, **fields: str) -> object:
    action = f"/patients/{patient_id}/break-glass"
    next_path = re.search(r'name="next" value="([^"]*)"', refusal_html)
    assert next_path
    data = {"csrf_token": form_token(refusal_html, action), "next": next_path.group(1), **fields}
    return client.post(action, data=data, follow_redirects=False)


def _break_glass_audit(clinic: Clinic) -> list[dict[str, object]]:
    with clinic.thecal.uow() as uow:
        return [e.details for e in uow.audit_log.entries() if e.action == "patient.break_glass"]


def test_a_refused_nurse_breaks_the_glass_until_the_time_limit(both: Clinic) -> None:
    clinic = both
    pump_id = implant_pump_with_patient_bolus(clinic)  # the own patient's pump
    _care_teams(clinic)
    own = clinic.own_patient
    nurse2 = browser_login(clinic, "nurse2")

    refused = nurse2.get(f"/pumps/{pump_id}")  # a pump of a patient on another team
    assert refused.status_code == 403
    assert "not on a care team of yours" in refused.text
    assert f'action="/patients/{own}/break-glass"' in refused.text  # the patient behind the pump
    assert f'name="next" value="/pumps/{pump_id}"' in refused.text
    assert "Owens" not in refused.text  # nothing of the record before the glass is broken
    assert re.search(r'<option value="4" selected>4 hours</option>', refused.text)  # default

    short = _open(nurse2, refused.text, own, reason="covering", hours="4")
    assert short.status_code == 422  # type: ignore[attr-defined]
    html = short.text  # type: ignore[attr-defined]
    assert 'id="reason-error"' in html
    assert "at least 10 characters" in html
    assert ">covering</textarea>" in html  # what was typed
    too_long = _open(nurse2, refused.text, own, reason="Covering the Spine team", hours="13")
    assert too_long.status_code == 422  # type: ignore[attr-defined]
    html = too_long.text  # type: ignore[attr-defined]
    assert 'id="hours-error"' in html
    assert "choose a time limit of 1, 2, 4, 8, 12 hours" in html
    assert ">Covering the Spine team</textarea>" in html
    assert _break_glass_audit(clinic) == []  # nothing opened
    assert nurse2.get(f"/patients/{own}").status_code == 403

    reason = "Covering the Spine team tonight: pump alarm"
    opened = _open(nurse2, refused.text, own, reason=reason, hours="2")
    assert opened.status_code == 303  # type: ignore[attr-defined]
    assert opened.headers["location"] == f"/pumps/{pump_id}"  # type: ignore[attr-defined]
    assert nurse2.get(f"/pumps/{pump_id}").status_code == 200
    page = nurse2.get(f"/patients/{own}")
    assert page.status_code == 200
    assert "Owens" in page.text
    audited = _break_glass_audit(clinic)
    assert len(audited) == 1
    assert audited[0]["reason"] == reason
    assert audited[0]["until"] == (clinic.clock.now() + dt.timedelta(hours=2)).isoformat()

    # the alert on the administrators' page, closed with a note
    admin = browser_login(clinic, "admin")
    home = admin.get("/", follow_redirects=False)  # the administrator's worklist: these alerts
    assert home.status_code == 303
    assert home.headers["location"] == "/break-glass-reviews"
    alerts = admin.get("/break-glass-reviews")
    assert alerts.status_code == 200
    assert 'href="/break-glass-reviews" aria-current="page"' in alerts.text
    assert "Owens, Alex" in alerts.text
    assert "OWN-1" in alerts.text
    assert "Nurse Tester broke the glass for 2 h (until" in alerts.text
    assert reason in alerts.text
    task = re.search(r'action="/break-glass-reviews/([^"]+)"', alerts.text)
    assert task
    action = f"/break-glass-reviews/{task.group(1)}"
    blank = admin.post(action, data={"csrf_token": form_token(alerts.text, action), "note": "  "})
    assert blank.status_code == 422
    assert f'id="note-{task.group(1)}-error"' in blank.text
    assert "Nurse Tester broke the glass" in blank.text  # still to review
    closed = admin.post(
        action,
        data={"csrf_token": form_token(alerts.text, action), "note": "Checked with the ward"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert closed.headers["location"] == "/break-glass-reviews"
    assert "No alert to review." in admin.get("/break-glass-reviews").text
    assert browser_login(clinic, "nurse").get("/break-glass-reviews").status_code == 403

    clinic.clock.advance(hours=2)  # the time limit: refused again (a new session: 2 h idle)
    later = browser_login(clinic, "nurse2")
    again = later.get(f"/patients/{own}")
    assert again.status_code == 403
    assert f'action="/patients/{own}/break-glass"' in again.text
    assert later.get(f"/pumps/{pump_id}").status_code == 403


def test_the_glass_never_leads_off_site_and_is_not_offered_to_an_administrator(
    both: Clinic,
) -> None:
    _care_teams(both)
    nurse = browser_login(both, "nurse")  # on team Spine: her own patient opens, no form
    assert nurse.get(f"/patients/{both.own_patient}").status_code == 200
    form = nurse.get(f"/patients/{both.foreign_patient}/break-glass?next=//evil.example")
    assert form.status_code == 200
    assert 'name="next" value="/patients/' in form.text  # never off-site
    admin = browser_login(both, "admin")
    refused = admin.get(f"/patients/{both.own_patient}")
    assert refused.status_code == 403
    assert '/break-glass"' not in refused.text  # no form: an administrator reads no record
    assert "Not allowed" in refused.text


def test_an_exact_mrn_on_another_team_leads_to_the_glass(both: Clinic) -> None:
    clinic = both
    _care_teams(clinic)
    nurse2 = browser_login(clinic, "nurse2")  # team Cancer pain: the own patient is not hers
    found = nurse2.get("/patients?mrn=OWN-1")
    assert found.status_code == 200
    assert "The patient with MRN OWN-1 is not on a care team of yours" in found.text
    link = f'href="/patients/{clinic.own_patient}/break-glass"'
    assert link in found.text
    assert "Owens" not in found.text  # nothing of the record before the glass is broken
    by_name = nurse2.get("/patients?family_name=Owens")  # only an exact MRN leads there
    assert "No patient matches" in by_name.text
    assert "/break-glass" not in by_name.text
    own_team = nurse2.get("/patients?mrn=FOREIGN-1")  # her own team's: the usual result
    assert "Forde, Alex" in own_team.text
    assert "/break-glass" not in own_team.text
    unknown = nurse2.get("/patients?mrn=NOBODY-9")
    assert "No patient matches" in unknown.text
    assert "/break-glass" not in unknown.text
    form = nurse2.get(f"/patients/{clinic.own_patient}/break-glass")
    assert form.status_code == 200
    assert f'action="/patients/{clinic.own_patient}/break-glass"' in form.text
    with clinic.thecal.uow() as uow:
        lookups = [
            e.details
            for e in uow.audit_log.entries()
            if e.action == "patient.search" and "outside_teams_mrn" in e.details
        ]
    assert {"outside_teams_mrn": "OWN-1", "returned": [clinic.own_patient]} in [
        {k: v for k, v in d.items() if k != "role"} for d in lookups
    ]
