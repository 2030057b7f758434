"""Follow-up capture as SQL (``reports/follow_up_capture.py``): one aggregate per time point.

For the due episodes of the report (``procedures`` of the kinds asked for, performed before the
report date minus the window's last day), each count is a ``CASE WHEN EXISTS (…)`` over an index:
the follow-up visits by ``(purpose_kind, purpose_ref)``, the reminders by appointment, the linked
questionnaires by the outcome report's covering index ``(procedure_id, days_after_procedure …)``.
The same statement on SQLite and PostgreSQL; the cut-off date is computed here, not in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, and_, case, exists, func, select

from thecal.adapters.sql.database import READ_ONLY
from thecal.adapters.sql.tables.appointments import appointments
from thecal.adapters.sql.tables.assessments import assessments
from thecal.adapters.sql.tables.procedures import procedures
from thecal.adapters.sql.tables.reminders import reminders
from thecal.domain.scheduling import AppointmentState, PurposeKind, ReminderState
from thecal.domain.time_points import TimePoint
from thecal.reports.follow_up_capture import CaptureQuery, CaptureSource, TimePointCapture

__all__ = ["SqlCaptureReadModel"]


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class SqlCaptureReadModel(CaptureSource):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def capture(
        self, query: CaptureQuery, time_points: Sequence[TimePoint]
    ) -> list[TimePointCapture]:
        with self._engine.connect().execution_options(**READ_ONLY) as connection:
            return [self._one(connection, query, point) for point in time_points]

    @staticmethod
    def _one(connection: Any, query: CaptureQuery, point: TimePoint) -> TimePointCapture:
        visit = and_(
            appointments.c.purpose_kind == PurposeKind.FOLLOW_UP.value,
            appointments.c.purpose_ref == procedures.c.id,
            appointments.c.time_point == point.name,
        )
        state = appointments.c.state
        kept = (
            AppointmentState.BOOKED.value,
            AppointmentState.ATTENDED.value,
            AppointmentState.NO_SHOW.value,
        )
        booked = exists().where(visit, state.in_(kept))
        attended = exists().where(visit, state == AppointmentState.ATTENDED.value)
        no_show = exists().where(visit, state == AppointmentState.NO_SHOW.value)
        reminded = exists().where(
            visit,
            reminders.c.appointment_id == appointments.c.id,
            reminders.c.state == ReminderState.SENT.value,
        )
        answered = exists().where(
            assessments.c.procedure_id == procedures.c.id,
            assessments.c.days_after_procedure.between(point.first_day, point.last_day),
        )
        cutoff = query.report_date - dt.timedelta(days=point.last_day)
        where = [procedures.c.kind.in_(query.kinds), procedures.c.performed_on < cutoff]
        if query.indication is not None:
            where.append(procedures.c.indication == query.indication)
        row = connection.execute(
            select(
                func.count().label("due"),
                _count(booked).label("booked"),
                _count(attended).label("attended"),
                _count(no_show).label("no_show"),
                _count(answered).label("answered"),
                _count(reminded).label("reminded"),
                _count(and_(reminded, answered)).label("reminded_answered"),
                _count(and_(booked, ~reminded, answered)).label("not_reminded_answered"),
            ).where(*where)
        ).one()
        return TimePointCapture(
            time_point=point,
            due=int(row.due),
            booked=int(row.booked),
            attended=int(row.attended),
            no_show=int(row.no_show),
            answered=int(row.answered),
            reminded=int(row.reminded),
            reminded_answered=int(row.reminded_answered),
            not_reminded_answered=int(row.not_reminded_answered),
        )
