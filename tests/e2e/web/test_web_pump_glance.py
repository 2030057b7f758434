"""The pump page opens with the pump at a glance (issue 13 §1), on SQLite and PostgreSQL: every
fact at display precision in the drug's unit, with the hand-worked numbers of
tests/e2e/api/test_api_pump_glance.py; alarms by priority with an icon and a word; the chart as
inline SVG with a table of its points."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

from api_support import (
    START,
    Clinic,
    implant_program,
    implant_pump_with_patient_bolus,
    logged_in,
)
from test_api_pump_glance import PRIMING_DAYS, PRIMING_ML, _days_after
from test_web_pages import form_token

from thecal.domain.admixture import Admixture, Component
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate, Duration, plain
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.simulation.faults import BatteryDepletion


def _panel(page: str) -> str:
    found = re.search(r'<section class="glance card".*?</section>', page, re.DOTALL)
    assert found, "the pump page has no glance panel"
    return html.unescape(found.group(0))


def _fact(panel: str, ident: str) -> str:
    found = re.search(rf'<div id="{ident}">(.*?)</div>', panel, re.DOTALL)
    assert found, ident
    return re.sub(r"<[^>]+>", "", found.group(1))


def _minute(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def test_the_pump_page_opens_with_the_pump_at_a_glance(both: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    both.clock.advance(days=10)
    page = logged_in(both, "physician").get(f"/pumps/{pump_id}")
    assert page.status_code == 200
    panel = _panel(page.text)
    assert page.text.index('id="pump-glance"') < page.text.index('id="program-h"')  # first

    assert "Owens, Alex" in panel
    assert "OWN-1" in panel
    assert "1960-05-17" in panel
    now = 20 - PRIMING_ML - Decimal("0.2") * (10 + Decimal(1) / 24 - PRIMING_DAYS)
    reservoir = _fact(panel, "glance-reservoir")
    assert f"≈ {now.quantize(Decimal('0.01'))} mL" in reservoir  # 17.64 mL, not 17.6386…
    assert f"as of {_minute(START + dt.timedelta(days=10, hours=1))}" in reservoir
    assert "from the fill of 20 mL" in reservoir

    primed = _days_after(START, PRIMING_DAYS)
    alarm = _days_after(primed, (20 - PRIMING_ML - 2) / Decimal("0.212"))
    empty = _days_after(primed, (20 - PRIMING_ML) / Decimal("0.212"))
    assert _minute(alarm) in _fact(panel, "glance-alarm-date")
    assert _minute(empty) in _fact(panel, "glance-empty")
    refill = _fact(panel, "glance-refill")
    assert _minute(alarm - dt.timedelta(days=7)) in refill
    assert "limit that binds: low-reservoir alarm (minus margin)" in refill
    assert "in 66 days" in refill  # its distance in days, not seconds

    dose = re.sub(r"<[^>]+>", "", re.search(r'class="glance-dose">(.*?)</div>', panel).group(1))  # type: ignore[union-attr]
    assert "25 mg/mL" in dose
    assert "5 mg/day basal" in dose
    assert "5.3 mg/day worst case, every patient bolus taken" in dose
    assert "0.2 mL/day basal; 0.212 mL/day worst case" in _fact(panel, "glance-flow")
    assert "never interrogated" in _fact(panel, "glance-interrogation")
    battery = _fact(panel, "glance-battery")
    assert "not known" in battery
    assert "ERI 2032-12-02" in battery
    assert "EOS 2033-03-02" in battery
    assert "0.156 mL" in _fact(panel, "glance-dead-space")
    assert "no refill recorded yet" in _fact(panel, "glance-reconciliation")
    assert "none" in _fact(panel, "glance-pending")
    assert "No active alarm reported" in panel
    assert 'id="mri-requirements"' in panel
    assert "SynchroMed II 20 mL is not emptied" in panel

    svg = re.search(
        r'<svg class="chart" id="glance-reservoir-chart" role="img".*?</svg>', panel, re.DOTALL
    )
    assert svg
    assert "<title" in svg.group(0)
    assert re.search(r'<svg class="chart" id="glance-dose-chart" role="img"', panel)
    table = panel[panel.index('id="glance-chart-points"') :]
    assert "projected low-reservoir alarm" in table
    assert _minute(alarm) in table


def test_the_glance_shows_active_alarms_by_priority_and_the_last_interrogations_age(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    serial = "NGP-E2E-001"
    both.thecal.run_device(
        configure_twin,
        ConfigureTwin(serial=serial, fault=BatteryDepletion(lost=Duration.days(2500))),
    )
    both.clock.advance(days=20)
    physician = logged_in(both, "physician")
    shown = physician.get(f"/pumps/{pump_id}")
    action = f"/pumps/{pump_id}/interrogate"
    done = physician.post(action, data={"csrf_token": form_token(shown.text, action)})
    assert done.status_code in (200, 303), done.text[-500:]
    both.clock.advance(days=3, hours=2)
    panel = _panel(logged_in(both, "physician").get(f"/pumps/{pump_id}").text)
    alarm = re.search(r'<p class="alarm warn">(.*?)</p>', panel, re.DOTALL)
    assert alarm, panel
    text = re.sub(r"<[^>]+>", "", alarm.group(1))
    assert "⚠" in text
    assert "medium priority" in text
    assert "Elective replacement indicator (ERI)" in text
    assert "(3 days 2 h ago)" in _fact(panel, "glance-interrogation")
    assert "elective replacement indicator (ERI) reported" in _fact(panel, "glance-battery")


def test_the_patient_page_shows_each_pump_at_a_glance(both: Clinic) -> None:
    implant_pump_with_patient_bolus(both)
    both.clock.advance(days=10)
    page = logged_in(both, "physician").get(f"/patients/{both.own_patient}")
    assert page.status_code == 200
    found = re.search(r'id="glance-line-NGP-E2E-001">(.*?)</small>', page.text, re.DOTALL)
    assert found, page.text[-2000:]
    line = html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))
    now = 20 - PRIMING_ML - Decimal("0.2") * (10 + Decimal(1) / 24 - PRIMING_DAYS)
    assert f"reservoir ≈ {now.quantize(Decimal('0.01'))} mL now" in line
    primed = _days_after(START, PRIMING_DAYS)
    alarm = _days_after(primed, (20 - PRIMING_ML - 2) / Decimal("0.212"))
    assert f"low-reservoir alarm {_minute(alarm)}" in line
    assert f"next refill {_minute(alarm - dt.timedelta(days=7))}" in line
    assert "(low-reservoir alarm (minus margin))" in line
    assert "5 mg/day, 5.3 mg/day worst case" in line


def test_each_drug_of_a_two_drug_admixture_has_its_dose_chart_in_its_own_unit(
    both: Clinic,
) -> None:
    morphine, clonidine = Concentration.from_mg_per_ml(25), Concentration.from_mcg_per_ml(500)
    admixture = Admixture(
        components=(
            Component(drug_id="morphine", concentration=morphine),
            Component(drug_id="clonidine", concentration=clonidine),
        )
    )
    daily = DoseRate.from_mg_per_day(Decimal(5))
    implant_program(both, InfusionProgram.continuous(admixture, daily), serial="NGP-TWO-001")
    both.clock.advance(days=10)
    physician = logged_in(both, "physician")
    flow_ml = Decimal(5) / Decimal(25)  # mL/day: the primary's dose ÷ its concentration
    clonidine_mcg = flow_ml * Decimal(500)  # the adjuvant's dose: flow × its concentration

    patient = physician.get(f"/patients/{both.own_patient}").text
    pump_id = re.search(r'href="/pumps/([^"]+)"', patient)
    assert pump_id
    panel = _panel(physician.get(f"/pumps/{pump_id.group(1)}").text)
    charts = dict(
        re.findall(
            r"<figure><figcaption>(Basal daily dose of [^<]+)</figcaption>(<svg.*?</svg>)",
            panel,
            re.DOTALL,
        )
    )
    names = {d: reference_library().drug(d).name for d in ("morphine", "clonidine")}
    morphine_caption = f"Basal daily dose of {names['morphine']} (mg/day)"
    clonidine_caption = f"Basal daily dose of {names['clonidine']} (mcg/day)"
    assert set(charts) == {morphine_caption, clonidine_caption}, list(charts)
    morphine_chart, clonidine_chart = charts[morphine_caption], charts[clonidine_caption]
    assert 'id="glance-dose-chart"' in morphine_chart
    assert 'id="glance-dose-chart-clonidine"' in clonidine_chart
    assert ": 5 mg/day" in morphine_chart
    assert f": {plain(clonidine_mcg)} mcg/day" in clonidine_chart
    assert "mcg" not in morphine_chart
    assert "mg/day" not in clonidine_chart.replace("mcg/day", "")
    table = re.search(r'<table id="glance-dose-points">.*?</table>', panel, re.DOTALL)
    assert table
    header = re.findall(r'<th scope="col">([^<]+)</th>', table.group(0))
    assert header == [
        "From",
        f"{names['morphine']} (mg/day)",
        f"{names['clonidine']} (mcg/day)",
    ]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", table.group(0))
    assert rows
    assert all((m, c) == ("5 mg/day", f"{plain(clonidine_mcg)} mcg/day") for _, m, c in rows)

    svgs = re.findall(
        r'<svg class="chart" id="(dose-chart-NGP-TWO-001[^"]*)".*?</svg>', patient, re.DOTALL
    )
    assert svgs == ["dose-chart-NGP-TWO-001", "dose-chart-NGP-TWO-001-clonidine"]
    clonidine_history = re.search(
        r'<svg class="chart" id="dose-chart-NGP-TWO-001-clonidine".*?</svg>', patient, re.DOTALL
    )
    assert clonidine_history
    assert f"{plain(clonidine_mcg)} mcg/day" in clonidine_history.group(0)
    points = re.search(
        r'<table id="dose-chart-NGP-TWO-001-clonidine-points">(.*?)</table>', patient, re.DOTALL
    )
    assert points, "no table of the clonidine chart's points"
    assert html.unescape(f"Daily dose of {names['clonidine']} (mcg/day)") in html.unescape(
        points.group(1)
    )
    doses = re.findall(r"<tr><td>[0-9-]+</td><td>([^<]+)</td></tr>", points.group(1))
    assert doses == [f"{plain(clonidine_mcg)} mcg/day"] * 2  # at implant and now


def _interrogate(clinic: Clinic, pump_id: str) -> None:
    physician = logged_in(clinic, "physician")
    action = f"/pumps/{pump_id}/interrogate"
    token = form_token(physician.get(f"/pumps/{pump_id}").text, action)
    done = physician.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text[-500:]


def test_an_eri_reported_by_an_interrogation_is_shown_with_its_date_not_only_projected(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    both.thecal.run_device(
        configure_twin,
        ConfigureTwin(serial="NGP-E2E-001", fault=BatteryDepletion(lost=Duration.days(2500))),
    )
    both.clock.advance(days=20)
    _interrogate(both, pump_id)
    first = both.clock.now()
    with both.thecal.uow() as uow:
        raised = [
            e
            for e in uow.device_log.events(pump_id)
            if e.code == "alarm-raised:elective-replacement"
        ]
    assert raised, "the twin's depleted battery raised no ERI"
    raised_at = min(e.at for e in raised)
    both.clock.advance(days=7)
    _interrogate(both, pump_id)  # a later interrogation does not move the first report

    physician = logged_in(both, "physician")
    battery = _fact(_panel(physician.get(f"/pumps/{pump_id}").text), "glance-battery")
    assert f"ERI reported on {first:%Y-%m-%d}" in battery
    assert f"raised by the pump {_minute(raised_at)}" in battery
    assert "projected from the service life" not in battery
    stop = raised_at + dt.timedelta(days=90)  # SynchroMed II stops 90 days after ERI (S50)
    assert f"EOS {stop:%Y-%m-%d} at the latest (90 days after the reported ERI)" in battery
    overview = physician.get(f"/api/v1/pumps/{pump_id}").json()
    assert dt.datetime.fromisoformat(overview["eri_reported_at"]) == first
    assert overview["end_of_service_reported_at"] is None


def test_a_pump_without_a_reported_eri_shows_the_projection(both: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    both.clock.advance(days=20)
    _interrogate(both, pump_id)
    physician = logged_in(both, "physician")
    battery = _fact(_panel(physician.get(f"/pumps/{pump_id}").text), "glance-battery")
    assert "ERI reported" not in battery
    assert "at the latest (projected from the service life)" in battery
    assert physician.get(f"/api/v1/pumps/{pump_id}").json()["eri_reported_at"] is None
