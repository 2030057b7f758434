"""The reminder and reminder-preference repositories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert, select, update

from thecal.adapters.sql.database import Executor
from thecal.adapters.sql.mappers.reminders import (
    preference_from_row,
    reminder_from_row,
    reminder_to_row,
)
from thecal.adapters.sql.tables.reminders import reminder_preferences, reminders
from thecal.domain.scheduling import Reminder, ReminderPreference, ReminderState
from thecal.services.repositories.reminders import ReminderPreferenceRepository, ReminderRepository
from thecal.services.repositories.versioned import StaleAggregate

__all__ = ["SqlAlchemyReminderPreferenceRepository", "SqlAlchemyReminderRepository"]


class SqlAlchemyReminderRepository(ReminderRepository):
    def __init__(self, session: Executor) -> None:
        self._s = session

    def add(self, reminder: Reminder) -> None:
        self._s.execute(insert(reminders).values(**reminder_to_row(reminder)))

    def get(self, reminder_id: str) -> Reminder | None:
        row = (
            self._s.execute(select(reminders).where(reminders.c.id == reminder_id))
            .mappings()
            .first()
        )
        return reminder_from_row(row) if row else None

    def update(self, reminder: Reminder) -> None:
        values = {k: v for k, v in reminder_to_row(reminder).items() if k != "id"}
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
        return [reminder_from_row(r) for r in self._s.execute(statement).mappings()]

    def due(self, now: dt.datetime, *, limit: int) -> Sequence[Reminder]:
        statement = (
            select(reminders)
            .where(reminders.c.state == ReminderState.PENDING.value, reminders.c.due_at <= now)
            .order_by(reminders.c.due_at, reminders.c.id)
            .limit(limit)
        )
        return [reminder_from_row(r) for r in self._s.execute(statement).mappings()]

    def claimed(self) -> Sequence[Reminder]:
        statement = select(reminders).where(reminders.c.state == ReminderState.SENDING.value)
        return [reminder_from_row(r) for r in self._s.execute(statement).mappings()]


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
        return preference_from_row(row) if row else None

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
