"""A syringe label → the HTTP answer: the PDF inline, named after its verification code."""

from __future__ import annotations

from fastapi.responses import Response

from thecal.adapters.documents.syringe_label import render_syringe_label_pdf
from thecal.services.syringe_labels import SyringeLabel

__all__ = ["label_filename", "syringe_label_response"]


def label_filename(found: SyringeLabel) -> str:
    """``syringe-label-K7QM-3XRD.pdf``."""
    return f"syringe-label-{found.code}.pdf"


def syringe_label_response(found: SyringeLabel) -> Response:
    """``application/pdf``, shown in the browser (inline) and saved under its code; never cached
    (it names the patient)."""
    headers = {
        "Content-Disposition": f'inline; filename="{label_filename(found)}"',
        "Cache-Control": "no-store",
    }
    return Response(render_syringe_label_pdf(found), media_type="application/pdf", headers=headers)
