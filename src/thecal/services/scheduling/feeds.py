"""A clinician's calendar feed: a secret URL their calendar app polls (``/calendar/{token}.ics``).

The token is shown once when the feed is made; only its digest is stored. Making a new feed
revokes the old one; a revoked or unknown token reads nothing (404, no hint which). Each read is
an audited PHI read in the feed owner's name, and the owner must still be an active clinician.
Entries carry the visit type, the patient's record number and the room — not the name, the
condition or anything clinical (calendar apps copy feeds to third-party servers).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field

from thecal.domain.authorization import Action, Subject, authorize, is_allowed
from thecal.domain.scheduling import AppointmentState, CalendarFeed, FeedNotFound, feed_digest
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.scheduling.mail import CalendarEvent
from thecal.services.scheduling.reminders import invitation_of
from thecal.services.scheduling.setup import ClinicSetup
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "FEED_DAYS_AFTER",
    "FEED_DAYS_BEFORE",
    "CreateFeed",
    "FeedIssued",
    "ReadFeed",
    "RevokeFeed",
    "create_feed",
    "read_feed",
    "revoke_feed",
]

FEED_DAYS_BEFORE = 14
FEED_DAYS_AFTER = 90
_FEEDS = Subject.collection("calendar feeds")


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateFeed:
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedIssued:
    feed: CalendarFeed
    token: str  # shown once


def create_feed(cmd: CreateFeed, *, uow: AbstractUnitOfWork, clock: Clock) -> FeedIssued:
    """A new feed URL for the actor (the previous one stops working)."""
    authorize(cmd.actor, Action.CALENDAR_FEED, _FEEDS)
    now = clock.now()
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        id=str(uuid.uuid4()), user_id=cmd.actor.user_id, digest=feed_digest(token), created_at=now
    )
    with uow:
        old = uow.calendar_feeds.live_for_user(cmd.actor.user_id)
        if old is not None:
            uow.calendar_feeds.revoke(old.id, at=now)
        uow.calendar_feeds.add(feed)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.CALENDAR_FEED,
            subject=_FEEDS,
            at=now,
            details={"feed_id": feed.id, "revoked": old.id if old else None},
        )
        uow.commit()
    return FeedIssued(feed=feed, token=token)


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeFeed:
    actor: Actor


def revoke_feed(cmd: RevokeFeed, *, uow: AbstractUnitOfWork, clock: Clock) -> str:
    authorize(cmd.actor, Action.CALENDAR_FEED, _FEEDS)
    now = clock.now()
    with uow:
        live = uow.calendar_feeds.live_for_user(cmd.actor.user_id)
        if live is None:
            raise FeedNotFound(ident=f"of {cmd.actor.user_id}")
        uow.calendar_feeds.revoke(live.id, at=now)
        uow.audit.record(
            actor=cmd.actor, action=Action.CALENDAR_FEED, subject=_FEEDS, at=now,
            details={"revoked": live.id},
        )  # fmt: skip
        uow.commit()
    return live.id


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadFeed:
    token: str
    setup: ClinicSetup = field(default_factory=ClinicSetup)


def read_feed(cmd: ReadFeed, *, uow: AbstractUnitOfWork, clock: Clock) -> list[CalendarEvent]:
    """The owner's visits from two weeks back to three months ahead, as calendar entries.

    Raises:
        FeedNotFound: an unknown or revoked token, or an owner who may no longer read visits.
    """
    now = clock.now()
    with uow:
        feed = uow.calendar_feeds.by_digest(feed_digest(cmd.token))
        if feed is None or not feed.live:
            raise FeedNotFound(ident="(this address)")
        user = uow.users.get(feed.user_id)
        actor = user.as_actor() if user is not None else None
        if actor is None or not is_allowed(
            actor, Action.APPOINTMENT_READ, Subject.collection("appointments")
        ):
            raise FeedNotFound(ident="(this address)")
        found = uow.appointments.between(
            now - dt.timedelta(days=FEED_DAYS_BEFORE),
            now + dt.timedelta(days=FEED_DAYS_AFTER),
            clinician_id=feed.user_id,
        )
        rooms = {r.id: r.name for r in uow.calendars.rooms()}
        mrns = {
            a.patient_id: (p.mrn if (p := uow.patients.get(a.patient_id)) else "") for a in found
        }
    events = [
        invitation_of(
            a,
            summary=f"{a.visit_type.label.capitalize()} · {mrns[a.patient_id]}",
            location=rooms.get(a.room_id, a.room_id),
        )
        for a in found
        if a.state
        in {AppointmentState.BOOKED, AppointmentState.ATTENDED, AppointmentState.CANCELLED}
    ]
    uow.audit_read(
        actor=actor,
        action=Action.APPOINTMENT_READ,
        subject=Subject.collection("appointments"),
        at=now,
        details={"feed_id": feed.id, "patients": sorted(mrns)},
    )
    return events
