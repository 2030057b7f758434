"""`thecal serve`: the web app and API with uvicorn (settings from ``THECAL_*``).

Before it listens, the server verifies the whole audit chain against the recorded head (SR-17);
if the chain does not verify it refuses to start (exit status 1) and names the first bad entry.
There is deliberately no option or setting to skip the check.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import uvicorn

from thecal.bootstrap import bootstrap
from thecal.entrypoints.api import create_app
from thecal.services.audit import CheckChainAtStart, check_chain_at_start

__all__ = ["EXIT_CHAIN_BROKEN", "serve"]

EXIT_CHAIN_BROKEN = 1


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    quiet: Annotated[bool, typer.Option("--quiet", help="Less request logging.")] = False,
) -> None:
    """Verify the audit chain, then serve the web pages at / and the API at /api/v1 (OpenAPI at
    /api/v1/openapi.json). A broken chain stops the start (exit 1), naming the first bad entry."""
    thecal = bootstrap()
    try:
        report = thecal.run(check_chain_at_start, CheckChainAtStart())
        broken = report.first_break
        if broken is not None:
            sys.stderr.write(
                f"thecal serve: refusing to start: audit chain BROKEN at entry sequence "
                f"{broken.sequence} (position {broken.position}): {broken.reason.value}; "
                f"{broken.detail}. Investigate with `thecal audit verify`.\n"
            )
            raise typer.Exit(code=EXIT_CHAIN_BROKEN)
        sys.stderr.write(f"thecal serve: audit chain ok ({report.entries_checked} entries)\n")
        uvicorn.run(
            create_app(thecal),
            host=host,
            port=port,
            log_level="warning" if quiet else "info",
            proxy_headers=False,
        )
    finally:
        thecal.close()
