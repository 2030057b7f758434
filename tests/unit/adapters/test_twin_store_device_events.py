"""The persisted twin through a catheter revision and an explant (issue 12 §3): snapshot + tail
replay gives exactly the twin a full replay gives; the revised twin keeps its fluid balance
exact; an explanted twin takes no more commands and keeps its log."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from test_twin_store_snapshots import MORPHINE, PROGRAM, SERIAL, START, Clock, MemoryLog, _state

from thecal.adapters.twin import store as twin_store
from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.units import Volume
from thecal.services.pump_devices import ImplantSpec
from thecal.simulation.errors import PumpNotProgrammable


def _life(log: MemoryLog, clock: Clock, seed: int) -> list[str]:
    rng = random.Random(seed)
    outcomes: list[str] = []

    def tx(act: Callable[[TwinStoreDriver], Any]) -> None:
        outcomes.append(repr(act(TwinStoreDriver(log, clock=clock))))

    spec = ImplantSpec(
        serial=SERIAL,
        model_id="synchromed-ii-20",
        catheter_model_id="indura-1p-8709sc",
        catheter_length_cm=Decimal(60),
        at=START,
        seed=seed,
    )

    def implant(driver: TwinStoreDriver) -> Any:
        driver.implant(spec)
        driver.inject(SERIAL, volume=Volume.from_ml(20), admixture=MORPHINE)
        driver.program(SERIAL, PROGRAM)
        return driver.priming_bolus(SERIAL)

    tx(implant)
    for day in range(1, 121):
        clock.at = START + dt.timedelta(days=day, minutes=rng.randrange(0, 600))
        if day == 50:
            tx(
                lambda d: d.revise_catheter(
                    SERIAL, catheter_model_id="ascenda-8780", length_cm=Decimal(40)
                )
            )
            tx(lambda d: d.catheter_priming(SERIAL))
        if day == 100:
            tx(lambda d: d.withdraw_residual(SERIAL))
            tx(lambda d: d.explant(SERIAL, reason="explanted without replacement"))
        if day < 100 and rng.random() < 0.3:
            tx(lambda d: d.request_patient_bolus(SERIAL))
        if day % 20 == 0:
            tx(lambda d: d.interrogate(SERIAL))
    return outcomes


@pytest.fixture(autouse=True)
def often(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twin_store, "SNAPSHOT_EVERY", 5)


@pytest.mark.parametrize("seed", [1, 2])
def test_revision_and_explant_replay_exactly_from_a_snapshot(seed: int) -> None:
    with_snapshots, without = MemoryLog(keeps_snapshots=True), MemoryLog(keeps_snapshots=False)
    outcomes = _life(with_snapshots, Clock(), seed)
    assert outcomes == _life(without, Clock(), seed)
    resumed = TwinStoreDriver(with_snapshots, clock=Clock())
    replayed = TwinStoreDriver(without, clock=Clock())
    assert _state(resumed) == _state(replayed)
    twin = replayed.twin(SERIAL)
    assert twin.catheter.id == "ascenda-8780"
    assert twin.dead_space == Volume.from_ml(Decimal("0.304"))  # 40 cm × 0.0026 + 0.2 mL
    came_in, now = twin.mech.conservation()
    assert came_in == now
    assert [c.kind for c in without.commands].count("catheter-priming") == 1
    kinds = [c.kind for c in without.commands]
    assert set(kinds[kinds.index("explant") + 1 :]) == {"interrogate"}  # still read, never run
    with pytest.raises(PumpNotProgrammable):
        replayed.program(SERIAL, PROGRAM)
