"""Shared pieces of the pathway commands: typed options, strict quantity parsing, re-authentication.

Quantities are typed with their units (``"5 mg/day"``, ``"25 mg/mL"``, ``"20 mL"``) and parsed by
the strict parser (``domain/quantity_text.py``): a bare number or an ambiguous unit is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from thecal.bootstrap import Thecal
from thecal.domain.admixture import Admixture, Component
from thecal.domain.errors import RequestInvalid
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ConfirmationToken, ProgramChange
from thecal.domain.quantity_display import in_drug_unit
from thecal.domain.quantity_text import parse_concentration
from thecal.domain.users import Actor
from thecal.services.identity import Reauthenticate
from thecal.services.pump_record import Pump

__all__ = [
    "Adjuvants",
    "PasswordStdin",
    "admixture_of",
    "change_payload",
    "confirmation_token",
    "instant",
    "program_payload",
    "pump_payload",
]

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help=(
            "Read your password from standard input: the re-authentication a signature needs "
            "(SR-16); with an authenticator enrolled, its current code on the next line."
        ),
    ),
]


Adjuvants = Annotated[
    list[str] | None,
    typer.Option(
        "--adjuvant",
        help='An adjuvant and its concentration, e.g. "clonidine=100 mcg/mL" (repeat for more).',
    ),
]


def instant(text: str, option: str) -> dt.datetime:
    """An ISO date or date-time; naive values are read as UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(
            where=option, detail=f"{text!r} is not an ISO date or date-time"
        ) from None
    return value if value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)


def admixture_of(drug: str, concentration: str, adjuvants: Sequence[str] = ()) -> Admixture:
    """The primary drug at its concentration, then each ``"clonidine=100 mcg/mL"`` adjuvant."""
    components = [Component(drug_id=drug.strip(), concentration=parse_concentration(concentration))]
    for text in adjuvants:
        name, sep, strength = text.partition("=")
        if not sep or not name.strip():
            raise RequestInvalid(
                where="--adjuvant",
                detail=f"{text!r}: give the drug and its concentration, e.g. clonidine=100 mcg/mL",
            )
        components.append(
            Component(drug_id=name.strip(), concentration=parse_concentration(strength))
        )
    return Admixture(components=tuple(components))


def confirmation_token(
    thecal: Thecal, actor: Actor, change: ProgramChange, *, password_stdin: bool
) -> ConfirmationToken:
    """Re-authenticate the signer by password for this exact diff (SR-16); a signer with an
    authenticator enrolled gives its current one-time code on the line after the password."""
    if not password_stdin:
        raise RequestInvalid(
            where="--password-stdin",
            detail="signing needs a fresh re-authentication: pipe your password with --password-stdin",
        )
    stdin = typer.get_text_stream("stdin")
    password = stdin.readline().rstrip("\r\n")
    one_time_code = stdin.readline().strip() or None
    return thecal.run(
        thecal.identity.reauthenticate,
        Reauthenticate(
            actor=actor,
            password=password,
            one_time_code=one_time_code,
            change_id=change.change_id,
            diff_digest=change.diff.digest,
        ),
    )


def program_payload(program: InfusionProgram) -> dict[str, Any]:
    bolus = program.patient_bolus
    primary = program.admixture.primary.drug_id
    return {
        "mode": program.mode.value,
        "admixture": program.admixture.describe(),
        "daily_dose": in_drug_unit(program.basal_daily_dose, primary),
        "flow": str(program.basal_flow),
        "patient_bolus": None
        if bolus is None
        else {
            "dose": in_drug_unit(bolus.dose, primary),
            "lockout": str(bolus.lockout),
            "max_per_day": bolus.max_per_day,
        },
    }


def pump_payload(pump: Pump) -> dict[str, Any]:
    return {
        "id": pump.id,
        "patient_id": pump.patient_id,
        "model_id": pump.model_id,
        "serial": pump.serial,
        "implanted_at": pump.implanted_at.isoformat(),
        "catheter": f"{pump.catheter_model_id} {pump.catheter_length_cm} cm, tip {pump.catheter_tip_level}",
        "admixture": pump.admixture.describe(),
        "reservoir_volume_ml": str(pump.reservoir_volume.ml),
        "last_filled_at": pump.last_filled_at.isoformat(),
        "program": program_payload(pump.program),
        "program_since": pump.program_since.isoformat(),
        "next_refill_due": pump.next_refill_due.isoformat() if pump.next_refill_due else None,
        "state": pump.state.value,
        "version": pump.version,
    }


def change_payload(change: ProgramChange) -> dict[str, Any]:
    return {
        "change_id": change.change_id,
        "patient_id": change.patient_id,
        "state": change.state.value,
        "kind": change.kind.value,
        "version": change.version,
        "diff_digest": change.diff.digest,
        "changes": [
            {"parameter": e.parameter, "old": e.old, "new": e.new} for e in change.diff.changes
        ],
        "findings": [
            {"code": f.code, "severity": f.severity.value, "message": f.message, "source": f.source}
            for f in change.findings
        ],
    }
