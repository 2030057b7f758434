"""`thecal visits`: book, list, move, cancel visits, record attended or no-show, show what a
patient's facts ask to book, find free times, and re-plan every patient (docs/scheduling.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from thecal.domain.date_plausibility import REPORT_DAY, check_date, check_instant
from thecal.domain.errors import RequestInvalid
from thecal.domain.scheduling import Appointment, PurposeKind, VisitNeed, VisitPurpose, VisitType
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.scheduling.appointments import (
    BookAppointment,
    CancelAppointment,
    ListAppointments,
    RecordVisitOutcome,
    RescheduleAppointment,
    VisitOutcome,
    book_appointment,
    cancel_appointment,
    list_appointments,
    record_visit_outcome,
    reschedule_appointment,
)
from thecal.services.scheduling.calendars import (
    ListVisitNeeds,
    PlanAllVisits,
    SuggestTimes,
    list_visit_needs,
    plan_all_visits,
    suggest_times,
)

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="Book, list, move and cancel visits; attended or no-show; visits to book; free times.",
)


def _instant(text: str, where: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where=where, detail=f"{text!r} is not YYYY-MM-DDTHH:MM") from None
    return value if value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)


def _payload(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.id,
        "patient_id": a.patient_id,
        "visit_type": a.visit_type.value,
        "purpose": a.purpose.kind.value,
        "purpose_ref": a.purpose.ref,
        "time_point": a.purpose.time_point,
        "clinician_id": a.clinician_id,
        "room_id": a.room_id,
        "starts_at": a.starts_at.isoformat(),
        "ends_at": a.ends_at.isoformat(),
        "state": a.state.value,
        "version": a.version,
        "replaces": a.replaces,
        "replaced_by": a.replaced_by,
    }


def _line(a: Appointment) -> str:
    return (
        f"{a.starts_at:%Y-%m-%d %H:%M} UTC  {a.visit_type.label:<18} {a.state.value:<11} "
        f"{a.id}  ({a.purpose.kind.value}{' ' + a.purpose.time_point if a.purpose.time_point else ''})"
    )


@app.command()
def book(
    as_user: AsUser,
    patient: Annotated[str, typer.Option(help="The patient's id.")],
    visit_type: Annotated[VisitType, typer.Option("--type", help="The kind of visit.")],
    at: Annotated[
        str, typer.Option(help="Start, YYYY-MM-DDTHH:MM (UTC unless an offset is given).")
    ],
    clinician: Annotated[str, typer.Option(help="The clinician's user id.")],
    room: Annotated[str, typer.Option(help="The room's id.")],
    purpose: Annotated[
        PurposeKind, typer.Option(help="What the visit is for.")
    ] = PurposeKind.OTHER,
    ref: Annotated[
        str | None, typer.Option(help="The record it is for (pump, procedure …).")
    ] = None,
    time_point: Annotated[str | None, typer.Option(help="A follow-up's time point.")] = None,
    as_json: Json = False,
) -> None:
    """Book a visit (the clinician and the room are never double-booked)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        booked = thecal.run(
            book_appointment,
            BookAppointment(
                actor=resolve_actor(thecal, as_user),
                patient_id=patient,
                visit_type=visit_type,
                purpose=VisitPurpose(kind=purpose, ref=ref, time_point=time_point),
                clinician_id=clinician,
                room_id=room,
                starts_at=_instant(at, "--at"),
                setup=thecal.scheduling,
            ),
        )
        emit(_payload(booked), f"booked {_line(booked)}", as_json=as_json)


@app.command("list")
def list_(
    as_user: AsUser,
    day: Annotated[str, typer.Option(help="The first day, YYYY-MM-DD (UTC).")],
    days: Annotated[int, typer.Option(help="How many days (1–31).")] = 1,
    clinician: Annotated[str | None, typer.Option(help="Only this clinician's visits.")] = None,
    as_json: Json = False,
) -> None:
    """Visits of a day or a week, in time order (an audited read)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        try:
            chosen = dt.date.fromisoformat(day)
        except ValueError:
            raise RequestInvalid(where="--day", detail=f"{day!r} is not YYYY-MM-DD") from None
        today = thecal.clock.now().astimezone(dt.UTC).date()
        chosen = check_date("--day", chosen, REPORT_DAY, today=today)
        first = dt.datetime.combine(chosen, dt.time(0), tzinfo=dt.UTC)
        found = thecal.run(
            list_appointments,
            ListAppointments(
                actor=resolve_actor(thecal, as_user),
                start=first,
                end=first + dt.timedelta(days=days),
                clinician_id=clinician,
            ),
        )
        lines = [
            f"{_line(e.appointment)}  {e.patient} [{e.mrn}]  {e.clinician}, {e.room}" for e in found
        ]
        emit(
            {"appointments": [_payload(e.appointment) | {"patient": e.patient} for e in found]},
            "\n".join(lines) or "no visits",
            as_json=as_json,
        )


@app.command()
def move(
    as_user: AsUser,
    appointment: Annotated[str, typer.Argument(help="The visit's id.")],
    at: Annotated[str, typer.Option(help="The new start, YYYY-MM-DDTHH:MM.")],
    clinician: Annotated[str | None, typer.Option(help="Another clinician.")] = None,
    room: Annotated[str | None, typer.Option(help="Another room.")] = None,
    as_json: Json = False,
) -> None:
    """Move a booked visit (the new visit is booked, the old one marked rescheduled)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        moved = thecal.run(
            reschedule_appointment,
            RescheduleAppointment(
                actor=resolve_actor(thecal, as_user),
                appointment_id=appointment,
                starts_at=_instant(at, "--at"),
                clinician_id=clinician,
                room_id=room,
                setup=thecal.scheduling,
            ),
        )
        emit(_payload(moved), f"moved to {_line(moved)}", as_json=as_json)


