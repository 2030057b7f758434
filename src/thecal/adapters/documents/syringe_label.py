"""The syringe label as a PDF (reportlab): one 100 × 60 mm page for a label printer.

Top: "FOR INTRATHECAL USE ONLY" in white on black. Left: the patient (name, MRN, date of birth),
the pump (serial and model name), each drug and concentration in the drug's one display unit, the
volume, lot and beyond-use date, who verified it and when (UTC). Right: the verification code as a
QR code (alphanumeric, error correction level M, with its quiet zone) and in large text below it,
for the nurse to scan or type at the bedside. The left column is set at the largest size (8 down
to 5 pt) at which all of it fits, wrapped: a long name or lot number is never cut off and never
runs into the QR code.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from thecal.adapters.documents.fonts import BOLD, REGULAR, register_fonts
from thecal.domain.library import reference_library
from thecal.domain.quantity_display import pump_model_name, shown
from thecal.services.syringe_labels import SyringeLabel

__all__ = [
    "LABEL_SIZE",
    "QR_LEVEL",
    "label_lines",
    "label_qr",
    "label_title",
    "render_syringe_label_pdf",
    "wrapped",
]

LABEL_SIZE = (100 * mm, 60 * mm)
QR_LEVEL = "M"  # 15 % of the symbol may be lost (a smudged or creased label still scans)
USE_ONLY = "FOR INTRATHECAL USE ONLY"
_MARGIN = 3 * mm
_BAND = 8 * mm  # the black band at the top
_QR_SIDE = 30 * mm
_TEXT_RIGHT = LABEL_SIZE[0] - _MARGIN - _QR_SIDE - 2 * mm  # where the left column ends
_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0, 5.5, 5.0)  # points, largest first
_LEADING = 1.2  # line spacing as a multiple of the font size


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"  # "12 Mar 1961"


def _instant(value: dt.datetime) -> str:
    utc = value.astimezone(dt.UTC)
    return f"{_day(utc)} {utc:%H:%M} UTC"  # "4 Jan 2027 14:00 UTC"


def _short_name(name: str) -> str:
    """The library name up to its first comma or parenthesis ("Morphine sulfate")."""
    return name.split(",", maxsplit=1)[0].split(" (", maxsplit=1)[0].strip()


def _drug_lines(found: SyringeLabel) -> list[str]:
    drugs = reference_library().drugs
    lines = []
    for component in found.label.admixture.components:
        drug = drugs.get(component.drug_id)
        name = component.drug_id if drug is None else _short_name(drug.name)
        unit = None if drug is None else drug.dose_unit
        lines.append(f"{name} {shown(component.concentration, mass=unit)}")
    return lines


def label_title(found: SyringeLabel) -> str:
    """The PDF's title and download name stem ("Syringe label K7QM-3XRD")."""
    return f"Syringe label {found.code}"


def label_lines(found: SyringeLabel) -> list[tuple[str, str]]:
    """The left column, top to bottom, as (font, text): what a clinician reads on the label."""
    patient, pump, label = found.patient, found.pump, found.label
    lines = [
        (BOLD, patient.display_name),
        (REGULAR, f"MRN {patient.mrn} · born {_day(patient.demographics.birth_date)}"),
        (REGULAR, f"Pump {pump.serial} · {pump_model_name(pump.model_id)}"),
        *((BOLD, text) for text in _drug_lines(found)),
        (REGULAR, f"Volume {shown(label.volume)} · lot {label.lot}"),
        (BOLD, f"Beyond use {_instant(label.beyond_use)}"),
        (REGULAR, f"Verified by {found.verified_by}"),
        (REGULAR, f"at {_instant(found.verified_at)}"),
    ]
    if found.used:
        lines.append((BOLD, "Reprint: already injected by a refill"))
    return lines


def label_qr(found: SyringeLabel) -> QrCodeWidget:
    """The QR code widget of the label: it encodes exactly the verification code."""
    return QrCodeWidget(found.code, barLevel=QR_LEVEL, barWidth=_QR_SIDE, barHeight=_QR_SIDE)


def _fitted(text: str, font: str, size: float, width: float) -> float:
    """``size``, or smaller so that ``text`` fits ``width`` (never below 5 pt)."""
    wide = float(stringWidth(text, font, size))
    return max(5.0, min(size, size * width / max(wide, 1e-6)))


def _band(canvas: Canvas) -> None:
    width, height = LABEL_SIZE
    canvas.setFillColor(colors.black)
    canvas.rect(0, height - _BAND, width, _BAND, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    size = _fitted(USE_ONLY, BOLD, 13, width - 2 * _MARGIN)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(width / 2, height - _BAND + (_BAND - size * 0.7) / 2, USE_ONLY)
    canvas.setFillColor(colors.black)


def _pieces(word: str, font: str, size: float, width: float) -> list[str]:
    """``word`` cut into pieces that fit ``width`` (only a word wider than the column is cut)."""
    pieces, piece = [], ""
    for char in word:
        if piece and stringWidth(piece + char, font, size) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece]


def wrapped(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` at ``size``: broken between words, and inside a
    word only when the word alone is wider than the column (a long lot number)."""
    lines: list[str] = []
    for word in text.split(" "):
        for piece in _pieces(word, font, size, width):
            if lines and stringWidth(f"{lines[-1]} {piece}", font, size) <= width:
                lines[-1] = f"{lines[-1]} {piece}"
            else:
                lines.append(piece)
    return lines


def _left_column(canvas: Canvas, found: SyringeLabel) -> None:
    """Every line at one size, the largest at which all of them fit (wrapped) the column."""
    top = LABEL_SIZE[1] - _BAND - _MARGIN
    room, width = top - _MARGIN, _TEXT_RIGHT - _MARGIN
    logical = label_lines(found)
    for size in _SIZES:
        lines = [
            (font, line) for font, text in logical for line in wrapped(text, font, size, width)
        ]
        if len(lines) * size * _LEADING <= room:
            break
    y = top - size
    for font, text in lines:
        canvas.setFont(font, size)
        canvas.drawString(_MARGIN, y, text)
        y -= size * _LEADING


def _code(canvas: Canvas, found: SyringeLabel) -> None:
    qr = label_qr(found)
    drawing = Drawing(_QR_SIDE, _QR_SIDE)
    drawing.add(qr)
    left = LABEL_SIZE[0] - _MARGIN - _QR_SIDE
    bottom = _MARGIN + 8 * mm
    renderPDF.draw(drawing, canvas, left, bottom)
    size = _fitted(found.code, BOLD, 16, _QR_SIDE + 2 * mm)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(left + _QR_SIDE / 2, _MARGIN + 2 * mm, found.code)
    canvas.setFont(REGULAR, 6)
    canvas.drawCentredString(left + _QR_SIDE / 2, _MARGIN + 2 * mm + size, "Verification code")


def render_syringe_label_pdf(found: SyringeLabel) -> bytes:
    """The label as PDF bytes (one 100 × 60 mm page)."""
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=LABEL_SIZE, invariant=True)
    canvas.setTitle(label_title(found))
    canvas.setAuthor("thecal")
    canvas.setSubject(USE_ONLY)
    _band(canvas)
    _left_column(canvas, found)
    _code(canvas, found)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
