"""Instants inside JSON columns (histories, signatures, tasks, labels): ISO 8601 text in UTC."""

from __future__ import annotations

import datetime as dt

__all__ = ["instant", "instant_or_none", "iso_text"]


def iso_text(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat()


def instant_or_none(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
