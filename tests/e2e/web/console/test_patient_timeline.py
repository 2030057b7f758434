"""The patient timeline with the pump therapy: pumps, procedures, assessments and pump alarms in
the dated list, and two accessible inline-SVG charts (pain over time, daily dose history)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

from api_support import START, Clinic, implant_pump_with_patient_bolus
from console_support import browser_login, post_form

from thecal.domain.admixture import Admixture
from thecal.domain.instruments.registry import Instrument
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.domain.users import Actor, Role
from thecal.services.assessments import RecordAssessment, record_assessment
from thecal.services.pumps import ImplantPump, implant_pump


def _name(drug_id: str) -> str:
    return reference_library().drug(drug_id).name


def _nrs(clinic: Clinic, pain: int, day: dt.date) -> None:
    clinic.thecal.run(
        record_assessment,
        RecordAssessment(
            actor=Actor(user_id=clinic.users[Role.NURSE], role=Role.NURSE),
            patient_id=clinic.own_patient,
            instrument=Instrument.NRS,
            answers={"pain": pain},
            assessed_on=day,
        ),
    )


def test_the_timeline_lists_the_pump_and_the_assessments_and_charts_pain_and_dose(
    demo_clinic: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    _nrs(demo_clinic, 8, START.date())
    demo_clinic.clock.advance(days=30)
    _nrs(demo_clinic, 4, START.date() + dt.timedelta(days=30))
    client = browser_login(demo_clinic, "physician")

    html = client.get(f"/patients/{demo_clinic.own_patient}").text

    assert "Pump NGP-E2E-001 implanted" in html
    assert f'href="/pumps/{pump_id}/console"' in html  # demo mode, a clinician
    assert html.count("NRS assessment") == 2
    pain = re.search(r'<svg class="chart" id="pain-chart".*?</svg>', html, re.DOTALL)
    assert pain, "no pain chart"
    assert '<title id="pain-chart-t">Pain (NRS 0–10) over time</title>' in pain.group(0)
    assert "2026-03-02: 8 NRS; 2026-04-01: 4 NRS" in pain.group(0)
    assert pain.group(0).count("<circle") == 2
    dose = re.search(r'<svg class="chart" id="dose-chart-NGP-E2E-001".*?</svg>', html, re.DOTALL)
    assert dose, "no dose chart"
    assert f"Daily dose of {_name('morphine')}, pump NGP-E2E-001" in unescape(dose.group(0))
    assert "2026-03-02: 5 mg/day; 2026-04-01: 5 mg/day" in dose.group(0)  # the step to now


def test_a_motor_stall_alarm_from_an_interrogation_joins_the_timeline(demo_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(demo_clinic)
    client = browser_login(demo_clinic, "nurse")
    console = f"/pumps/{pump_id}/console"
    post_form(client, console, f"{console}/command", kind="motor-stall")
    post_form(client, console, f"{console}/interrogate")

    html = client.get(f"/patients/{demo_clinic.own_patient}").text

    assert "Pump alarm: alarm-raised:motor-stall" in html
    assert "high priority" in html


def test_outside_demo_mode_the_timeline_offers_no_console(plain_clinic: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(plain_clinic)
    client = browser_login(plain_clinic, "nurse")

    html = client.get(f"/patients/{plain_clinic.own_patient}").text

    assert f'href="/pumps/{pump_id}"' in html
    assert "/console" not in html
    assert 'id="pain-chart"' not in html  # no pain scores yet, no empty chart


def test_a_baclofen_pumps_dose_chart_is_in_mcg_per_day(demo_clinic: Clinic) -> None:
    """Each drug in its one display unit (issue 13 §2): baclofen in mcg/day, never 0.2 mg/day."""
    baclofen = Admixture.single("baclofen", Concentration.from_mcg_per_ml(500))
    demo_clinic.thecal.run_device(
        implant_pump,
        ImplantPump(
            actor=Actor(user_id=demo_clinic.users[Role.PHYSICIAN], role=Role.PHYSICIAN),
            patient_id=demo_clinic.own_patient,
            pump_model_id="synchromed-ii-20",
            pump_serial="NGP-BAC-001",
            catheter_model_id="indura-1p-8709sc",
            catheter_length_cm=Decimal(60),
            catheter_tip_level="T10",
            initial_fill=baclofen,
            fill_volume=Volume.from_ml(20),
            initial_program=InfusionProgram.continuous(baclofen, DoseRate.from_mcg_per_day(200)),
        ),
    )
    demo_clinic.clock.advance(days=30)
    html = browser_login(demo_clinic, "physician").get(f"/patients/{demo_clinic.own_patient}").text
    dose = re.search(r'<svg class="chart" id="dose-chart-NGP-BAC-001".*?</svg>', html, re.DOTALL)
    assert dose, "no dose chart"
    assert f"Daily dose of {_name('baclofen')}, pump NGP-BAC-001" in unescape(dose.group(0))
    assert "2026-03-02: 200 mcg/day; 2026-04-01: 200 mcg/day" in dose.group(0)
    assert "mg/day" not in dose.group(0)
