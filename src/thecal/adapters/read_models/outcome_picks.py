"""The outcome read model's fast path: SQL picks each episode's baseline and follow-ups.

When an :class:`~thecal.reports.outcome_source.EpisodeQuery` names its ``time_points``, one
aggregate over the covering index ``ix_assessments_outcome_report`` returns **one row per
episode** instead of one per assessment::

    SELECT p.id, p.patient_id, p.kind, p.indication, p.performed_on, g.*
    FROM procedures p LEFT JOIN (
        SELECT procedure_id,
               MAX(CASE WHEN day <= 0 AND pain_nrs IS NOT NULL THEN <baseline key> END), …,
               MIN(CASE WHEN day BETWEEN first AND last AND pain_nrs IS NOT NULL
                        THEN <follow-up key> END), …            -- per time point × measure
        FROM assessments WHERE procedure_id IS NOT NULL AND (day <= 0 OR day in a window)
        GROUP BY procedure_id) g ON g.procedure_id = p.id
    WHERE p.kind IN (:kinds) [AND p.indication = :indication]
    ORDER BY p.id

Each pick is ``key || id || U+0001 || value`` as text, compared bytewise (``COLLATE "C"`` on
PostgreSQL, ``BINARY`` on SQLite), so ``MIN``/``MAX`` choose by the key, then by assessment id,
and carry the value along — no window function, no sort, one pass in index order:

* **baseline key** = day + 20,000,000 (8 digits): ``MAX`` is the latest day on or before the
  procedure day, the greatest id on a tie — the read model's baseline rule;
* **follow-up key** = rank + 100,000 (6 digits), rank = 2 × |target − day|, + 1 after the target:
  ``MIN`` is the in-window day closest to the target, the earlier on a tie, then the smallest id
  — what ``analyse`` picks from follow-ups in (day, id) order. The day is recovered from the rank.

The separator U+0001 sorts below every character of an id, so an id that is a prefix of another
still sorts first. Picks of one episode that fall on the same day become one ``FollowUp``; every
time point's pick is kept, so ``analyse`` and ``outcome_summary`` choose exactly what they would
choose from all follow-ups (a pick that lies in another time point's window never beats that
time point's own pick). Values stay exact: decimals travel as their stored text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    collate,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.types import NullType

from thecal.adapters.sql.tables.assessments import assessments
from thecal.adapters.sql.tables.procedures import procedures
from thecal.domain.instruments.pgic import Pgic
from thecal.reports.outcome_policy import TimePoint
from thecal.reports.outcomes import Episode, FollowUp, ProcedureType

__all__ = ["PickedWindow", "picked_episodes", "picks_statement"]

_SEP = "\u0001"
_DAY_OFFSET = 20_000_000  # day + offset has 8 digits for any day after −10,000,000
_RANK_OFFSET = 100_000  # rank + offset has 6 digits for any rank below 900,000
_PGIC = {member.value: member for member in Pgic}
_FIELDS = ("pain_nrs", "odi_percent", "pgic", "eq_vas")


class PickedWindow:
    """One time point's window, cut to the query's ``first_day``/``last_day``; empty if disjoint."""

    __slots__ = ("first", "last", "target")

    def __init__(self, point: TimePoint, first_day: int | None, last_day: int | None) -> None:
        self.target = point.target_day
        self.first = max(point.first_day, first_day or 1, 1)
        self.last = min(point.last_day, last_day if last_day is not None else point.last_day)

    @property
    def empty(self) -> bool:
        return self.first > self.last


def _text(value: Any) -> ColumnElement[Any]:
    return cast(value, String)


def picks_statement(
    windows: Sequence[PickedWindow], *, kinds: list[str], indication: str | None, postgresql: bool
) -> Any:
    """The one-row-per-episode statement (see the module docstring)."""
    a, p = assessments.c, procedures.c
    days = a.days_after_procedure
    sep = literal(_SEP, String)
    collation = "C" if postgresql else "BINARY"

    def pick(prefix: Any, column: Any) -> ColumnElement[Any]:
        return collate(_text(prefix).concat(a.id).concat(sep).concat(_text(column)), collation)

    columns: list[Any] = [
        func.max(case((and_(days <= 0, a[name].is_not(None)), pick(days + _DAY_OFFSET, a[name]))))
        for name in ("pain_nrs", "odi_percent", "eq_vas")
    ]
    live = [w for w in windows if not w.empty]
    for window in live:
        rank = case(
            (days <= window.target, (window.target - days) * 2),
            else_=(days - window.target) * 2 + 1,
        )
        inside = and_(days >= window.first, days <= window.last)
        columns += [
            func.min(case((and_(inside, a[name].is_not(None)), pick(rank + _RANK_OFFSET, a[name]))))
            for name in _FIELDS
        ]
    wanted = or_(days <= 0, *[and_(days >= w.first, days <= w.last) for w in live])
    picks = (
        select(a.procedure_id, *columns)
        .where(a.procedure_id.is_not(None), wanted)
        .group_by(a.procedure_id)
        .subquery("picks")
    )
    g = list(picks.c)[1:]
    decoded: list[Any] = [_value_of(g[i], sep, postgresql=postgresql) for i in range(3)]
    for number, window in enumerate(live):
        for column in g[3 + 4 * number : 7 + 4 * number]:
            picked = cast(func.substr(column, 1, 6), Integer) - _RANK_OFFSET
            decoded += [
                case(
                    (picked % 2 == 0, window.target - picked // 2),
                    else_=window.target + picked // 2,
                ),
                _value_of(column, sep, postgresql=postgresql),
            ]
    statement = (
        select(
            p.patient_id,
            p.kind,
            p.indication,
            type_coerce(p.performed_on, NullType()),  # a date, or ISO text on SQLite
            *decoded,
        )
        .select_from(procedures.outerjoin(picks, picks.c.procedure_id == p.id))
        .where(p.kind.in_(kinds))
        # the order of the full path, so sums (trajectory means) add up in the same order
        .order_by(collate(p.id, collation))
    )
    if indication is not None:
        statement = statement.where(p.indication == indication)
    return statement


def _value_of(pick: Any, sep: Any, *, postgresql: bool) -> ColumnElement[Any]:
    """The value after the separator, as text."""
    if postgresql:
        return func.split_part(pick, sep, 2)
    return func.substr(pick, func.instr(pick, sep) + 1)


class _Decimals(dict[str, Decimal]):
    def __missing__(self, key: str) -> Decimal:
        value = self[key] = Decimal(key)
        return value


def picked_episodes(
    rows: Iterator[Any],
    windows: Sequence[PickedWindow],
    type_of_kind: Mapping[str, ProcedureType],
) -> Iterator[Episode]:
    """Episodes from the statement's rows: baselines, and one follow-up per picked day."""
    decimals = _Decimals()
    starts = range(7, 7 + 8 * len([w for w in windows if not w.empty]), 8)
    for row in rows:
        follow_ups: tuple[FollowUp, ...] = ()
        by_day: dict[int, dict[str, Any]] = {}
        for start in starts:
            pain_day, pain, odi_day, odi, pgic_day, pgic, vas_day, vas = row[start : start + 8]
            if (
                len(starts) == 1
                and pain_day is not None
                and pain_day == odi_day == pgic_day == vas_day
            ):
                follow_ups = (  # one visit with every measure: the usual case, built directly
                    FollowUp(
                        days_after=pain_day,
                        pain_nrs=decimals[pain],
                        odi_percent=decimals[odi],
                        pgic=_PGIC[int(pgic)],
                        eq_vas=int(vas),
                    ),
                )
                break
            if pain_day is not None:
                by_day.setdefault(pain_day, {})["pain_nrs"] = decimals[pain]
            if odi_day is not None:
                by_day.setdefault(odi_day, {})["odi_percent"] = decimals[odi]
            if pgic_day is not None:
                by_day.setdefault(pgic_day, {})["pgic"] = _PGIC[int(pgic)]
            if vas_day is not None:
                by_day.setdefault(vas_day, {})["eq_vas"] = int(vas)
        if by_day:
            follow_ups = tuple(FollowUp(days_after=d, **f) for d, f in sorted(by_day.items()))
        performed_on, base_pain, base_odi, base_vas = row[3], row[4], row[5], row[6]
        yield Episode(
            patient_id=row[0],
            procedure=type_of_kind[row[1]],
            indication=row[2],
            procedure_date=(
                performed_on
                if isinstance(performed_on, dt.date)
                else dt.date.fromisoformat(performed_on)
            ),
            baseline_pain_nrs=None if base_pain is None else decimals[base_pain],
            baseline_odi_percent=None if base_odi is None else decimals[base_odi],
            baseline_eq_vas=None if base_vas is None else int(base_vas),
            follow_ups=follow_ups,
        )
