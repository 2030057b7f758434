"""Concurrent bookings of one slot (SR-24, issue 17): with N ∈ {2, 4, 8, 16} threads each
booking the same clinician or the same room at the same time, exactly one visit is stored and
every other caller gets ``SlotTaken`` (409) — on SQLite and PostgreSQL. The database decides:
one row per (resource, slot) under a unique key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from pathway_scenario import NURSE, SECOND_PHYSICIAN, MovableClock
from scheduling_scenario import book, monday
from sqlalchemy import func, select

from thecal.adapters.sql.tables.appointments import appointment_slots, appointments
from thecal.bootstrap import Thecal
from thecal.domain.audit import verify_chain
from thecal.domain.scheduling import Appointment, SlotTaken
from thecal.services.scheduling.appointments import book_appointment


def _race(clinic: Thecal, commands: list[object]) -> list[object]:
    barrier = threading.Barrier(len(commands))

    def attempt(cmd: object) -> object:
        barrier.wait()
        try:
            return clinic.run(book_appointment, cmd)
        except SlotTaken as taken:
            return taken

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(attempt, commands))


def _stored(clinic: Thecal) -> tuple[int, int]:
    with clinic.engine.connect() as connection:
        visits = connection.execute(select(func.count()).select_from(appointments)).scalar_one()
        slots = connection.execute(select(func.count()).select_from(appointment_slots)).scalar_one()
    return visits, slots


@pytest.mark.parametrize("threads", [2, 4, 8, 16])
def test_of_n_concurrent_bookings_of_one_slot_exactly_one_wins(
    clinic: Thecal, clock: MovableClock, threads: int
) -> None:
    del clock
    start = monday(10)
    # half race for the same nurse in different rooms, half for the same room with another
    # clinician: every booking collides with every other on the clinician or the room
    commands: list[object] = [
        book(start, room="room-1", appointment_id=f"visit-{i}")
        if i % 2 == 0
        else book(start, clinician=NURSE.id, room="room-2", appointment_id=f"visit-{i}")
        for i in range(threads)
    ]
    results = _race(clinic, commands)
    winners = [r for r in results if isinstance(r, Appointment)]
    assert len(winners) == 1
    assert sum(isinstance(r, SlotTaken) for r in results) == threads - 1
    assert all(r.code == "THC-APPT-004" for r in results if isinstance(r, SlotTaken))
    assert _stored(clinic) == (1, 4)  # one 30-minute visit: 2 clinician + 2 room slots
    with clinic.uow() as uow:
        assert verify_chain(
            list(uow.audit_log.entries()),
            key=clinic.settings.audit_key_bytes,
            anchor=uow.audit_log.recorded_head(),
        ).ok


def test_a_room_raced_by_two_clinicians_is_booked_once(clinic: Thecal) -> None:
    start = monday(11)
    results = _race(
        clinic,
        [
            book(start, clinician=NURSE.id, room="room-1", appointment_id="nurse-visit"),
            book(start, clinician=SECOND_PHYSICIAN.id, room="room-1", appointment_id="peter-visit"),
        ],
    )
    assert sorted(type(r).__name__ for r in results) == ["Appointment", "SlotTaken"]
    assert _stored(clinic) == (1, 4)