@app.command()
def cancel(
    as_user: AsUser,
    appointment: Annotated[str, typer.Argument(help="The visit's id.")],
    reason: Annotated[str, typer.Option(help="Why it is cancelled.")],
    as_json: Json = False,
) -> None:
    """Cancel a booked visit before it starts."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        done = thecal.run(
            cancel_appointment,
            CancelAppointment(
                actor=resolve_actor(thecal, as_user),
                appointment_id=appointment,
                reason=reason,
                setup=thecal.scheduling,
            ),
        )
        emit(_payload(done), f"cancelled {_line(done)}", as_json=as_json)


@app.command()
def outcome(
    as_user: AsUser,
    appointment: Annotated[str, typer.Argument(help="The visit's id.")],
    no_show: Annotated[bool, typer.Option("--no-show", help="The patient did not come.")] = False,
    as_json: Json = False,
) -> None:
    """Record that the patient attended (default) or did not come (--no-show)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        done = thecal.run(
            record_visit_outcome,
            RecordVisitOutcome(
                actor=resolve_actor(thecal, as_user),
                appointment_id=appointment,
                outcome=VisitOutcome.NO_SHOW if no_show else VisitOutcome.ATTENDED,
                setup=thecal.scheduling,
            ),
        )
        emit(_payload(done), _line(done), as_json=as_json)


def _need(n: VisitNeed) -> dict[str, Any]:
    return {
        "id": n.id,
        "visit_type": n.visit_type.value,
        "purpose": n.purpose.kind.value,
        "purpose_ref": n.purpose.ref,
        "time_point": n.purpose.time_point,
        "earliest": n.earliest.isoformat(),
        "target": n.target.isoformat(),
        "latest": n.latest.isoformat(),
        "state": n.state.value,
        "appointment_id": n.appointment_id,
        "reason": n.reason,
    }


@app.command()
def needs(
    as_user: AsUser,
    patient: Annotated[str, typer.Option(help="The patient's id.")],
    as_json: Json = False,
) -> None:
    """The visits the patient's facts ask for (open first), with their windows."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            list_visit_needs,
            ListVisitNeeds(actor=resolve_actor(thecal, as_user), patient_id=patient),
        )
        lines = [
            f"{n.state.value:<7} {n.visit_type.label:<18} {n.earliest:%Y-%m-%d} – {n.latest:%Y-%m-%d}  {n.reason}"
            for n in found
        ]
        emit(
            {"visit_needs": [_need(n) for n in found]},
            "\n".join(lines) or "nothing to book",
            as_json=as_json,
        )


@app.command()
def free(
    as_user: AsUser,
    visit_type: Annotated[VisitType, typer.Option("--type", help="The kind of visit.")],
    earliest: Annotated[str, typer.Option(help="From, YYYY-MM-DDTHH:MM.")],
    latest: Annotated[str, typer.Option(help="To, YYYY-MM-DDTHH:MM.")],
    clinician: Annotated[str | None, typer.Option(help="Only this clinician.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1–50).")] = 10,
    as_json: Json = False,
) -> None:
    """The first free times a visit fits into (an eligible clinician and a room both free)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        now = thecal.clock.now()
        found = thecal.run(
            suggest_times,
            SuggestTimes(
                actor=resolve_actor(thecal, as_user),
                visit_type=visit_type,
                earliest=check_instant(
                    "--earliest", _instant(earliest, "--earliest"), REPORT_DAY, now=now
                ),
                latest=check_instant("--latest", _instant(latest, "--latest"), REPORT_DAY, now=now),
                clinician_id=clinician,
                limit=limit,
                setup=thecal.scheduling,
            ),
        )
        emit(
            {
                "free": [
                    {
                        "starts_at": f.starts_at.isoformat(),
                        "clinician_id": f.clinician_id,
                        "room_id": f.room_id,
                    }
                    for f in found
                ]
            },
            "\n".join(f"{f.starts_at:%Y-%m-%d %H:%M} UTC  {f.clinician}, {f.room}" for f in found)
            or "no free time in that window",
            as_json=as_json,
        )


@app.command()
def plan(as_user: AsUser, as_json: Json = False) -> None:
    """Re-plan every patient's visit needs (once after upgrading; idempotent)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        counts = thecal.run(
            plan_all_visits,
            PlanAllVisits(actor=resolve_actor(thecal, as_user), setup=thecal.scheduling),
        )
        emit(
            counts,
            f"{counts['patients']} patients: {counts['open']} visits to book, {counts['booked']} booked",
            as_json=as_json,
        )
