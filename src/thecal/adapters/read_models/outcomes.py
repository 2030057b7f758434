"""The outcome read model: :class:`~thecal.reports.outcome_source.EpisodeSource` over SQL.

One statement per query, streamed in batches, ordered by episode::

    SELECT p.id, p.patient_id, p.kind, p.indication, p.performed_on,
           a.days_after_procedure, a.pain_nrs, a.odi_percent, a.pgic, a.eq_vas
    FROM procedures p
    LEFT JOIN assessments a ON a.procedure_id = p.id
         AND (a.days_after_procedure <= 0 OR a.days_after_procedure BETWEEN :first AND :last)
    WHERE p.kind IN (:kinds) [AND p.indication = :indication]
    ORDER BY p.id, a.days_after_procedure, a.id

Only the report columns are read (never the JSON), only the follow-up days the report needs, and
the join reads the covering index ``ix_assessments_outcome_report``. Rows are grouped into one
:class:`~thecal.reports.outcomes.Episode` per procedure as they stream.

**Baseline rule.** An assessment linked to the procedure and given on or before the procedure day
(``days_after_procedure <= 0``) is a baseline. Per measure the baseline is the *latest* such value
(the greatest day; on a tie, the greatest assessment id). Follow-ups are the linked assessments on
day 1 or later inside the requested days.

**Fast path.** A query that names its ``time_points`` is answered by
:mod:`~thecal.adapters.read_models.outcome_picks`: SQL picks the baselines and, per time point and
measure, the follow-up ``analyse`` would use, and returns one row per episode.

Procedure kinds map to report types one to one, with ``intrathecal_pump_implant`` →
:attr:`~thecal.reports.outcomes.ProcedureType.INTRATHECAL_PUMP`; replacements, revisions and
refills start no episode.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import Engine, and_, or_, select, text, type_coerce
from sqlalchemy.types import NullType

from thecal.adapters.read_models.outcome_picks import PickedWindow, picked_episodes, picks_statement
from thecal.adapters.sql.tables.assessments import assessments
from thecal.adapters.sql.tables.procedures import procedures
from thecal.domain.instruments.pgic import Pgic
from thecal.domain.procedure import ProcedureKind
from thecal.reports.outcome_source import EpisodeQuery
from thecal.reports.outcomes import Episode, FollowUp, ProcedureType

__all__ = ["KIND_OF_TYPE", "TYPE_OF_KIND", "SqlOutcomeReadModel"]

KIND_OF_TYPE: Mapping[ProcedureType, ProcedureKind] = MappingProxyType(
    {
        ProcedureType.FACET_JOINT_INJECTION: ProcedureKind.FACET_JOINT_INJECTION,
        ProcedureType.EPIDURAL_STEROID_INJECTION: ProcedureKind.EPIDURAL_STEROID_INJECTION,
        ProcedureType.INTRATHECAL_TRIAL: ProcedureKind.INTRATHECAL_TRIAL,
        ProcedureType.INTRATHECAL_PUMP: ProcedureKind.INTRATHECAL_PUMP_IMPLANT,
    }
)
TYPE_OF_KIND: Mapping[str, ProcedureType] = MappingProxyType(
    {kind.value: kind_type for kind_type, kind in KIND_OF_TYPE.items()}
)

_BATCH = 20_000
_PGIC = {member.value: member for member in Pgic}


class _Decimals(dict[Any, Decimal]):
    """Exact decimals by their stored form: a report has few distinct scores, so parse once."""

    def __missing__(self, key: Any) -> Decimal:
        value = key if isinstance(key, Decimal) else Decimal(key)
        self[key] = value
        return value


class SqlOutcomeReadModel:
    """Episodes for outcome reports, read from ``procedures`` and ``assessments``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _statement(self, query: EpisodeQuery, *, postgresql: bool = False) -> Any:
        p, a = procedures.c, assessments.c
        # rows need only be grouped by procedure: on PostgreSQL sort ids bytewise, not by the
        # database's linguistic collation (several times cheaper for 10⁵ ids)
        ident = p.id.collate("C") if postgresql else p.id
        assessment = a.id.collate("C") if postgresql else a.id  # ties by id, bytewise as in SQLite
        days = a.days_after_procedure
        wanted = [days <= 0]
        if query.first_day is None and query.last_day is None:
            wanted.append(days >= 1)
        else:
            wanted.append(
                and_(days >= max(1, query.first_day or 1), days <= (query.last_day or 1 << 30))
            )
        kinds = _kinds(query)
        # exact decimals as the driver gives them (text on SQLite, Decimal on PostgreSQL), parsed
        # once per distinct value below rather than once per row by the column type
        pain, odi = type_coerce(a.pain_nrs, NullType()), type_coerce(a.odi_percent, NullType())
        statement = (
            select(
                p.id,
                p.patient_id,
                p.kind,
                p.indication,
                type_coerce(p.performed_on, NullType()),  # a date, or ISO text on SQLite
                days,
                pain,
                odi,
                a.pgic,
                a.eq_vas,
            )
            .select_from(
                procedures.outerjoin(assessments, and_(a.procedure_id == p.id, or_(*wanted)))
            )
            .where(p.kind.in_(kinds))
            .order_by(ident, days, assessment)
        )
        if query.indication is not None:
            statement = statement.where(p.indication == query.indication)
        return statement

    def episodes(self, query: EpisodeQuery) -> Iterator[Episode]:
        """Every matching episode once (see the module docstring).

        In procedure-id order. Without ``query.time_points``, with every follow-up in the days
        asked for; with them, with the follow-ups the time points pick.
        """
        if query.time_points:
            yield from self._picked(query)
            return
        decimals = _Decimals()
        with self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # a streamed (server-side) cursor is planned for a fast first row by default
                # (cursor_tuple_fraction 0.1), which here means a slow nested loop: ask for the
                # plan that is fastest for all rows, with room to sort in memory
                connection.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
                connection.execute(text("SET LOCAL work_mem = '64MB'"))
            result = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(
                self._statement(query, postgresql=connection.dialect.name == "postgresql")
            )
            current: Any = None
            follow_ups: list[FollowUp] = []
            pain = odi = None
            vas = None
            for row in (row for batch in result.partitions(_BATCH) for row in batch):
                ident, _, _, _, _, day, row_pain, row_odi, row_pgic, row_vas = row
                if current is None or ident != current[0]:
                    if current is not None:
                        yield _episode(current, pain, odi, vas, follow_ups)
                    current, follow_ups, pain, odi, vas = row, [], None, None, None
                if day is None:
                    continue  # a procedure without any wanted assessment
                row_pain = None if row_pain is None else decimals[row_pain]
                row_odi = None if row_odi is None else decimals[row_odi]
                if day <= 0:  # ascending days, then ids: the last baseline seen wins
                    pain = row_pain if row_pain is not None else pain
                    odi = row_odi if row_odi is not None else odi
                    vas = row_vas if row_vas is not None else vas
                    continue
                follow_ups.append(
                    FollowUp(
                        days_after=day,
                        pain_nrs=row_pain,
                        odi_percent=row_odi,
                        pgic=None if row_pgic is None else _PGIC[row_pgic],
                        eq_vas=row_vas,
                    )
                )
            if current is not None:
                yield _episode(current, pain, odi, vas, follow_ups)

    def _picked(self, query: EpisodeQuery) -> Iterator[Episode]:
        windows = [PickedWindow(p, query.first_day, query.last_day) for p in query.time_points]
        with self._engine.connect() as connection:
            postgresql = connection.dialect.name == "postgresql"
            if postgresql:
                # one short aggregate: compiling it (JIT) costs more than it saves
                connection.execute(text("SET LOCAL jit = off"))
                connection.execute(text("SET LOCAL work_mem = '64MB'"))
            statement = picks_statement(
                windows, kinds=_kinds(query), indication=query.indication, postgresql=postgresql
            )
            result = connection.execution_options(yield_per=_BATCH).execute(statement)
            rows = (row for batch in result.partitions(_BATCH) for row in batch)
            yield from picked_episodes(rows, windows, TYPE_OF_KIND)


def _kinds(query: EpisodeQuery) -> list[str]:
    if query.procedure is not None:
        return [KIND_OF_TYPE[query.procedure].value]
    return [kind.value for kind in KIND_OF_TYPE.values()]


def _episode(
    head: Any,
    pain: Decimal | None,
    odi: Decimal | None,
    vas: int | None,
    follow_ups: list[FollowUp],
) -> Episode:
    _, patient_id, kind, indication, performed_on, *_ = head
    return Episode(
        patient_id=patient_id,
        procedure=TYPE_OF_KIND[kind],
        indication=indication,
        procedure_date=(
            performed_on
            if isinstance(performed_on, dt.date)
            else dt.date.fromisoformat(performed_on)
        ),
        baseline_pain_nrs=pain,
        baseline_odi_percent=odi,
        baseline_eq_vas=vas,
        follow_ups=tuple(follow_ups),
    )
