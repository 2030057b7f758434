"""One size limit on every request body, counted before anything parses it (issue 15 §5).

A plain ASGI middleware in front of the whole app (API, pages, log-in): a declared
``Content-Length`` above the limit, or a body that grows past it while it streams in (chunked, or
a client that lies about its length), is refused with 413 the moment the app asks for the body,
so no JSON or form parser ever sees more than the limit and nothing is read into memory beyond
it. The refusal is a ``413`` :class:`~starlette.exceptions.HTTPException` raised from ``receive``:
the app's own error handlers answer it, with a problem document (``THC-HTTP-413``) under
``/api/`` and an error page elsewhere. A request whose route never reads its body reads none of it.

Every clinical request is a few kilobytes (the largest, a questionnaire page, under 10 KiB);
the default of 64 KiB (``THECAL_MAX_REQUEST_KB``) leaves room and caps the cost of parsing a
hostile body (a 300,000-key JSON object cost 4 s of CPU before the limit).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_MAX_REQUEST_KB", "RequestBodyLimit"]

DEFAULT_MAX_REQUEST_KB = 64


class RequestBodyLimit:
    """Refuses request bodies larger than ``max_bytes`` with 413 before they are parsed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> HTTPException:
        return HTTPException(
            status_code=413,
            detail=(
                f"the request body is larger than the limit of {self.max_bytes // 1024} KiB: "
                "nothing was read or changed"
            ),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        refuse_at_once = declared is not None and (
            not declared.strip().isdigit() or int(declared) > self.max_bytes
        )
        received = 0

        async def limited() -> Message:
            nonlocal received
            if refuse_at_once:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, limited, send)
