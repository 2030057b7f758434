"""The twin-backed pump driver speaks the port: the service sees measurements, never the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from conftest import MORPHINE_25, START
from thecal.adapters.twin.driver import TwinPumpDriver
from thecal.domain.program import InfusionProgram
from thecal.domain.units import DoseRate, Volume
from thecal.services.pump_driver import ProgramAck, PumpDriver
from thecal.simulation.faults import TelemetryFailure
from thecal.simulation.twin import PumpTwin


def test_refill_through_the_port_reveals_a_pocket_fill_only_at_the_next_withdrawal(
    make_twin: Callable[..., PumpTwin],
) -> None:
    driver = TwinPumpDriver()
    port: PumpDriver = driver
    driver.add(make_twin())
    serial = driver.serials()[0]
    port.inject(serial, volume=Volume.from_ml(20), admixture=MORPHINE_25)
    program = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(5))
    assert port.program(serial, program) is ProgramAck.ACKNOWLEDGED
    driver.advance_to(START + dt.timedelta(days=30))
    assert port.withdraw_residual(serial).measured == Volume.from_ml(14)
    driver.set_pocket_fill(serial, Decimal(50))
    receipt = port.inject(serial, volume=Volume.from_ml(20), admixture=MORPHINE_25)
    assert receipt.reservoir_estimate == Volume.from_ml(20)  # the clinician cannot see the miss
    driver.advance_to(START + dt.timedelta(days=40))
    snapshot = port.interrogate(serial)
    assert snapshot.reservoir_estimate == Volume.from_ml(18)
    assert port.withdraw_residual(serial).measured == Volume.from_ml(8)


def test_program_over_a_failed_link_is_uncertain(make_twin: Callable[..., PumpTwin]) -> None:
    driver = TwinPumpDriver()
    driver.add(make_twin())
    serial = driver.serials()[0]
    driver.inject_fault(serial, TelemetryFailure(applied=True))
    program = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(5))
    assert driver.program(serial, program) is ProgramAck.UNCERTAIN
    answer = driver.request_patient_bolus(serial)
    assert answer.uncertain
    assert not answer.granted
