"""Concurrent refills of one pump (SR-24): with N ∈ {2, 4, 8, 16} threads and different
idempotency keys exactly one refill lands and every other caller gets a ``Conflict``; the same
key retried returns the first refill and never refills twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from pathway_scenario import NURSE, MovableClock, actor, implant, refill, verify

from thecal.bootstrap import Thecal
from thecal.domain.audit import verify_chain
from thecal.domain.errors import Conflict
from thecal.services.pharmacy import verify_admixture
from thecal.services.pumps import GetPump, get_pump, implant_pump
from thecal.services.refills import RefillOutcome, perform_refill


def withdrawals(clinic: Thecal) -> int:
    with clinic.uow() as uow:
        return sum(1 for c in uow.device_commands.for_serial("NGP-000123") if c.kind == "withdraw")


@pytest.mark.parametrize("threads", [2, 4, 8, 16])
def test_of_n_concurrent_refills_of_one_pump_exactly_one_lands_and_the_rest_conflict(
    clinic: Thecal, clock: MovableClock, threads: int
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=30)
    clinic.run(verify_admixture, verify(clock.now()))
    version = clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version
    barrier = threading.Barrier(threads)

    def attempt(index: int) -> RefillOutcome | Conflict:
        barrier.wait()
        try:
            return clinic.run_device(perform_refill, refill(version, key=f"refill-{index}"))
        except Conflict as conflict:
            return conflict

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(attempt, range(threads)))
    winners = [r for r in results if isinstance(r, RefillOutcome)]
    assert len(winners) == 1
    assert sum(isinstance(r, Conflict) for r in results) == threads - 1
    assert withdrawals(clinic) == 1  # no lost update, no second refill on the twin
    with clinic.uow() as uow:
        assert len(uow.refills.for_pump("pump-1")) == 1
        assert verify_chain(
            list(uow.audit_log.entries()),
            key=clinic.settings.audit_key_bytes,
            anchor=uow.audit_log.recorded_head(),
        ).ok


def test_the_same_idempotency_key_retried_returns_the_first_refill_and_refills_once(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=30)
    clinic.run(verify_admixture, verify(clock.now()))
    version = clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version
    first = clinic.run_device(perform_refill, refill(version))
    again = clinic.run_device(perform_refill, refill(version))
    assert again.replayed
    assert again.refill.refill_id == first.refill.refill_id
    assert withdrawals(clinic) == 1
