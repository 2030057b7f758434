"""`thecal patients register|search|show`: the patient register from the command line.

Every command acts as a named user (``--as`` / ``THECAL_USER``) and is authorized and audited by
the same use cases the web and API call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from thecal.domain.date_plausibility import BIRTH_DATE, check_date
from thecal.domain.errors import RequestInvalid
from thecal.domain.patient import Contact, Patient, Sex
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.patients import (
    GetPatient,
    RegisterPatient,
    SearchPatients,
    get_patient,
    register_patient,
    search_patients,
)
from thecal.services.repositories.patients import PatientQuery

__all__ = ["app", "patient_payload"]

app = typer.Typer(no_args_is_help=True, help="Register, find and show patients.")


def _date(text: str | None, option: str, *, now: dt.datetime | None = None) -> dt.date | None:
    """A birth date; searched for (``now`` given), one a patient may be born on (issue 15 §5).
    A registration's is checked by the use case (a future one named as such)."""
    if text is None:
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where=option, detail=f"{text!r} is not a date (YYYY-MM-DD)") from None
    if now is None:
        return value
    return check_date(option, value, BIRTH_DATE, today=now.astimezone(dt.UTC).date())


def patient_payload(patient: Patient) -> dict[str, Any]:
    d = patient.demographics
    return {
        "id": patient.id,
        "mrn": patient.mrn,
        "family_name": d.family_name,
        "given_names": d.given_names,
        "birth_date": d.birth_date.isoformat(),
        "sex": d.sex.value,
        "phone": d.contact.phone,
        "email": d.contact.email,
        "address": d.contact.address,
        "registered_at": patient.registered_at.isoformat(),
        "version": patient.version,
    }


def _line(patient: Patient) -> str:
    d = patient.demographics
    return f"{patient.mrn}  {patient.display_name}  {d.birth_date.isoformat()}  {d.sex.value}  {patient.id}"


def _lines(patients: Sequence[Patient]) -> str:
    return "\n".join(_line(p) for p in patients) if patients else "no patients found"


@app.command()
def register(
    as_user: AsUser,
    mrn: Annotated[str, typer.Option(help="Medical record number (unique).")],
    family_name: Annotated[str, typer.Option(help="Family name.")],
    given_names: Annotated[str, typer.Option(help="Given names.")],
    birth_date: Annotated[str, typer.Option(help="Birth date, YYYY-MM-DD.")],
    sex: Annotated[Sex, typer.Option(help="Administrative sex.")],
    phone: Annotated[str, typer.Option(help="Phone number.")] = "",
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    address: Annotated[str, typer.Option(help="Postal address.")] = "",
    as_json: Json = False,
) -> None:
    """Register a new patient."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        born = _date(birth_date, "--birth-date")
        assert born is not None  # noqa: S101 - the option is required
        patient = thecal.run(
            register_patient,
            RegisterPatient(
                actor=resolve_actor(thecal, as_user),
                mrn=mrn,
                family_name=family_name,
                given_names=given_names,
                birth_date=born,
                sex=sex,
                contact=Contact(phone=phone, email=email, address=address),
            ),
        )
        emit(patient_payload(patient), f"registered {_line(patient)}", as_json=as_json)


@app.command()
def search(
    as_user: AsUser,
    mrn: Annotated[str | None, typer.Option(help="Exact medical record number.")] = None,
    family_name: Annotated[
        str | None, typer.Option(help="Family name or its beginning (any case).")
    ] = None,
    birth_date: Annotated[str | None, typer.Option(help="Birth date, YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many results (1–100).")] = 25,
    as_json: Json = False,
) -> None:
    """Find patients by MRN, family name prefix or birth date."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        query = PatientQuery(
            mrn=mrn,
            family_name_prefix=family_name,
            birth_date=_date(birth_date, "--birth-date", now=thecal.clock.now()),
            limit=limit,
        )
        found = thecal.run(
            search_patients, SearchPatients(actor=resolve_actor(thecal, as_user), query=query)
        )
        emit({"patients": [patient_payload(p) for p in found]}, _lines(found), as_json=as_json)


@app.command()
def show(
    patient_id: Annotated[str, typer.Argument(help="The patient's id.")],
    as_user: AsUser,
    as_json: Json = False,
) -> None:
    """Show one patient's record (the read is audited)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        patient = thecal.run(
            get_patient, GetPatient(actor=resolve_actor(thecal, as_user), patient_id=patient_id)
        )
        payload = patient_payload(patient)
        human = "\n".join(f"{key:>14}: {value}" for key, value in payload.items())
        emit(payload, human, as_json=as_json)
