"""Pieces of the authorization matrix contributed by each group of API endpoints.

A part names its endpoints (name → (shape, request builder)), the grants each role should have
on them (role → endpoint → "any" | "own"), and ``prepare``: it creates, once per database, the
objects its requests address and returns them as ``{name: {"own": id, "foreign": id}}``. The
``name`` is also the path placeholder the coverage test uses: an id found in a path is replaced by
``{name}``, so name objects after the OpenAPI path parameter (``trial_id``, ``pump_id`` …).
Builders read those ids from ``world.ids[name][kind]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api_support import Clinic

__all__ = ["MatrixPart", "Request"]

# (world, "own" | "foreign" | "collection") → (method, path, JSON body or None)
Request = Callable[[Any, str], tuple[str, str, dict[str, Any] | None]]


def _nothing(_clinic: Clinic) -> dict[str, dict[str, str]]:
    return {}


@dataclass(frozen=True)
class MatrixPart:
    endpoints: dict[str, tuple[str, Request]] = field(default_factory=dict)
    expected: dict[str, dict[str, str]] = field(default_factory=dict)
    prepare: Callable[[Clinic], dict[str, dict[str, str]]] = _nothing
