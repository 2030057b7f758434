"""``/calendar``: rooms, working hours and closures (administrators), the free times a visit fits
into, and a clinician's own ``.ics`` feed URL (made once, revocable).

The feed itself is served at ``/calendar/{token}.ics`` outside the API (a calendar app sends no
credentials but the secret URL; ``entrypoints/web/pages_visits.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status

from thecal.domain.scheduling import Location, VisitType, WorkingHours
from thecal.entrypoints.api.deps import CurrentActor, ThecalDep
from thecal.entrypoints.api.presenters.appointments import (
    DATE_TEXT,
    INSTANT_TEXT,
    query_date,
    query_instant,
)
from thecal.entrypoints.api.presenters.calendar import hours_public
from thecal.entrypoints.api.schemas.calendar import (
    CalendarPublic,
    ClosureIn,
    ClosurePublic,
    FeedIssuedPublic,
    FreeTimePublic,
    FreeTimesPublic,
    HoursPublic,
    RoomIn,
    RoomPublic,
    WeekIn,
)
from thecal.entrypoints.api.schemas.problems import Problem
from thecal.services.scheduling.calendars import (
    AddClosure,
    PutRoom,
    ReadCalendars,
    SetWorkingHours,
    SuggestTimes,
    add_closure,
    put_room,
    read_calendars,
    set_working_hours,
    suggest_times,
)
from thecal.services.scheduling.feeds import CreateFeed, RevokeFeed, create_feed, revoke_feed

__all__ = ["router"]

router = APIRouter(prefix="/calendar", tags=["calendar"])

RoomId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Room id.")]
UserId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="User id.")]


@router.get("", response_model=CalendarPublic, summary="Rooms, working hours and closures")
def read(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    first: Annotated[str | None, Query(pattern=DATE_TEXT)] = None,
    last: Annotated[str | None, Query(pattern=DATE_TEXT)] = None,
) -> CalendarPublic:
    now = thecal.clock.now()
    today = now.date()
    settings = thecal.run(
        read_calendars,
        ReadCalendars(
            actor=actor,
            first=query_date(first, "first", now=now) if first else today,
            last=query_date(last, "last", now=now) if last else today + dt.timedelta(days=90),
        ),
    )
    return CalendarPublic(
        rooms=[RoomPublic(id=r.id, name=r.name, location=r.location.value) for r in settings.rooms],
        working_hours={u: [hours_public(h) for h in hs] for u, hs in settings.hours.items()},
        clinicians=settings.names,
        closures=[
            ClosurePublic(
                id=c.id,
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                reason=c.reason,
                user_id=c.user_id,
            )
            for c in settings.closures
        ],
    )


@router.put(
    "/rooms/{room_id}", response_model=RoomPublic, summary="Add or rename a room (administrators)"
)
def room(room_id: RoomId, body: RoomIn, actor: CurrentActor, thecal: ThecalDep) -> RoomPublic:
    stored = thecal.run(
        put_room,
        PutRoom(actor=actor, room_id=room_id, name=body.name, location=Location(body.location)),
    )
    return RoomPublic(id=stored.id, name=stored.name, location=stored.location.value)


@router.put(
    "/working-hours/{user_id}",
    response_model=list[HoursPublic],
    responses={422: {"model": Problem}},
    summary="Replace a clinician's working week (administrators; the clinic's local time)",
)
def hours(
    user_id: UserId, body: WeekIn, actor: CurrentActor, thecal: ThecalDep
) -> list[HoursPublic]:
    week = tuple(
        WorkingHours(
            weekday=h.weekday,
            starts=dt.time.fromisoformat(h.starts),
            ends=dt.time.fromisoformat(h.ends),
        )
        for h in body.hours
    )
    stored = thecal.run(
        set_working_hours, SetWorkingHours(actor=actor, user_id=user_id, hours=week)
    )
    return [hours_public(h) for h in stored]


@router.post(
    "/closures",
    response_model=ClosurePublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}},
    summary="Close the clinic, or mark a clinician's leave, for whole days (administrators)",
)
def closure(body: ClosureIn, actor: CurrentActor, thecal: ThecalDep) -> ClosurePublic:
    stored = thecal.run(
        add_closure,
        AddClosure(
            actor=actor,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            reason=body.reason,
            user_id=body.user_id,
        ),
    )
    return ClosurePublic(
        id=stored.id,
        starts_on=stored.starts_on,
        ends_on=stored.ends_on,
        reason=stored.reason,
        user_id=stored.user_id,
    )


@router.get(
    "/free-times",
    response_model=FreeTimesPublic,
    summary="The first free times a visit of this type fits into (clinician and room free)",
)
def free(
    *,
    actor: CurrentActor,
    thecal: ThecalDep,
    visit_type: Literal[
        "consultation",
        "trial-day",
        "implant",
        "refill",
        "follow-up",
        "mri-interrogation",
        "replacement",
    ],
    earliest: Annotated[str, Query(pattern=INSTANT_TEXT, description="ISO instant with offset")],
    latest: Annotated[str, Query(pattern=INSTANT_TEXT, description="ISO instant with offset")],
    clinician_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,64}$")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> FreeTimesPublic:
    found = thecal.run(
        suggest_times,
        SuggestTimes(
            actor=actor,
            visit_type=VisitType(visit_type),
            earliest=query_instant(earliest, "earliest", now=thecal.clock.now()),
            latest=query_instant(latest, "latest", now=thecal.clock.now()),
            clinician_id=clinician_id,
            limit=limit,
            setup=thecal.scheduling,
        ),
    )
    return FreeTimesPublic(
        items=[
            FreeTimePublic(
                starts_at=f.starts_at,
                clinician_id=f.clinician_id,
                clinician=f.clinician,
                room_id=f.room_id,
                room=f.room,
            )
            for f in found
        ]
    )


@router.post(
    "/feed",
    response_model=FeedIssuedPublic,
    status_code=status.HTTP_201_CREATED,
    summary="A new secret .ics feed URL of your visits (the previous one stops working)",
)
def feed(actor: CurrentActor, thecal: ThecalDep) -> FeedIssuedPublic:
    issued = thecal.run(create_feed, CreateFeed(actor=actor))
    base = thecal.settings.public_url.rstrip("/")
    return FeedIssuedPublic(feed_id=issued.feed.id, url=f"{base}/calendar/{issued.token}.ics")


@router.delete(
    "/feed",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"model": Problem}},
    summary="Revoke your .ics feed URL",
)
def revoke(actor: CurrentActor, thecal: ThecalDep) -> None:
    thecal.run(revoke_feed, RevokeFeed(actor=actor))
