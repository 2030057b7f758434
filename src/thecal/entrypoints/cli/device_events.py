"""`thecal device-events replace|revise-catheter|discontinue|suspend|restart|transfer|list`: the
events of a pump's life (issue 12 §3).

Every command names the pump and the version the clinician reviewed (`thecal pumps show`);
quantities carry their unit and are read by the strict parser. A refusal changes nothing and
sends nothing to the pump. `--request-id` makes a retry return the event recorded first.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from thecal.domain.catheter_revision import CapCheck
from thecal.domain.device_event_record import DeviceEventRecord
from thecal.domain.errors import RequestInvalid
from thecal.domain.interruption import InterruptionReason
from thecal.domain.pump_replacement import ReplacementReason
from thecal.domain.quantity_text import parse_dose_rate, parse_volume
from thecal.domain.safety.context import MonitoringPlan
from thecal.domain.therapy_discontinuation import DiscontinuationKind, WithdrawalPlan
from thecal.domain.units import Duration
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.care_transfers import TransferCare, TransferDirection, transfer_care
from thecal.services.catheter_revisions import ReviseCatheter, revise_catheter
from thecal.services.device_event_records import GetDeviceEvents, list_device_events
from thecal.services.interruptions import (
    RestartDelivery,
    SuspendDelivery,
    restart_delivery,
    suspend_delivery,
)
from thecal.services.pump_replacements import ReplacePump, replace_pump
from thecal.services.therapy_discontinuations import DiscontinueTherapy, discontinue_therapy

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help=(
        "Events of a pump's life: replacement, catheter revision, explant or end of therapy,"
        " interruption and restart, transfer of care."
    ),
)

Pump = Annotated[str, typer.Option("--pump", help="Pump id.")]
Version = Annotated[
    int, typer.Option("--pump-version", help="The pump version you reviewed (pumps show).")
]
RequestId = Annotated[
    str | None,
    typer.Option("--request-id", help="Your id for this request: a retry returns the first event."),
]


def _event_id(request_id: str | None) -> str | None:
    if request_id is None:
        return None
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"thecal:device-event:{request_id}"))


def _payload(event: DeviceEventRecord) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "kind": event.kind.value,
        "pump_id": event.pump_id,
        "related_pump_id": event.related_pump_id,
        "at": event.at.isoformat(),
        "summary": event.summary,
        "facts": dict(event.facts),
    }


def _human(event: DeviceEventRecord) -> str:
    return f"{event.kind.title} ({event.at:%Y-%m-%d %H:%M} UTC): {event.summary}"


def _emit(event: DeviceEventRecord, *, as_json: bool) -> None:
    emit(_payload(event), _human(event), as_json=as_json)


@app.command()
def replace(
    as_user: AsUser,
    pump: Pump,
    pump_version: Version,
    reason: Annotated[ReplacementReason, typer.Option(help="Why the pump is replaced.")],
    new_model: Annotated[str, typer.Option("--new-model", help="New pump model id.")],
    new_serial: Annotated[str, typer.Option("--new-serial", help="New pump's serial number.")],
    fill_volume: Annotated[
        str, typer.Option("--fill-volume", help="Same admixture into the new pump, e.g. '20 mL'.")
    ],
    request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Replace a pump: final withdrawal, explant, new pump with the therapy carried over, primed."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        event = thecal.run_device(
            replace_pump,
            ReplacePump(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                expected_pump_version=pump_version,
                reason=reason,
                new_pump_model_id=new_model,
                new_pump_serial=new_serial,
                fill_volume=parse_volume(fill_volume),
                event_id=_event_id(request_id),
            ),
        )
        _emit(event, as_json=as_json)


@app.command("revise-catheter")
def revise(
    as_user: AsUser,
    pump: Pump,
    pump_version: Version,
    catheter: Annotated[str, typer.Option(help="New catheter model id.")],
    length_cm: Annotated[str, typer.Option("--length-cm", help="Implanted length in cm.")],
    tip_level: Annotated[str, typer.Option("--tip-level", help="Spinal level, e.g. T10.")],
    cap_check: Annotated[
        CapCheck | None,
        typer.Option("--cap-check", help="Catheter access port check, where the pump has one."),
    ] = None,
    request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Catheter revision: new dead space, the catheter alone primed, the drug it pushes."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        try:
            length = Decimal(length_cm)
        except InvalidOperation:
            raise RequestInvalid(where="--length-cm", detail="not a number") from None
        event = thecal.run_device(
            revise_catheter,
            ReviseCatheter(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                expected_pump_version=pump_version,
                catheter_model_id=catheter,
                implanted_length_cm=length,
                tip_level=tip_level,
                cap_check=cap_check,
                event_id=_event_id(request_id),
            ),
        )
        _emit(event, as_json=as_json)


@app.command()
def discontinue(
    as_user: AsUser,
    pump: Pump,
    pump_version: Version,
    kind: Annotated[DiscontinuationKind, typer.Option(help="Explant, or stop with the pump in.")],
    reason: Annotated[str, typer.Option(help="Why the therapy ends.")],
    plan: Annotated[
        str | None, typer.Option(help="The withdrawal plan: oral replacement or taper, monitoring.")
    ] = None,
    plan_drug: Annotated[
        list[str] | None, typer.Option("--plan-drug", help="A drug the plan covers (repeat).")
    ] = None,
    request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Explant without replacement or end the therapy: refused without a withdrawal plan."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        withdrawal = (
            None
            if plan is None and not plan_drug
            else WithdrawalPlan(drug_ids=tuple(plan_drug or ()), text=plan or "")
        )
        event = thecal.run_device(
            discontinue_therapy,
            DiscontinueTherapy(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                expected_pump_version=pump_version,
                kind=kind,
                reason=reason,
                withdrawal_plan=withdrawal,
                event_id=_event_id(request_id),
            ),
        )
        _emit(event, as_json=as_json)


@app.command()
def suspend(
    as_user: AsUser,
    pump: Pump,
    pump_version: Version,
    reason: Annotated[InterruptionReason, typer.Option(help="Why delivery stops.")],
    note: Annotated[str, typer.Option(help="A note for the record.")] = "",
    request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Suspend delivery until a restart (the program before is kept)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        event = thecal.run_device(
            suspend_delivery,
            SuspendDelivery(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                expected_pump_version=pump_version,
                reason=reason,
                note=note,
                event_id=_event_id(request_id),
            ),
        )
        _emit(event, as_json=as_json)


@app.command()
def restart(
    as_user: AsUser,
    pump: Pump,
    pump_version: Version,
    daily_dose: Annotated[
        str | None,
        typer.Option("--daily-dose", help="A lower continuous dose, e.g. '0.5 mg/day'."),
    ] = None,
    justification: Annotated[
        str | None, typer.Option(help="Why, for the review's override findings.")
    ] = None,
    monitoring_hours: Annotated[
        int | None,
        typer.Option("--monitoring-hours", help="Respiratory monitoring after a new start."),
    ] = None,
    naloxone: Annotated[
        bool, typer.Option("--naloxone/--no-naloxone", help="Naloxone is at hand.")
    ] = False,
    request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Restart delivery; after the clinic's tolerance interval, reviewed as a new start.

    A restart as a new start is not sent: it becomes a program change of kind restart (its id in
    the event's facts, program_change_id) that a physician signs and a second clinician co-signs
    (thecal program-changes sign / cosign / send) before it is sent and confirmed.
    """
    with translate_errors(as_json=as_json), open_app() as thecal:
        monitoring = (
            None
            if monitoring_hours is None and not naloxone
            else MonitoringPlan(
                respiratory=None if monitoring_hours is None else Duration.hours(monitoring_hours),
                naloxone_available=naloxone,
            )
        )
        event = thecal.run_device(
            restart_delivery,
            RestartDelivery(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                expected_pump_version=pump_version,
                daily_dose=None if daily_dose is None else parse_dose_rate(daily_dose),
                justification=justification,
                monitoring=monitoring,
                event_id=_event_id(request_id),
            ),
        )
        _emit(event, as_json=as_json)


@app.command()
def transfer(
    as_user: AsUser,
    pump: Pump,
    pump_version: Version,
    direction: Annotated[TransferDirection, typer.Option(help="out: leaves; in: arrives.")],
    clinic: Annotated[str, typer.Option(help="The other clinic.")],
    note: Annotated[str, typer.Option(help="A note for the record.")] = "",
    request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Record a transfer of care to or from another clinic."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        event = thecal.run(
            transfer_care,
            TransferCare(
                actor=resolve_actor(thecal, as_user),
                pump_id=pump,
                expected_pump_version=pump_version,
                direction=direction,
                clinic=clinic,
                note=note,
                event_id=_event_id(request_id),
            ),
        )
        _emit(event, as_json=as_json)


@app.command("list")
def list_(as_user: AsUser, pump: Pump, as_json: Json = False) -> None:
    """The events of a pump's life, oldest first."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        events = thecal.run(
            list_device_events, GetDeviceEvents(actor=resolve_actor(thecal, as_user), pump_id=pump)
        )
        emit(
            {"events": [_payload(e) for e in events]},
            "\n".join(_human(e) for e in events) or "no events recorded",
            as_json=as_json,
        )
