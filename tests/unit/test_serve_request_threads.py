"""`thecal serve --threads`: the sync routes' worker-thread limit is set when the server starts."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.to_thread

from thecal.entrypoints.api.server import with_request_threads


def test_the_lifespan_start_sets_the_thread_limit_and_every_message_reaches_the_app() -> None:
    seen: list[tuple[str, float]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        limit = anyio.to_thread.current_default_thread_limiter().total_tokens
        seen.append((scope["type"], limit))

    async def main() -> None:
        assert anyio.to_thread.current_default_thread_limiter().total_tokens == 40  # anyio's
        wrapped = with_request_threads(app, 3)
        await wrapped({"type": "lifespan"}, None, None)
        await wrapped({"type": "http"}, None, None)

    anyio.run(main)

    assert seen == [("lifespan", 3), ("http", 3)]
