"""A clinician's calendar feed (``.ics``): a secret URL per user, revocable.

The URL carries a random token (shown once, when it is made); only its SHA-256 digest is stored,
so the database never holds a working feed URL. A user has at most one live feed: making a new one
revokes the old. Every read of the feed is an audited PHI read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from thecal.domain.errors import NotFound

__all__ = ["CalendarFeed", "FeedNotFound", "feed_digest"]


class FeedNotFound(NotFound):
    code = "THC-CAL-010"
    template = "no live calendar feed {ident}"


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(kw_only=True, eq=False)
class CalendarFeed:
    id: str
    user_id: str
    digest: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @property
    def live(self) -> bool:
        return self.revoked_at is None
