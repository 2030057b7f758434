"""How the CLI prints results and errors: human text by default, JSON with ``--json``.

Errors are translated here, once: a :class:`~thecal.domain.errors.ThecalError` becomes exit status
2 (invalid input or a refused calculation) with its stable code, and nothing else happens.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from enum import Enum
from typing import Any

import typer

from thecal.domain.errors import ThecalError
from thecal.domain.units import plain

__all__ = ["EXIT_INVALID", "emit", "translate_errors"]

EXIT_INVALID = 2


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)  # exact, no exponent, no trailing zeros: "190", not "1.9E+2"
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def emit(payload: Mapping[str, Any], human: str, *, as_json: bool) -> None:
    """Print ``payload`` as JSON, or the human text."""
    if as_json:
        typer.echo(json.dumps(payload, default=_default, indent=2, ensure_ascii=False))
    else:
        typer.echo(human)


@contextmanager
def translate_errors(*, as_json: bool) -> Iterator[None]:
    """Turn a ThecalError into a clear message and exit status 2."""
    try:
        yield
    except ThecalError as error:
        if as_json:
            typer.echo(json.dumps({"error": error.to_dict()}, ensure_ascii=False, indent=2))
        else:
            sys.stderr.write(f"error {error.code}: {error.message}\n")
        raise typer.Exit(code=EXIT_INVALID) from None
