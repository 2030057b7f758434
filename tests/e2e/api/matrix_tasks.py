"""Authorization-matrix part for the task endpoints (see matrix_parts)."""

from __future__ import annotations

from matrix_parts import MatrixPart

PART = MatrixPart()
