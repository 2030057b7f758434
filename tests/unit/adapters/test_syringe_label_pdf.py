"""The syringe label's layout at its limits: the longest name, six drugs and a 60-character lot
still fit the left column (wrapped, nothing cut, nothing under the QR code), every drug shows
in its own display unit, and the QR code still reads as the code."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from thecal.adapters.documents.fonts import BOLD, REGULAR
from thecal.adapters.documents.syringe_label import (
    LABEL_SIZE,
    render_syringe_label_pdf,
    wrapped,
)
from thecal.domain.admixture import Admixture, Component
from thecal.domain.patient import MAX_NAME_LENGTH, Demographics, Patient, Sex
from thecal.domain.refill import PharmacyLabel
from thecal.domain.units import Concentration, Volume
from thecal.services.pump_record import Pump
from thecal.services.syringe_labels import SyringeLabel

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e" / "api"))

from pdf_reader import read_pdf
from qr_reader import read_qr

AT = dt.datetime(2026, 12, 5, 14, 58, tzinfo=dt.UTC)
QR_LEFT = LABEL_SIZE[0] - 3 * mm - 30 * mm  # the QR code's column (syringe_label.py)
SIX = (  # every drug in its one display unit: mg for morphine, hydromorphone, bupivacaine
    ("morphine", "25", "Morphine sulfate 25 mg/mL"),
    ("hydromorphone", "10", "Hydromorphone 10 mg/mL"),
    ("bupivacaine", "7.5", "Bupivacaine 7.5 mg/mL"),
    ("clonidine", "0.15", "Clonidine 150 mcg/mL"),  # mcg for clonidine, fentanyl, sufentanil
    ("fentanyl", "0.05", "Fentanyl 50 mcg/mL"),
    ("sufentanil", "0.005", "Sufentanil 5 mcg/mL"),
)


def _label(*, family: str, given: str, lot: str) -> SyringeLabel:
    admixture = Admixture(
        components=tuple(
            Component(drug_id=drug, concentration=Concentration.from_mg_per_ml(Decimal(mg)))
            for drug, mg, _ in SIX
        )
    )
    patient = Patient(
        id="p-1",
        mrn="MRN-LONG-1",
        demographics=Demographics(
            family_name=family, given_names=given, birth_date=dt.date(1961, 4, 3), sex=Sex.FEMALE
        ),
        registered_at=AT,
    )
    pump = Pump(
        id="pump-1",
        patient_id="p-1",
        model_id="synchromed-ii-40",
        serial="NGP-000123",
        implant_id="implant-1",
        implanted_at=AT,
        catheter_model_id="indura-1p-8709sc",
        catheter_length_cm=Decimal(60),
        catheter_tip_level="T10",
        admixture=admixture,
        reservoir_volume=Volume.from_ml(40),
        last_filled_at=AT,
        program=None,  # type: ignore[arg-type] - the label reads no program
        program_since=AT,
    )
    return SyringeLabel(
        code="K7QM-3XRD",
        patient=patient,
        pump=pump,
        label=PharmacyLabel(
            admixture=admixture,
            volume=Volume.from_ml(40),
            lot=lot,
            beyond_use=AT + dt.timedelta(days=30),
        ),
        verified_by="Philippa Pharmacist-Longname",
        verified_at=AT,
        used=True,
    )


def test_the_longest_label_wraps_inside_its_column_and_keeps_every_word() -> None:
    family = " ".join(["Wolfeschlegelsteinhausen"] * 4)[:MAX_NAME_LENGTH].strip()
    given = " ".join(["Łucja-Maria"] * 9)[:MAX_NAME_LENGTH].strip()
    lot = "LOT" + "7" * 57  # one 60-character word: cut, never lost
    (page,) = read_pdf(render_syringe_label_pdf(_label(family=family, given=given, lot=lot)))
    left = [t for t in page.texts if abs(t[0] - 3 * mm) < 0.01]  # the column's margin
    assert len(left) > 15  # wrapped: more lines than the label has items
    for x, y, size, text, font in left:
        name = BOLD if font.endswith("Bold") else REGULAR
        assert x + stringWidth(text, name, size) <= QR_LEFT, (text, size)  # not under the QR
        assert y >= 0, text  # not below the page
        assert size >= 5, text
    column = " ".join(t[3] for t in left)
    assert f"{family}, {given}" in column  # broken between words only
    assert lot in column.replace(" ", "")
    for _, _, shown in SIX:
        assert shown in column
    assert "Reprint: already injected by a refill" in column
    assert read_qr(page.png()) == "K7QM-3XRD"


def test_a_word_wider_than_the_column_is_cut_into_pieces_that_fit() -> None:
    lines = wrapped("lot " + "X" * 80, REGULAR, 8, 100)
    assert lines[0] == "lot"
    assert "".join(lines[1:]) == "X" * 80
    assert all(stringWidth(line, REGULAR, 8) <= 100 for line in lines)
