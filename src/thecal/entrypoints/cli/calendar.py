"""`thecal calendar rooms|hours|closure|feed`: the clinic's rooms, working hours, closures and
a clinician's .ics feed URL (docs/scheduling.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from thecal.domain.errors import RequestInvalid
from thecal.domain.scheduling import Location, WorkingHours
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.scheduling.calendars import (
    AddClosure,
    PutRoom,
    SetWorkingHours,
    add_closure,
    put_room,
    set_working_hours,
)
from thecal.services.scheduling.feeds import CreateFeed, RevokeFeed, create_feed, revoke_feed

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Rooms, working hours, closures and calendar feeds.")
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@app.command()
def room(
    as_user: AsUser,
    room_id: Annotated[str, typer.Argument(help="The room's id, e.g. room-1.")],
    name: Annotated[str, typer.Option(help="Its name on screens.")],
    location: Annotated[Location, typer.Option(help="clinic or hospital.")] = Location.CLINIC,
    as_json: Json = False,
) -> None:
    """Add or rename a room (administrators)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        stored = thecal.run(
            put_room,
            PutRoom(
                actor=resolve_actor(thecal, as_user), room_id=room_id, name=name, location=location
            ),
        )
        emit({"id": stored.id, "name": stored.name, "location": stored.location.value},
             f"room {stored.id}: {stored.name} ({stored.location.value})", as_json=as_json)  # fmt: skip


def _block(text: str) -> WorkingHours:
    """``mon 08:00-17:00``"""
    try:
        day, span = text.strip().split(" ", 1)
        starts, ends = span.strip().split("-")
        return WorkingHours(
            weekday=_DAYS[day.strip().lower()[:3]],
            starts=dt.time.fromisoformat(starts.strip()),
            ends=dt.time.fromisoformat(ends.strip()),
        )
    except (ValueError, KeyError):
        raise RequestInvalid(where="--block", detail=f"{text!r}: write 'mon 08:00-17:00'") from None


@app.command()
def hours(
    as_user: AsUser,
    user: Annotated[str, typer.Argument(help="The clinician's user id.")],
    block: Annotated[list[str], typer.Option(help="'mon 08:00-17:00' (repeatable).")],
    as_json: Json = False,
) -> None:
    """Replace a clinician's working week (administrators; the clinic's local time)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        stored = thecal.run(
            set_working_hours,
            SetWorkingHours(
                actor=resolve_actor(thecal, as_user),
                user_id=user,
                hours=tuple(_block(b) for b in block),
            ),
        )
        emit({"hours": [h.describe() for h in stored]}, "\n".join(h.describe() for h in stored),
             as_json=as_json)  # fmt: skip


@app.command()
def closure(
    as_user: AsUser,
    first: Annotated[str, typer.Option("--from", help="First day closed, YYYY-MM-DD.")],
    last: Annotated[str, typer.Option("--to", help="Last day closed, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option(help="Why (shown when a booking is refused).")],
    user: Annotated[
        str | None, typer.Option(help="A clinician's leave; default: the clinic.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Close the clinic, or mark a clinician's leave, for whole days (administrators)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        try:
            starts, ends = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        except ValueError:
            raise RequestInvalid(where="--from/--to", detail="write YYYY-MM-DD") from None
        stored = thecal.run(
            add_closure,
            AddClosure(
                actor=resolve_actor(thecal, as_user),
                starts_on=starts,
                ends_on=ends,
                reason=reason,
                user_id=user,
            ),
        )
        emit({"id": stored.id}, f"closed {stored.starts_on} – {stored.ends_on}: {stored.reason}",
             as_json=as_json)  # fmt: skip


@app.command()
def feed(
    as_user: AsUser,
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke your feed instead.")] = False,
    as_json: Json = False,
) -> None:
    """Make your secret .ics feed URL (shown once; the previous one stops working), or revoke it."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        if revoke:
            gone = thecal.run(revoke_feed, RevokeFeed(actor=actor))
            emit({"revoked": gone}, "your calendar feed is revoked", as_json=as_json)
            return
        issued = thecal.run(create_feed, CreateFeed(actor=actor))
        url = f"{thecal.settings.public_url.rstrip('/')}/calendar/{issued.token}.ics"
        emit({"feed_id": issued.feed.id, "url": url}, f"your calendar feed (keep it secret): {url}",
             as_json=as_json)  # fmt: skip
