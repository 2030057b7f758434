"""Alarm changes that happen at the same instant are logged and traced one at a time, in order."""

from __future__ import annotations

from collections.abc import Callable

from conftest import MORPHINE_25
from thecal.domain.program import InfusionProgram
from thecal.domain.units import DoseRate, Volume
from thecal.simulation.twin import PumpTwin


def test_a_refill_of_an_empty_pump_clears_low_then_empty_each_with_its_own_snapshot(
    make_twin: Callable[..., PumpTwin],
) -> None:
    twin = make_twin()
    twin.inject(Volume.from_ml(3), MORPHINE_25)
    twin.program(InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(25)))
    twin.advance_to_us(4 * 86_400_000_000)  # 1 mL/day: the count reaches zero on day 3
    assert twin.alarms.codes() == ("empty-reservoir", "low-reservoir")

    twin.withdraw_residual()
    twin.inject(Volume.from_ml(20), MORPHINE_25)

    cleared = [r for r in twin.trace if r.kind == "alarm" and r.detail == "cleared"]
    assert [(r.name, r.alarms) for r in cleared] == [
        ("low-reservoir", ("empty-reservoir",)),  # empty is still active when low clears
        ("empty-reservoir", ()),
    ]
    codes = [e.code for e in twin.events if e.code.startswith("alarm-cleared")]
    assert codes == ["alarm-cleared:low-reservoir", "alarm-cleared:empty-reservoir"]


def test_the_empty_alarm_is_raised_at_the_exact_microsecond_the_count_reaches_zero(
    make_twin: Callable[..., PumpTwin],
) -> None:
    twin = make_twin()
    twin.inject(Volume.from_ml(3), MORPHINE_25)
    twin.program(InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(25)))
    twin.advance_to_us(4 * 86_400_000_000)
    raised = {r.name: r.at_us for r in twin.trace if r.kind == "alarm" and r.detail == "raised"}
    assert raised["empty-reservoir"] == 3 * 86_400_000_000  # 3 mL at exactly 1 mL/day
    assert raised["low-reservoir"] == 86_400_000_000  # 2 mL alarm level: after 1 mL
