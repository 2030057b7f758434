"""Row ↔ domain for ``reminders`` and ``reminder_preferences``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thecal.domain.scheduling import (
    Reminder,
    ReminderDetail,
    ReminderPreference,
    ReminderState,
)

__all__ = ["preference_from_row", "reminder_from_row", "reminder_to_row"]

Row = Mapping[Any, Any]


def reminder_to_row(r: Reminder) -> dict[str, Any]:
    return {
        "id": r.id,
        "appointment_id": r.appointment_id,
        "patient_id": r.patient_id,
        "due_at": r.due_at,
        "state": r.state.value,
        "attempts": r.attempts,
        "claimed_at": r.claimed_at,
        "sent_at": r.sent_at,
        "outcome": r.outcome,
        "version": r.version,
    }


def reminder_from_row(row: Row) -> Reminder:
    return Reminder(
        id=row["id"],
        appointment_id=row["appointment_id"],
        patient_id=row["patient_id"],
        due_at=row["due_at"],
        state=ReminderState(row["state"]),
        attempts=row["attempts"],
        claimed_at=row["claimed_at"],
        sent_at=row["sent_at"],
        outcome=row["outcome"],
        version=row["version"],
    )


def preference_from_row(row: Row) -> ReminderPreference:
    return ReminderPreference(
        patient_id=row["patient_id"],
        email=bool(row["email"]),
        detail=ReminderDetail(row["detail"]),
        version=row["version"],
    )
