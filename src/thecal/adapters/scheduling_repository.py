"""SQLAlchemy repositories of the scheduling aggregates (``services/scheduling/repositories.py``).

The appointment repository writes a booked visit's slot rows (``appointment_slots``, primary key
``(resource, slot_at)``) in the same transaction as the visit, and deletes them when the visit
gives its slots up. A slot row that already exists is a visit booked at the same time: the insert
fails with the database's integrity error, translated once here into ``SlotTaken``. On PostgreSQL
a concurrent booking may instead fail with a serialization failure; the unit of work's retry then
runs the use case again, which finds the slot taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from thecal.adapters import scheduling_mappers as m
from thecal.adapters.database import Executor
from thecal.adapters.orm import patients
from thecal.adapters.orm_scheduling import (
    appointment_slots,
    appointments,
    calendar_closures,
    calendar_feeds,
    referrals,
    reminder_preferences,
    reminders,
    rooms,
    visit_needs,
    working_hours,
)
from thecal.domain.scheduling import (
    Appointment,
    CalendarFeed,
    Closure,
    Referral,
    ReferralState,
    Reminder,
    ReminderPreference,
    ReminderState,
    Room,
    SlotTaken,
    VisitNeed,
    VisitPurpose,
    WorkingHours,
)
from thecal.services.repositories import StaleAggregate
from thecal.services.scheduling.repositories import (
    AppointmentRepository,
    CalendarFeedRepository,
    CalendarRepository,
    ReferralRepository,
    ReminderPreferenceRepository,
    ReminderRepository,
    VisitNeedRepository,
)

__all__ = [
    "SqlAlchemyAppointmentRepository",
    "SqlAlchemyCalendarFeedRepository",
    "SqlAlchemyCalendarRepository",
    "SqlAlchemyReferralRepository",
    "SqlAlchemyReminderPreferenceRepository",
    "SqlAlchemyReminderRepository",
    "SqlAlchemyVisitNeedRepository",
]


def _versioned(s: Executor, table: Any, ident: str, expected: int, values: dict[str, Any]) -> bool:
    values = {k: v for k, v in values.items() if k != "id"}
    result = s.execute(
        update(table).where(table.c.id == ident, table.c.version == expected).values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlAlchemyReferralRepository(ReferralRepository):
    def __init__(self, session: Executor) -> None:
        super().__init__()
        self._s = session

    def _add(self, aggregate: Referral) -> None:
        self._s.execute(insert(referrals).values(**m.referral_to_row(aggregate)))

    def _get(self, ident: str) -> Referral | None:
        row = self._s.execute(select(referrals).where(referrals.c.id == ident)).mappings().first()
        return m.referral_from_row(row) if row else None

    def _update(self, aggregate: Referral, *, expected_version: int) -> bool:
        return _versioned(
            self._s, referrals, aggregate.id, expected_version, m.referral_to_row(aggregate)
        )

    def _page(
        self, *, states: frozenset[ReferralState] | None, limit: int, offset: int
    ) -> Sequence[Referral]:
        statement = select(referrals)
        if states is not None:
            statement = statement.where(referrals.c.state.in_([s.value for s in states]))
        statement = statement.order_by(referrals.c.received_at, referrals.c.id)
        rows = self._s.execute(statement.limit(limit).offset(offset)).mappings()
        return [m.referral_from_row(r) for r in rows]

    def _for_patient(self, patient_id: str) -> Sequence[Referral]:
        statement = (
            select(referrals)
            .where(referrals.c.patient_id == patient_id)
            .order_by(referrals.c.received_at, referrals.c.id)
        )
        return [m.referral_from_row(r) for r in self._s.execute(statement).mappings()]

    def count_from(self, client_key: str, *, since: dt.datetime) -> int:
        statement = select(func.count()).where(
            referrals.c.client_key == client_key, referrals.c.received_at >= since
        )
        return int(self._s.execute(statement).scalar_one())


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
        self._s.execute(insert(appointments).values(**m.appointment_to_row(aggregate)))
        if aggregate.holds_slots:
            self._hold_slots(aggregate)

    def _get(self, ident: str) -> Appointment | None:
        row = (
            self._s.execute(select(appointments).where(appointments.c.id == ident))
            .mappings()
            .first()
        )
        return m.appointment_from_row(row) if row else None

    def _update(self, aggregate: Appointment, *, expected_version: int) -> bool:
        written = _versioned(
            self._s, appointments, aggregate.id, expected_version, m.appointment_to_row(aggregate)
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
        return [m.appointment_from_row(r) for r in self._s.execute(statement).mappings()]

    def _between(
        self, start: dt.datetime, end: dt.datetime, *, clinician_id: str | None
    ) -> Sequence[Appointment]:
        statement = select(appointments).where(
            appointments.c.starts_at >= start, appointments.c.starts_at < end
        )
        if clinician_id is not None:
            statement = statement.where(appointments.c.clinician_id == clinician_id)
        statement = statement.order_by(appointments.c.starts_at, appointments.c.id)
        return [m.appointment_from_row(r) for r in self._s.execute(statement).mappings()]

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
        found = [m.appointment_from_row(r) for r in self._s.execute(statement).mappings()]
        wanted = set(purposes)
        return [a for a in found if a.purpose in wanted and self._remember(a)]


class SqlAlchemyCalendarRepository(CalendarRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session
        self.written = False

    def rooms(self) -> Sequence[Room]:
        statement = select(rooms).order_by(rooms.c.name)
        return [m.room_from_row(r) for r in self._s.execute(statement).mappings()]

    def put_room(self, room: Room) -> None:
        values = {"id": room.id, "name": room.name, "location": room.location.value}
        if self._s.execute(select(rooms.c.id).where(rooms.c.id == room.id)).first() is None:
            self._s.execute(insert(rooms).values(**values))
        else:
            self._s.execute(update(rooms).where(rooms.c.id == room.id).values(**values))
        self.written = True

    def working_hours(self, user_id: str) -> Sequence[WorkingHours]:
        statement = (
            select(working_hours)
            .where(working_hours.c.user_id == user_id)
            .order_by(working_hours.c.weekday, working_hours.c.starts)
        )
        return [m.working_hours_from_row(r) for r in self._s.execute(statement).mappings()]

    def scheduled_users(self) -> Sequence[str]:
        statement = select(working_hours.c.user_id).distinct().order_by(working_hours.c.user_id)
        return [str(r.user_id) for r in self._s.execute(statement)]

    def set_working_hours(self, user_id: str, hours: Sequence[WorkingHours]) -> None:
        self._s.execute(delete(working_hours).where(working_hours.c.user_id == user_id))
        if hours:
            self._s.execute(
                insert(working_hours),
                [
                    {
                        "user_id": user_id,
                        "weekday": h.weekday,
                        "starts": f"{h.starts:%H:%M}",
                        "ends": f"{h.ends:%H:%M}",
                    }
                    for h in hours
                ],
            )
        self.written = True

    def closures(self, *, user_id: str | None, first: dt.date, last: dt.date) -> Sequence[Closure]:
        whose: Any = calendar_closures.c.user_id.is_(None)
        if user_id is not None:
            whose = whose | (calendar_closures.c.user_id == user_id)
        statement = (
            select(calendar_closures)
            .where(
                whose, calendar_closures.c.ends_on >= first, calendar_closures.c.starts_on <= last
            )
            .order_by(calendar_closures.c.starts_on, calendar_closures.c.id)
        )
        return [m.closure_from_row(r) for r in self._s.execute(statement).mappings()]

    def add_closure(self, closure: Closure) -> None:
        self._s.execute(
            insert(calendar_closures).values(
                id=closure.id,
                user_id=closure.user_id,
                starts_on=closure.starts_on,
                ends_on=closure.ends_on,
                reason=closure.reason,
            )
        )
        self.written = True

    def remove_closure(self, closure_id: str) -> bool:
        result = self._s.execute(
            delete(calendar_closures).where(calendar_closures.c.id == closure_id)
        )
        self.written = True
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlAlchemyVisitNeedRepository(VisitNeedRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def for_patient(self, patient_id: str) -> Sequence[VisitNeed]:
        statement = (
            select(visit_needs)
            .where(visit_needs.c.patient_id == patient_id)
            .order_by(visit_needs.c.latest, visit_needs.c.id)
        )
        return [m.need_from_row(r) for r in self._s.execute(statement).mappings()]

    def patients(self) -> Sequence[str]:
        return [str(r.id) for r in self._s.execute(select(patients.c.id).order_by(patients.c.id))]

    def replace_for_patient(self, patient_id: str, needs: Sequence[VisitNeed]) -> None:
        stored = {n.id: n for n in self.for_patient(patient_id)}
        wanted = {n.id: n for n in needs}
        gone = [ident for ident in stored if ident not in wanted]
        if gone:
            self._s.execute(delete(visit_needs).where(visit_needs.c.id.in_(gone)))
        for ident, need in wanted.items():
            if ident not in stored:
                self._s.execute(insert(visit_needs).values(**m.need_to_row(need)))
            elif stored[ident] != need:
                values = {k: v for k, v in m.need_to_row(need).items() if k != "id"}
                self._s.execute(
                    update(visit_needs).where(visit_needs.c.id == ident).values(**values)
                )

    def get(self, need_id: str) -> VisitNeed | None:
        row = (
            self._s.execute(select(visit_needs).where(visit_needs.c.id == need_id))
            .mappings()
            .first()
        )
        return m.need_from_row(row) if row else None


class SqlAlchemyReminderRepository(ReminderRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add(self, reminder: Reminder) -> None:
        self._s.execute(insert(reminders).values(**m.reminder_to_row(reminder)))

    def get(self, reminder_id: str) -> Reminder | None:
        row = (
            self._s.execute(select(reminders).where(reminders.c.id == reminder_id))
            .mappings()
            .first()
        )
        return m.reminder_from_row(row) if row else None

    def update(self, reminder: Reminder) -> None:
        values = {k: v for k, v in m.reminder_to_row(reminder).items() if k != "id"}
        result = self._s.execute(
            update(reminders)
            .where(reminders.c.id == reminder.id, reminders.c.version == reminder.version - 1)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleAggregate(kind="reminder", ident=reminder.id, expected=reminder.version - 1)

    def for_appointment(self, appointment_id: str) -> Sequence[Reminder]:
        statement = (
            select(reminders)
            .where(reminders.c.appointment_id == appointment_id)
            .order_by(reminders.c.due_at, reminders.c.id)
        )
        return [m.reminder_from_row(r) for r in self._s.execute(statement).mappings()]

    def due(self, now: dt.datetime, *, limit: int) -> Sequence[Reminder]:
        statement = (
            select(reminders)
            .where(reminders.c.state == ReminderState.PENDING.value, reminders.c.due_at <= now)
            .order_by(reminders.c.due_at, reminders.c.id)
            .limit(limit)
        )
        return [m.reminder_from_row(r) for r in self._s.execute(statement).mappings()]

    def claimed(self) -> Sequence[Reminder]:
        statement = select(reminders).where(reminders.c.state == ReminderState.SENDING.value)
        return [m.reminder_from_row(r) for r in self._s.execute(statement).mappings()]


class SqlAlchemyReminderPreferenceRepository(ReminderPreferenceRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def get(self, patient_id: str) -> ReminderPreference | None:
        row = (
            self._s.execute(
                select(reminder_preferences).where(reminder_preferences.c.patient_id == patient_id)
            )
            .mappings()
            .first()
        )
        return m.preference_from_row(row) if row else None

    def put(self, preference: ReminderPreference) -> None:
        values = {
            "patient_id": preference.patient_id,
            "email": preference.email,
            "detail": preference.detail.value,
            "version": preference.version,
        }
        if self.get(preference.patient_id) is None:
            self._s.execute(insert(reminder_preferences).values(**values))
        else:
            self._s.execute(
                update(reminder_preferences)
                .where(reminder_preferences.c.patient_id == preference.patient_id)
                .values(**values)
            )


class SqlAlchemyCalendarFeedRepository(CalendarFeedRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add(self, feed: CalendarFeed) -> None:
        self._s.execute(
            insert(calendar_feeds).values(
                id=feed.id,
                user_id=feed.user_id,
                digest=feed.digest,
                created_at=feed.created_at,
                revoked_at=feed.revoked_at,
            )
        )

    def live_for_user(self, user_id: str) -> CalendarFeed | None:
        statement = select(calendar_feeds).where(
            calendar_feeds.c.user_id == user_id, calendar_feeds.c.revoked_at.is_(None)
        )
        row = self._s.execute(statement).mappings().first()
        return m.feed_from_row(row) if row else None

    def by_digest(self, digest: str) -> CalendarFeed | None:
        statement = select(calendar_feeds).where(calendar_feeds.c.digest == digest)
        row = self._s.execute(statement).mappings().first()
        return m.feed_from_row(row) if row else None

    def revoke(self, feed_id: str, *, at: dt.datetime) -> None:
        self._s.execute(
            update(calendar_feeds).where(calendar_feeds.c.id == feed_id).values(revoked_at=at)
        )
