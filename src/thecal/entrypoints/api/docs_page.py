"""The API's documentation page: Swagger UI served from the installed package, never from a CDN.

The site's Content-Security-Policy (``default-src 'self'``) blocks scripts from other origins and
inline scripts, so FastAPI's own docs page (CDN assets, an inline start-up script) rendered blank.
Here the page, Swagger UI's script and style sheet (shipped by ``fastapi-offline``) and the
start-up script (``static/api-docs.js``) all come from this server.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_docs_page"]

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>thecal API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def _assets_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install_docs_page(app: FastAPI, *, prefix: str, openapi_url: str) -> None:
    """Serve ``{prefix}/docs`` and its assets under ``{prefix}/docs/assets``."""
    assets = f"{prefix}/docs/assets"
    page = _PAGE.format(assets=assets, openapi_url=openapi_url)
    router = APIRouter(include_in_schema=False)

    @router.get(f"{prefix}/docs", response_class=HTMLResponse)
    def docs_page() -> HTMLResponse:
        return HTMLResponse(page)

    app.include_router(router)
    app.mount(assets, StaticFiles(directory=_assets_dir()), name="api-docs-assets")
