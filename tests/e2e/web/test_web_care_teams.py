"""The care-team pages (SR-21, issue 15 §3): an administrator creates a team, puts clinicians and
patients on it and takes clinicians off; the clinicians' reach follows at once. Refused forms
keep what was typed (422, the message next to the field); every change redirects (303) and is
audited. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re

from api_support import (
    OPERATOR,
    Clinic,
    TestClient,
    add_user,
)
from test_web_pages import browser_login, form_token

from thecal.domain.authorization import Action
from thecal.domain.users import Role
from thecal.services.audit_log import AuditFilter, ReadAuditLog, read_audit_log


def _post(client: TestClient, page: str, action: str, **fields: str) -> object:
    token = form_token(client.get(page).text, action)
    return client.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)


def _team_row(html: str, name: str) -> str:
    row = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>', html, re.DOTALL)
    assert row, f"no row for team {name!r}"
    return row.group(1)


def _team_id(html: str, name: str) -> str:
    found = re.search(rf'<option value="([^"]+)">{re.escape(name)}</option>', html)
    assert found, f"no team {name!r} to choose"
    return found.group(1)


def _care_team_audit(clinic: Clinic) -> list[dict[str, object]]:
    page = clinic.thecal.run(
        read_audit_log,
        ReadAuditLog(
            actor=OPERATOR,
            limit=100,
            filter=AuditFilter(action=Action.CARE_TEAM_MANAGE.value),
        ),
    )
    found = [json.loads(e.details_json) for e in page.entries]
    return [{k: v for k, v in d.items() if k != "role"} for d in found]


def test_an_administrator_builds_a_team_and_the_clinicians_reach_follows(both: Clinic) -> None:
    clinic = both
    admin = browser_login(clinic, "admin")
    page = admin.get("/care-teams")
    assert page.status_code == 200
    assert 'href="/care-teams" aria-current="page"' in page.text  # in the admin navigation
    assert "No team exists yet" in page.text

    created = _post(admin, "/care-teams", "/care-teams", name="Spine")
    assert created.status_code == 303  # type: ignore[attr-defined]
    assert created.headers["location"] == "/care-teams"  # type: ignore[attr-defined]
    page = admin.get("/care-teams")
    spine = _team_id(page.text, "Spine")
    assert "no clinician yet" in _team_row(page.text, "Spine")

    added = _post(admin, "/care-teams", "/care-teams/members", member_team=spine, username="nurse")
    assert added.status_code == 303  # type: ignore[attr-defined]
    row = _team_row(admin.get("/care-teams").text, "Spine")
    assert "Nurse Tester" in row
    assert "nurse" in row
    assert re.search(r"<td>0</td>", row)  # no patient yet

    found = admin.get("/care-teams?patient=OWN-1")  # by MRN: name, MRN, no team
    assert found.status_code == 200
    assert "Owens, Alex" in found.text
    assert "OWN-1" in found.text
    assert "no team" in found.text
    assert "Forde" not in found.text
    by_name = admin.get("/care-teams?patient=Ford")  # by family name
    assert "Forde, Alex" in by_name.text
    assert "Owens" not in by_name.text
    assigned = admin.post(
        "/care-teams/patients",
        data={
            "csrf_token": form_token(found.text, "/care-teams/patients"),
            "patient_id": clinic.own_patient,
            "patient_team": spine,
            "patient": "OWN-1",
        },
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    assert assigned.headers["location"] == "/care-teams?patient=OWN-1"
    again = admin.get("/care-teams?patient=OWN-1")
    assert re.search(r"<td>OWN-1</td><td>Spine</td>", again.text)
    assert re.search(r"<td>1</td>", _team_row(again.text, "Spine"))

    nurse = browser_login(clinic, "nurse")
    physician = browser_login(clinic, "physician")  # on no team
    assert nurse.get(f"/patients/{clinic.own_patient}").status_code == 200
    assert physician.get(f"/patients/{clinic.own_patient}").status_code == 403

    removed = _post(admin, "/care-teams", f"/care-teams/{spine}/members/nurse/removal")
    assert removed.status_code == 303  # type: ignore[attr-defined]
    assert "no clinician yet" in _team_row(admin.get("/care-teams").text, "Spine")
    assert nurse.get(f"/patients/{clinic.own_patient}").status_code == 403  # at once

    audited = _care_team_audit(clinic)
    nurse_id = clinic.users[Role.NURSE]
    assert {"created": "Spine"} in audited
    assert {"added": nurse_id, "team": "Spine"} in audited
    assert {"removed": nurse_id, "team": "Spine"} in audited
    assert {"patient_moved_from": None, "team": "Spine"} in audited
    assert {"patients_looked_up": "OWN-1", "returned": [clinic.own_patient]} in audited


def test_a_patient_taken_off_their_team_is_out_of_every_clinicians_reach(both: Clinic) -> None:
    clinic = both
    admin = browser_login(clinic, "admin")
    assert _post(admin, "/care-teams", "/care-teams", name="Spine").status_code == 303  # type: ignore[attr-defined]
    spine = _team_id(admin.get("/care-teams").text, "Spine")
    _post(admin, "/care-teams", "/care-teams/members", member_team=spine, username="nurse")
    found = admin.get("/care-teams?patient=OWN-1")
    admin.post(
        "/care-teams/patients",
        data={
            "csrf_token": form_token(found.text, "/care-teams/patients"),
            "patient_id": clinic.own_patient,
            "patient_team": spine,
            "patient": "OWN-1",
        },
    )
    nurse = browser_login(clinic, "nurse")
    assert nurse.get(f"/patients/{clinic.own_patient}").status_code == 200

    page = admin.get("/care-teams?patient=OWN-1")
    action = f"/care-teams/patients/{clinic.own_patient}/removal"
    assert "Take off Spine" in page.text
    token = form_token(page.text, action)
    taken_off = admin.post(
        action, data={"csrf_token": token, "patient": "OWN-1"}, follow_redirects=False
    )
    assert taken_off.status_code == 303
    assert taken_off.headers["location"] == "/care-teams?patient=OWN-1"
    after = admin.get("/care-teams?patient=OWN-1").text
    assert re.search(r"<td>OWN-1</td><td>no team</td>", after)
    assert action not in after  # nothing to take off
    refused = nurse.get(f"/patients/{clinic.own_patient}")
    assert refused.status_code == 403  # at once; the glass is offered
    assert f"/patients/{clinic.own_patient}/break-glass" in refused.text
    assert {"patient_unassigned": clinic.own_patient, "team": "Spine"} in _care_team_audit(clinic)

    again = admin.post(action, data={"csrf_token": token, "patient": "OWN-1"})  # a second press
    assert again.status_code == 422
    assert 'id="patient_id-error"' in again.text
    assert "on no care team" in again.text


def test_refused_team_forms_keep_the_work_and_change_nothing(both: Clinic) -> None:
    clinic = both
    add_user(clinic, "nurse2", Role.NURSE)
    admin = browser_login(clinic, "admin")
    assert _post(admin, "/care-teams", "/care-teams", name="Spine").status_code == 303  # type: ignore[attr-defined]
    spine = _team_id(admin.get("/care-teams").text, "Spine")

    taken = _post(admin, "/care-teams", "/care-teams", name="  Spine ")
    assert taken.status_code == 422  # type: ignore[attr-defined]
    html = taken.text  # type: ignore[attr-defined]
    assert 'id="name-error"' in html
    assert "is taken" in html
    assert 'value="  Spine "' in html  # what was typed
    assert html.count('<th scope="row">Spine</th>') == 1  # no second team

    pharmacist = _post(
        admin, "/care-teams", "/care-teams/members", member_team=spine, username="pharmacist"
    )
    assert pharmacist.status_code == 422  # type: ignore[attr-defined]
    html = pharmacist.text  # type: ignore[attr-defined]
    assert 'id="username-error"' in html
    assert "only physicians and nurses" in html
    assert f'<option value="{spine}" selected>Spine</option>' in html  # the team kept
    assert "no clinician yet" in _team_row(html, "Spine")
    assert ">Pharmacist Tester (" not in html  # pharmacists are not offered

    no_team = _post(admin, "/care-teams", "/care-teams/members", member_team="", username="nurse2")
    assert no_team.status_code == 422  # type: ignore[attr-defined]
    html = no_team.text  # type: ignore[attr-defined]
    assert 'id="member_team-error"' in html
    assert "choose a team" in html
    assert '<option value="nurse2" selected>' in html

    found = admin.get("/care-teams?patient=OWN-1")
    unknown = admin.post(
        "/care-teams/patients",
        data={
            "csrf_token": form_token(found.text, "/care-teams/patients"),
            "patient_id": clinic.own_patient,
            "patient_team": "",
            "patient": "OWN-1",
        },
    )
    assert unknown.status_code == 422
    assert 'id="patient_team-error"' in unknown.text
    assert "Owens, Alex" in unknown.text  # the search shown again
    assert re.search(r"<td>OWN-1</td><td>no team</td>", unknown.text)

    blank = admin.get("/care-teams?patient=%20%20")
    assert blank.status_code == 200
    assert "found for" not in blank.text


def test_only_administrators_open_the_care_team_pages(both: Clinic) -> None:
    for username in ("physician", "nurse", "pharmacist"):
        client = browser_login(both, username)
        assert client.get("/care-teams").status_code == 403
    nurse = browser_login(both, "nurse")
    page = nurse.get("/account/security")
    assert 'href="/care-teams"' not in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    refused = nurse.post("/care-teams", data={"csrf_token": token.group(1), "name": "Mine"})
    assert refused.status_code == 403
    assert {"created": "Mine"} not in _care_team_audit(both)
