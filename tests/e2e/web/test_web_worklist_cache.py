"""The worklist page's shared rows carry each viewer's own CSRF token; the API's cached answer is
audited on every request; a "Done" from one session shows on the other's next page."""

from __future__ import annotations

import re

from api_support import Clinic, implant_pump_with_patient_bolus, logged_in
from sqlalchemy import func, select
from test_web_pages import browser_login, form_token

from thecal.adapters.sql.tables.audit import audit_entries
from thecal.domain.authorization import Action

_DONE = re.compile(
    r'action="(/tasks/[^"]+/completion)"><input type="hidden" name="csrf_token" '
    r'value="([^"]*)"'
)


def done_forms(html: str) -> list[tuple[str, str]]:
    """(action, token) of every "Done" form on the worklist."""
    return _DONE.findall(html)


def test_two_sessions_share_the_rows_but_never_each_others_csrf_token(clinic: Clinic) -> None:
    implant_pump_with_patient_bolus(clinic)  # a post-implant monitoring task: a "Done" form
    first, second = browser_login(clinic, "nurse"), browser_login(clinic, "nurse")
    page_1, page_2 = first.get("/"), second.get("/")
    token_1, token_2 = form_token(page_1.text, "/logout"), form_token(page_2.text, "/logout")
    assert token_1 != token_2  # two sessions
    forms_1, forms_2 = done_forms(page_1.text), done_forms(page_2.text)
    assert forms_1
    assert {token for _, token in forms_1} == {token_1}
    assert {token for _, token in forms_2} == {token_2}
    assert token_2 not in page_1.text
    assert token_1 not in page_2.text
    assert page_1.text.replace(token_1, "T") == page_2.text.replace(token_2, "T")

    action, token = forms_2[0]
    closed = second.post(  # an urgent task: with what was done
        action, data={"csrf_token": token, "note": "wound checked"}, follow_redirects=False
    )
    assert closed.status_code == 303, closed.text
    assert done_forms(first.get("/").text) == []  # the other session's very next page


def test_a_repeated_api_read_answers_the_same_and_is_audited_each_time(clinic: Clinic) -> None:
    implant_pump_with_patient_bolus(clinic)
    client = logged_in(clinic, "nurse")

    def audited() -> int:
        counted = (
            select(func.count())
            .select_from(audit_entries)
            .where(audit_entries.c.action == Action.WORKLIST_READ.value)
        )
        with clinic.thecal.engine.connect() as connection:
            return int(connection.execute(counted).scalar_one())

    first = client.get("/api/v1/worklist")
    second = client.get("/api/v1/worklist")
    assert first.status_code == second.status_code == 200
    assert first.json()["items"]
    assert second.content == first.content
    assert audited() == 2
