"""The PDFs' one typeface: DejaVu Sans (shipped with matplotlib), so that "≥", "≈", "–" and every
patient's name print as written (the PDF base fonts cover Latin-1 only)."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["BOLD", "REGULAR", "register_fonts"]

REGULAR, BOLD = "ThecalSans", "ThecalSans-Bold"


def register_fonts() -> None:
    """Register DejaVu Sans and its bold face with reportlab (once)."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(mpl.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(REGULAR, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
