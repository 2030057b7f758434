"""Interruption and restart of intrathecal delivery (issue 12 §3).

Delivery stops for an infection, surgery or an empty reservoir, then restarts. Opioid tolerance
fades without the drug, so a restart after an interruption as long as
:attr:`ClinicPolicy.opioid_tolerance_lost_after` is reviewed as a new start: the start dose of an
opioid-naive patient and the respiratory monitoring after a start (S3, S5). No retrieved source gives
the interval (clinical.md has none): it is a clinic policy value, conservative by default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from thecal.domain.drugs import Drug
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.policy import ClinicPolicy
from thecal.domain.units import Duration

__all__ = ["InterruptionReason", "RestartReview", "review_restart"]


class InterruptionReason(Enum):
    INFECTION = "infection"
    SURGERY = "surgery"
    EMPTY_RESERVOIR = "empty-reservoir"
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class RestartReview:
    """How a restart is reviewed: the interruption's length and the drugs that restart as new."""

    interrupted_for: Duration
    new_start_drug_ids: tuple[str, ...]
    tolerance_lost_after: Duration
    source: str

    @property
    def as_new_start(self) -> bool:
        return bool(self.new_start_drug_ids)


def review_restart(
    *,
    suspended_at: dt.datetime,
    restart_at: dt.datetime,
    drugs: Iterable[Drug],
    policy: ClinicPolicy,
) -> RestartReview:
    """Which drugs restart as new starts after delivery was suspended from ``suspended_at``.

    Raises:
        ValueOutOfRange: a restart before the suspension.
    """
    if restart_at < suspended_at:
        raise ValueOutOfRange(
            name="restart time",
            expected=f"at or after the suspension ({suspended_at})",
            value=restart_at,
        )
    interrupted_for = Duration.from_timedelta(restart_at - suspended_at)
    limit = policy.opioid_tolerance_lost_after
    lost = interrupted_for >= limit
    return RestartReview(
        interrupted_for=interrupted_for,
        new_start_drug_ids=tuple(drug.id for drug in drugs if drug.is_opioid and lost),
        tolerance_lost_after=limit,
        source=ClinicPolicy.source("opioid_tolerance_lost_after"),
    )
