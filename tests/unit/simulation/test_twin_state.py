"""Saving a twin as JSON and restoring it: the restored twin behaves exactly like the original.

The round-trip property: for any history and any later command sequence, the original twin and
``restore(json.loads(json.dumps(snapshot(original))))`` give the same outcome for every command,
the same trace and the same final state (including what the seeded generator draws next).
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest
import twin_commands as tc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thecal.adapters.twin.driver import TwinPumpDriver
from thecal.adapters.twin.state import FORMAT, VERSION, restore, snapshot
from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.units import Volume
from thecal.simulation.errors import TwinStateInvalid
from thecal.simulation.faults import Leak
from thecal.simulation.twin import PumpTwin

LIBRARY = reference_library()


def _through_json(twin: PumpTwin, library: ReferenceLibrary = LIBRARY) -> PumpTwin:
    return restore(json.loads(json.dumps(snapshot(twin))), library=library)


def _no_floats(data: Any) -> bool:
    if isinstance(data, float):
        return False
    if isinstance(data, dict):
        return all(_no_floats(v) for v in data.values())
    if isinstance(data, list):
        return all(_no_floats(v) for v in data)
    return True


def _run_both(original: PumpTwin, copy: PumpTwin, later: list[tc.Command]) -> None:
    for command in later:
        assert tc.apply(copy, command) == tc.apply(original, command), command
    assert tc.fingerprint(copy) == tc.fingerprint(original)
    assert copy.rng.random() == original.rng.random()


@given(
    setup=tc.twin_setups(),
    history=st.lists(tc.commands(), max_size=25),
    later=st.lists(tc.commands(), max_size=25),
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_restored_twin_behaves_identically_for_any_later_commands(
    setup: tuple[str, str, bool, int], history: list[tc.Command], later: list[tc.Command]
) -> None:
    original = tc.make_twin(LIBRARY, setup)
    for command in history:
        tc.apply(original, command)
    copy = _through_json(original)
    assert tc.fingerprint(copy) == tc.fingerprint(original)
    _run_both(original, copy, later)


@pytest.mark.parametrize("seed", range(12))
def test_long_random_lives_survive_a_save_and_restore_at_any_point(seed: int) -> None:
    rng = random.Random(seed)
    pump = rng.choice(["synchromed-ii-20", "prometra-20", "prometra-ii-20", "synchromed-ii-40"])
    setup = (pump, rng.choice(["0", "2.5", "-2.4"]), rng.random() < 0.5, seed)
    commands = tc.random_commands(rng, 240)
    cut = rng.randint(0, len(commands))
    original = tc.make_twin(LIBRARY, setup)
    for command in commands[:cut]:
        tc.apply(original, command)
    _run_both(original, _through_json(original), commands[cut:])


def test_a_snapshot_is_plain_json_without_floats_and_says_its_format() -> None:
    twin = tc.make_twin(LIBRARY, ("synchromed-ii-20", "2.5", True, 1))
    twin.advance_to_us(3 * 86_400_000_000)
    twin.request_patient_bolus()
    data = snapshot(twin)
    assert data["format"] == FORMAT
    assert data["version"] == VERSION
    assert json.loads(json.dumps(data)) == data
    assert _no_floats(data)


def test_exact_quantities_are_written_as_text() -> None:
    twin = tc.make_twin(LIBRARY, ("synchromed-ii-20", "2.5", True, 1))
    twin.advance_to_us(86_400_000_000)
    data = snapshot(twin)
    mechanics = data["mechanics"]
    assert mechanics["believed"] == str(twin.mech.believed)
    assert data["accuracy_bias_pct"] == "5/2"
    assert data["catheter_length_cm"] == "55"


def test_a_restored_twin_reports_the_same_belief_and_truth() -> None:
    twin = tc.make_twin(LIBRARY, ("prometra-ii-20", "-2.4", False, 2))
    twin.inject_fault(Leak(percent=Decimal(30)))
    twin.advance_to_us(5 * 86_400_000_000)
    copy = _through_json(twin)
    assert copy.belief == twin.belief
    assert copy.truth == twin.truth
    assert copy.mech.path.contents() == twin.mech.path.contents()


def test_an_unknown_version_is_refused() -> None:
    data = snapshot(tc.make_twin(LIBRARY, ("synchromed-ii-20", "0", True, 0)))
    data["version"] = VERSION + 1
    with pytest.raises(TwinStateInvalid) as caught:
        restore(data, library=LIBRARY)
    assert caught.value.code == "THC-SIM-002"


def test_something_that_is_not_a_twin_state_is_refused() -> None:
    with pytest.raises(TwinStateInvalid):
        restore({"format": "something-else", "version": VERSION}, library=LIBRARY)


def test_a_damaged_twin_state_is_refused_not_guessed() -> None:
    data = snapshot(tc.make_twin(LIBRARY, ("synchromed-ii-20", "0", True, 0)))
    data["mechanics"]["reservoir_units"] = str(10**30)  # more than any reservoir holds
    with pytest.raises(TwinStateInvalid):
        restore(data, library=LIBRARY)


def test_the_driver_saves_and_restores_a_pump_across_driver_instances() -> None:
    first = TwinPumpDriver()
    twin = tc.make_twin(LIBRARY, ("synchromed-ii-20", "2.5", True, 3))
    first.add(twin)
    first.set_pocket_fill(twin.serial, Decimal(40))
    twin.advance_to_us(10 * 86_400_000_000)
    saved = json.loads(json.dumps(first.snapshot(twin.serial)))

    second = TwinPumpDriver(library=LIBRARY)
    second.restore(twin.serial, saved)
    assert second.interrogate(twin.serial) == first.interrogate(twin.serial)
    first.withdraw_residual(twin.serial)
    second.withdraw_residual(twin.serial)
    morphine = tc.admixture("m10")
    first_receipt = first.inject(twin.serial, volume=Volume.from_ml(10), admixture=morphine)
    second_receipt = second.inject(twin.serial, volume=Volume.from_ml(10), admixture=morphine)
    assert second_receipt == first_receipt
    assert second.twin(twin.serial).truth == first.twin(twin.serial).truth
    assert second.twin(twin.serial).truth.pocket > Volume.from_ml(0)  # the pending pocket fill


def test_the_driver_refuses_a_saved_state_of_another_pump() -> None:
    driver = TwinPumpDriver()
    data = snapshot(tc.make_twin(LIBRARY, ("synchromed-ii-20", "0", True, 0)))
    with pytest.raises(TwinStateInvalid):
        driver.restore("ANOTHER-PUMP", data)
