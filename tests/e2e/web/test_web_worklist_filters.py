"""The worklist page a clinic can use (issue 13 §4): filters in a bookmarkable GET form (kind, due
window, priority, patient, pump model), due soon by default with later rows folded into a count,
tasks with their age and how overdue they are, a bad filter value refused by name; the API takes
the same filters and answers 422 on a bad value."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from api_support import Clinic, implant_pump_with_patient_bolus, logged_in
from test_web_pages import browser_login

_ROW = re.compile(r'<tr class="(urgent|routine)">(.*?)</tr>', re.DOTALL)


def _api_rows(clinic: Clinic, query: str = "") -> list[dict[str, object]]:
    response = logged_in(clinic, "nurse").get(f"/api/v1/worklist?limit=500{query}")
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def _rows(html: str) -> list[tuple[str, str]]:
    """(priority class, row html) of every worklist row on the page."""
    return _ROW.findall(html)


def _due(row: dict[str, object]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(row["due"]))


def test_the_default_shows_what_is_due_soon_and_folds_the_rest_into_a_count(
    clinic: Clinic,
) -> None:
    implant_pump_with_patient_bolus(clinic)  # a refill months ahead, an urgent task this week
    every = _api_rows(clinic)
    now = clinic.clock.now().replace(second=0, microsecond=0)
    soon = [r for r in every if _due(r) < now + dt.timedelta(days=30)]
    later = [r for r in every if _due(r) >= now + dt.timedelta(days=30)]
    assert soon
    assert later  # the fixture has both, or this test proves nothing

    nurse = browser_login(clinic, "nurse")
    page = nurse.get("/")
    assert page.status_code == 200
    assert len(_rows(page.text)) == len(soon)
    assert f"{len(later)} more item" in page.text
    assert 'href="/?window=all"' in page.text  # the fold's link
    assert '<option value="30-days" selected>' in page.text  # the default, shown in the form

    everything = nurse.get("/?window=all")
    assert len(_rows(everything.text)) == len(every)
    assert "more item" not in everything.text


def test_filters_narrow_the_rows_and_stay_in_the_form(clinic: Clinic) -> None:
    implant_pump_with_patient_bolus(clinic)
    every = _api_rows(clinic)
    urgent = [r for r in every if r["priority"] == "urgent"]
    routine = [r for r in every if r["priority"] == "routine"]
    assert urgent
    assert routine
    mrn = str(every[0]["mrn"])
    nurse = browser_login(clinic, "nurse")

    page = nurse.get("/", params={"window": "all", "priority": "urgent"})
    assert [p for p, _ in _rows(page.text)] == ["urgent"] * len(urgent)
    assert '<option value="urgent" selected>' in page.text

    by_mrn = nurse.get("/", params={"window": "all", "patient": mrn.lower()})
    assert len(_rows(by_mrn.text)) == len([r for r in every if r["mrn"] == mrn])
    assert f'value="{mrn.lower()}"' in by_mrn.text  # what was typed stays in the box
    nobody = nurse.get("/", params={"window": "all", "patient": "no such patient"})
    assert _rows(nobody.text) == []
    assert "with these filters" in nobody.text

    by_model = nurse.get("/", params={"window": "all", "model": "synchromed-ii-20"})
    assert len(_rows(by_model.text)) == len([r for r in every if r["model_id"]])
    other_model = nurse.get("/", params={"window": "all", "model": "prometra-ii"})
    assert _rows(other_model.text) == []

    kind = str(urgent[0]["kind"])
    by_kind = nurse.get("/", params={"window": "all", "kind": kind})
    assert len(_rows(by_kind.text)) == len([r for r in every if r["kind"] == kind])


def test_a_task_shows_its_age_and_how_overdue_it_is(clinic: Clinic) -> None:
    implant_pump_with_patient_bolus(clinic)
    (task,) = [r for r in _api_rows(clinic) if r["kind"] == "post-implant-monitoring"]
    opened = dt.datetime.fromisoformat(str(task["opened"]))
    nurse = browser_login(clinic, "nurse")
    (row,) = [h for _, h in _rows(nurse.get("/").text) if "post implant monitoring" in h]
    assert "opened 1 h ago" in row  # the fixture's clock moved an hour after the implant
    assert "overdue" not in row

    clinic.clock.advance(days=3)
    as_of = clinic.clock.now().replace(second=0, microsecond=0)
    late = as_of - _due(task)
    assert late > dt.timedelta(0)
    nurse = browser_login(clinic, "nurse")  # three days on: a new session
    (row,) = [h for _, h in _rows(nurse.get("/").text) if "post implant monitoring" in h]
    assert f"overdue by {late.days} day" in row
    assert f"opened {(as_of - opened).days} days" in row
    assert "⚠" in row  # the icon, with the word "urgent" and the colour (never colour alone)
    assert '<input id="note-' in row  # an urgent task asks what was done


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("window=forever", "due window"),
        ("kind=coffee", "kind"),
        ("priority=high", "priority"),
        ("model=no-such-pump", "pump model"),
        ("patient=" + "x" * 101, "patient"),
    ],
)
def test_a_bad_filter_value_is_refused_by_name_with_the_form(
    clinic: Clinic, query: str, named: str
) -> None:
    page = browser_login(clinic, "nurse").get(f"/?{query}")
    assert page.status_code == 422
    assert named in page.text
    assert "THC-INPUT-001" in page.text
    assert 'aria-label="Filter the worklist"' in page.text  # the form, to correct it


def test_the_api_takes_the_same_filters(clinic: Clinic) -> None:
    implant_pump_with_patient_bolus(clinic)
    every = _api_rows(clinic)
    nurse = logged_in(clinic, "nurse")
    now = clinic.clock.now().replace(second=0, microsecond=0)

    soon = nurse.get("/api/v1/worklist", params={"window": "30-days"}).json()
    expected = [r["record_id"] for r in every if _due(r) < now + dt.timedelta(days=30)]
    assert [r["record_id"] for r in soon["items"]] == expected
    assert soon["later"] == len(every) - len(expected) > 0
    assert soon["complete"] is True

    urgent = nurse.get("/api/v1/worklist", params={"priority": "urgent"}).json()["items"]
    assert urgent
    assert {r["priority"] for r in urgent} == {"urgent"}
    assert len(urgent) == len([r for r in every if r["priority"] == "urgent"])

    paged = nurse.get("/api/v1/worklist", params={"priority": "routine", "limit": 1}).json()
    assert len(paged["items"]) == 1
    routine = [r for r in every if r["priority"] == "routine"]
    assert paged["next_offset"] == (1 if len(routine) > 1 else None)

    name = str(every[0]["patient_name"]).split(",")[0].upper()
    by_name = nurse.get("/api/v1/worklist", params={"patient": name, "window": "all"}).json()
    assert len(by_name["items"]) == len(every)

    for bad in ({"window": "forever"}, {"priority": "high"}, {"model": "no-such-pump"}):
        refused = nurse.get("/api/v1/worklist", params=bad)
        assert refused.status_code == 422, (bad, refused.text)
