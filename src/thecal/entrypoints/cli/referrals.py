"""`thecal referrals list|show|triage`: consultation requests from the public page, and triage."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from thecal.domain.scheduling import Referral, ReferralState
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.scheduling.referrals import (
    GetReferral,
    ListReferrals,
    TriageReferral,
    TriageStep,
    get_referral,
    list_referrals,
    triage_referral,
)

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True, help="Consultation requests from the public page; triage them."
)


def _payload(r: Referral) -> dict[str, Any]:
    f = r.form
    return {
        "id": r.id,
        "received_at": r.received_at.isoformat(),
        "state": r.state.value,
        "source": f.source.value,
        "name": f"{f.family_name}, {f.given_names}",
        "birth_date": f.birth_date.isoformat(),
        "email": f.email,
        "phone": f.phone,
        "condition": f.condition.value,
        "tried": sorted(t.value for t in f.tried),
        "patient_id": r.patient_id,
        "note": r.note,
        "version": r.version,
    }


def _line(r: Referral) -> str:
    f = r.form
    return (
        f"{r.received_at:%Y-%m-%d %H:%M}  {r.state.value:<21} {r.id}  {f.family_name}, "
        f"{f.given_names} ({f.birth_date})  {f.condition.value.replace('_', ' ')}"
    )


@app.command("list")
def list_(
    as_user: AsUser,
    all_states: Annotated[bool, typer.Option("--all", help="Also accepted and declined.")] = False,
    as_json: Json = False,
) -> None:
    """Referrals, oldest first: open ones (received, information requested) unless --all."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        states = (
            None
            if all_states
            else frozenset({ReferralState.RECEIVED, ReferralState.INFORMATION_REQUESTED})
        )
        found = thecal.run(
            list_referrals, ListReferrals(actor=resolve_actor(thecal, as_user), states=states)
        )
        emit(
            {"referrals": [_payload(r) for r in found]},
            "\n".join(_line(r) for r in found) or "no referrals",
            as_json=as_json,
        )


@app.command()
def show(
    as_user: AsUser,
    referral: Annotated[str, typer.Argument(help="The referral's id.")],
    as_json: Json = False,
) -> None:
    """One referral, with registered patients of the same name and birth date."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        view = thecal.run(
            get_referral, GetReferral(actor=resolve_actor(thecal, as_user), referral_id=referral)
        )
        possible = [f"{p.id} {p.display_name} [{p.mrn}]" for p in view.possible_patients]
        emit(
            {
                **_payload(view.referral),
                "possible_patients": [p.id for p in view.possible_patients],
            },
            "\n".join([_line(view.referral), *(f"  may be: {p}" for p in possible)]),
            as_json=as_json,
        )


@app.command()
def triage(
    as_user: AsUser,
    referral: Annotated[str, typer.Argument(help="The referral's id.")],
    step: Annotated[TriageStep, typer.Option(help="What to do.")],
    text: Annotated[str, typer.Option(help="The reason, question or answer.")] = "",
    mrn: Annotated[str, typer.Option(help="accept: the new patient's record number.")] = "",
    patient: Annotated[str | None, typer.Option(help="accept: link this patient instead.")] = None,
    as_json: Json = False,
) -> None:
    """Accept (a patient record and a candidacy task), decline, ask for or record information."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        done = thecal.run(
            triage_referral,
            TriageReferral(
                actor=resolve_actor(thecal, as_user),
                referral_id=referral,
                step=step,
                text=text,
                mrn=mrn,
                patient_id=patient,
                setup=thecal.scheduling,
            ),
        )
        emit(_payload(done), _line(done), as_json=as_json)
