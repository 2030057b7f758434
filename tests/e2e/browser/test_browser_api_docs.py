"""The API docs page in real Chromium: Swagger UI loads from the server under the site's CSP
(before, its CDN script and inline start-up were blocked and the page stayed blank)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import LiveServer
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def server_operations(page: Any, server: LiveServer) -> int:
    document = page.request.get(f"{server.url}/api/v1/openapi.json").json()
    return sum(len(methods) for methods in document["paths"].values())


def test_the_api_docs_page_renders_every_operation_with_no_request_off_the_server(
    browser: Any, server: LiveServer
) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{server.url}/api/v1/docs")
    # Swagger UI builds every operation's block in the page's script: on a loaded 2-core CI
    # machine that took longer than Playwright's default 5 s, so the wait is generous
    expect(page.locator(".opblock").first).to_be_visible(timeout=60_000)
    served = server_operations(page, server)
    assert page.locator(".opblock").count() == served > 40  # every operation of the document
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/worklist").first).to_be_visible()
    assert all(url.startswith(server.url) for url in requested), requested
    assert refused == []
