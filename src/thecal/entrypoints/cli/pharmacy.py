"""`thecal pharmacy verify`: a pharmacist verifies a dispensed admixture for a pump;
`thecal pharmacy label`: its printable syringe label (PDF with the code as a QR code)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thecal.adapters.documents.syringe_label import render_syringe_label_pdf
from thecal.domain.quantity_text import parse_volume
from thecal.domain.refill import PharmacyLabel
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.pathway_input import Adjuvants, admixture_of, instant
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture
from thecal.services.syringe_labels import GetSyringeLabel, get_syringe_label

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True, help="Pharmacy verification of admixtures and their syringe labels."
)


@app.command()
def verify(
    as_user: AsUser,
    pump: Annotated[str, typer.Option(help="Pump id the admixture is for.")],
    drug: Annotated[str, typer.Option(help="Drug id on the label.")],
    concentration: Annotated[
        str, typer.Option(help='Concentration on the label, e.g. "25 mg/mL".')
    ],
    volume: Annotated[str, typer.Option(help='Volume dispensed, e.g. "20 mL".')],
    lot: Annotated[str, typer.Option(help="Lot number.")],
    beyond_use: Annotated[str, typer.Option(help="Beyond-use date (ISO; UTC if no offset).")],
    adjuvant: Adjuvants = None,
    as_json: Json = False,
) -> None:
    """Verify drug(s), concentration(s), volume, lot and beyond-use date against the pump's
    program, or against the new admixture of a co-signed admixture change of the pump."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        label = PharmacyLabel(
            admixture=admixture_of(drug, concentration, adjuvant or ()),
            volume=parse_volume(volume),
            lot=lot,
            beyond_use=instant(beyond_use, "--beyond-use"),
        )
        found = thecal.run(
            verify_admixture,
            VerifyAdmixture(actor=resolve_actor(thecal, as_user), pump_id=pump, label=label),
        )
        payload = {
            "verification_id": found.id,
            "pump_id": found.pump_id,
            "admixture": label.admixture.describe(),
            "volume_ml": str(label.volume.ml),
            "lot": label.lot,
            "beyond_use": label.beyond_use.isoformat(),
        }
        emit(
            payload, f"verified {found.id}: {label.admixture.describe()} lot {lot}", as_json=as_json
        )


@app.command()
def label(
    code: Annotated[
        str, typer.Argument(help="Verification code as on the syringe, e.g. K7QM-3XRD.")
    ],
    as_user: AsUser,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="PDF file to write (default: syringe-label-CODE.pdf here)."
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Write the printable syringe label of a verification as a PDF (100 x 60 mm): patient,
    pump, each drug and concentration, volume, lot, beyond-use date, the pharmacist, FOR
    INTRATHECAL USE ONLY, and the code in large text and as a QR code. The pharmacist, or a
    nurse or physician of the patient."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            get_syringe_label,
            GetSyringeLabel(actor=resolve_actor(thecal, as_user), code=code),
        )
        target = output or Path(f"syringe-label-{found.code}.pdf")
        target.write_bytes(render_syringe_label_pdf(found))
        payload = {"verification_id": found.code, "pump_id": found.pump.id, "file": str(target)}
        emit(payload, f"wrote the syringe label of {found.code} to {target}", as_json=as_json)
