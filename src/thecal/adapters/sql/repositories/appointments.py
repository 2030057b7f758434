"""The appointment repository, with the slot rows (the double-booking guard).

A booked visit's slot rows (``appointment_slots``, primary key ``(resource, slot_at)``) are written
in the same transaction as the visit and deleted when the visit gives its slots up. A slot row
that already exists is a visit booked at the same time: the insert fails with the database's
integrity error, translated once here into ``SlotTaken``. On PostgreSQL a concurrent booking may
instead fail with a serialization failure; the unit of work's retry then runs the use case
again, which finds the slot taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.appointments import appointment_from_row, appointment_to_row
from thecal.adapters.sql.repositories.versioned import versioned_update
from thecal.adapters.sql.tables.appointments import appointment_slots, appointments
from thecal.domain.scheduling import Appointment, SlotTaken, VisitPurpose
from thecal.services.repositories.appointments import AppointmentRepository

__all__ = ["SqlAlchemyAppointmentRepository"]


class SqlAlchemyAppointmentRepository(AppointmentRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _hold_slots(self, aggregate: Appointment) -> None:
        rows = [
            {"resource": resource, "slot_at": at, "appointment_id": aggregate.id}
            for resource, at in aggregate.slots()
        ]
        try:
            self._s.execute(insert(appointment_slots), rows)
        except IntegrityError as taken:
            raise SlotTaken(
                resource="the clinician or the room", at=aggregate.starts_at.isoformat()
            ) from taken

    def _add(self, aggregate: Appointment) -> None:
        self._s.execute(insert(appointments).values(**appointment_to_row(aggregate)))
        if aggregate.holds_slots:
            self._hold_slots(aggregate)

    def _get(self, ident: str) -> Appointment | None:
        row = (
            self._s.execute(select(appointments).where(appointments.c.id == ident))
            .mappings()
            .first()
        )
        return appointment_from_row(row) if row else None

    def _update(self, aggregate: Appointment, *, expected_version: int) -> bool:
        written = versioned_update(
            self._s, appointments, aggregate.id, expected_version, appointment_to_row(aggregate)
        )
        if written and not aggregate.holds_slots:
            self._s.execute(
                delete(appointment_slots).where(appointment_slots.c.appointment_id == aggregate.id)
            )
        return written

    def _for_patient(self, patient_id: str) -> Sequence[Appointment]:
        statement = (
            select(appointments)
            .where(appointments.c.patient_id == patient_id)
            .order_by(appointments.c.starts_at, appointments.c.id)
        )
        return [appointment_from_row(r) for r in self._s.execute(statement).mappings()]

    def _between(
        self, start: dt.datetime, end: dt.datetime, *, clinician_id: str | None
    ) -> Sequence[Appointment]:
        statement = select(appointments).where(
            appointments.c.starts_at >= start, appointments.c.starts_at < end
        )
        if clinician_id is not None:
            statement = statement.where(appointments.c.clinician_id == clinician_id)
        statement = statement.order_by(appointments.c.starts_at, appointments.c.id)
        return [appointment_from_row(r) for r in self._s.execute(statement).mappings()]

    def busy(
        self, resources: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> Mapping[tuple[str, dt.datetime], str]:
        if not resources:
            return {}
        statement = select(
            appointment_slots.c.resource,
            appointment_slots.c.slot_at,
            appointment_slots.c.appointment_id,
        ).where(
            appointment_slots.c.resource.in_(list(resources)),
            appointment_slots.c.slot_at >= start,
            appointment_slots.c.slot_at < end,
        )
        return {(r.resource, r.slot_at): r.appointment_id for r in self._s.execute(statement)}

    def for_purposes(self, purposes: Sequence[VisitPurpose]) -> Sequence[Appointment]:
        refs = sorted({p.ref for p in purposes if p.ref is not None})
        if not refs:
            return []
        statement = select(appointments).where(appointments.c.purpose_ref.in_(refs))
        found = [appointment_from_row(r) for r in self._s.execute(statement).mappings()]
        wanted = set(purposes)
        return [a for a in found if a.purpose in wanted and self._remember(a)]
