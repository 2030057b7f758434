"""`thecal serve`: the web app and API with uvicorn (settings from ``THECAL_*``)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from thecal.bootstrap import bootstrap
from thecal.entrypoints.api import create_app

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    quiet: Annotated[bool, typer.Option("--quiet", help="Less request logging.")] = False,
) -> None:
    """Serve the web pages at / and the API at /api/v1 (OpenAPI at /api/v1/openapi.json)."""
    thecal = bootstrap()
    app = create_app(thecal)
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning" if quiet else "info",
            proxy_headers=False,
        )
    finally:
        thecal.close()
