"""Interrogating from the pump page (issue 13 §5), on SQLite and PostgreSQL: the button answers
with a redirect to the pump page showing the result read back from the record — the pump's
count beside the record's estimate, the discrepancy, the alarms it reported — so a reload shows
the same result and interrogates nothing again."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from api_support import (
    Clinic,
    implant_pump_with_patient_bolus,
    logged_in,
)
from test_web_pages import form_token

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.authorization import Action
from thecal.domain.program import InfusionProgram
from thecal.domain.quantity_display import shown
from thecal.domain.units import DoseRate, Duration, Volume
from thecal.domain.users import Actor, Role
from thecal.services.demo.clinic import ConfigureTwin, configure_twin
from thecal.services.pumps import GetPump, get_pump
from thecal.simulation.faults import BatteryDepletion, MotorStall


def _interrogations(clinic: Clinic) -> int:
    with clinic.thecal.uow() as uow:
        return sum(1 for e in uow.audit_log.entries() if e.action == Action.PUMP_INTERROGATE.value)


def _text(page: str, ident: str) -> str:
    found = re.search(rf'<p[^>]* id="{ident}">(.*?)</p>', page, re.DOTALL)
    assert found, f"no {ident} on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def test_an_interrogation_redirects_to_its_result_and_a_reload_repeats_nothing(
    both: Clinic,
) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    both.thecal.run_device(
        configure_twin,
        ConfigureTwin(serial="NGP-E2E-001", fault=BatteryDepletion(lost=Duration.days(2500))),
    )
    both.clock.advance(days=20)
    nurse = logged_in(both, "nurse")
    action = f"/pumps/{pump_id}/interrogate"
    token = form_token(nurse.get(f"/pumps/{pump_id}").text, action)

    done = nurse.post(action, data={"csrf_token": token}, follow_redirects=False)

    assert done.status_code == 303, done.text[-800:]
    target = done.headers["location"]
    assert target.startswith(f"/pumps/{pump_id}?interrogated=")
    assert _interrogations(both) == 1
    actor = Actor(user_id=both.users[Role.NURSE], role=Role.NURSE)
    reading = both.thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id)).reservoir_reading
    assert reading is not None
    for _ in range(2):  # the browser's reload of the answer is a GET
        page = nurse.get(target)
        assert page.status_code == 200
        result = _text(page.text, "interrogation-result")
        assert f"the pump counted {shown(reading.pump_count)} in the reservoir" in result
        assert f"the record expected {shown(reading.by_record)}" in result
        gap = reading.by_record.ml - reading.pump_count.ml
        if round(gap, 3):  # a gap under 0.001 mL reads as a match, never "≈ 0 mL more"
            side = "less" if gap > 0 else "more"
            assert f"counts {shown(Volume(abs(gap)))} {side} than the record expected" in result
        else:
            assert "the pump's count matches the record" in result
        assert "accuracy of the" in result
        assert "Elective replacement indicator (ERI)" in _text(page.text, "interrogation-alarms")
    assert _interrogations(both) == 1  # the reloads interrogated nothing
    assert 'id="interrogation-result"' not in nurse.get(f"/pumps/{pump_id}").text


def test_a_count_beyond_the_accuracy_band_is_shown_as_a_discrepancy(both: Clinic) -> None:
    pump_id = implant_pump_with_patient_bolus(both)
    actor = Actor(user_id=both.users[Role.PHYSICIAN], role=Role.PHYSICIAN)
    both.thecal.run_device(  # the motor stops: the pump keeps what the record believes delivered
        configure_twin, ConfigureTwin(serial="NGP-E2E-001", fault=MotorStall())
    )
    both.clock.advance(days=10)
    physician = logged_in(both, "physician")
    action = f"/pumps/{pump_id}/interrogate"
    token = form_token(physician.get(f"/pumps/{pump_id}").text, action)
    done = physician.post(action, data={"csrf_token": token})  # followed to the GET
    assert done.status_code == 200
    reading = both.thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id)).reservoir_reading
    assert reading is not None
    result = _text(done.text, "interrogation-result")
    assert reading.pump_count.ml > reading.by_record.ml
    assert f"counts {shown(reading.pump_count - reading.by_record)} more than the record" in result
    assert "a reservoir-discrepancy finding is on the worklist" in result
    assert 'class="caution" id="interrogation-result"' in done.text


def test_a_pump_running_a_program_behind_the_records_back_is_named_on_the_result(
    both: Clinic,
) -> None:
    """The vendor's programmer raised the dose to 7.5 mg/day: the result names the mismatch, the
    record keeps its 5 mg/day, and a plain interrogation before it shows no mismatch."""
    pump_id = implant_pump_with_patient_bolus(both)
    nurse = logged_in(both, "nurse")
    action = f"/pumps/{pump_id}/interrogate"

    def interrogate() -> str:
        token = form_token(nurse.get(f"/pumps/{pump_id}").text, action)
        done = nurse.post(action, data={"csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303, done.text[-800:]
        return nurse.get(done.headers["location"]).text

    assert 'id="interrogation-program-mismatch"' not in interrogate()
    actor = Actor(user_id=both.users[Role.NURSE], role=Role.NURSE)
    pump = both.thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id))
    elsewhere = InfusionProgram.continuous(
        pump.program.admixture,
        DoseRate.from_mg_per_day(Decimal("7.5")),
        patient_bolus=pump.program.patient_bolus,
    )
    with both.thecal.uow() as uow:
        TwinStoreDriver.for_unit_of_work(uow, clock=both.clock).program("NGP-E2E-001", elsewhere)
        uow.commit()
    both.clock.advance(minutes=10)

    mismatch = _text(interrogate(), "interrogation-program-mismatch")

    assert "Program mismatch" in mismatch
    assert "step 1 rate: record 5 mg/day, pump 7.5 mg/day" in mismatch
    assert "An urgent finding is on the worklist" in mismatch
    worklist = nurse.get("/").text
    assert "program mismatch" in worklist
    assert both.thecal.run(get_pump, GetPump(actor=actor, pump_id=pump_id)).program == pump.program
