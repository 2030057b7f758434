"""The HTTP edge: the JSON API under ``/api/v1`` (and, mounted by the same factory, the web pages)."""

from __future__ import annotations

from thecal.entrypoints.api.app import create_app

__all__ = ["create_app"]
