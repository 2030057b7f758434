"""Probes and metrics for the operator: ``/healthz``, ``/readyz`` and ``/metrics``.

* ``GET /healthz`` — the process is up and answering (liveness): always 200 ``{"status": "ok"}``
  while the event loop runs. It touches nothing else, so a database outage does not get healthy
  workers restarted.
* ``GET /readyz`` — this worker can serve (readiness): 200 when every check passes, else 503,
  with each check's name, outcome and a reason:

  - ``database``: a ``SELECT 1`` answers;
  - ``schema``: the database is at this code's migration head (``adapters/sql/schema_state.py``);
  - ``audit_chain``: the audit chain's recorded head is its last entry and verifies with this
    server's key (``services/audit_head.py``; the whole chain is verified before the server
    starts).

  The answer names no patient and no configuration value.
* ``GET /metrics`` — Prometheus text format (``adapters/observability/metrics.py``), only with
  ``Authorization: Bearer <THECAL_METRICS_TOKEN>``; without a configured token it answers 404
  (metrics off), with a wrong or missing one 401. The figures hold no PHI, but they describe the
  clinic's activity (how many refills are overdue), so they are not public: docs/deploy.md has
  the proxy deny ``/metrics`` from outside and Prometheus scrape the server's port directly.

None of them is in the OpenAPI document (they are not part of the clinical API), none needs a
session, and none writes to the audit log (they read no PHI).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from thecal.adapters.observability.metrics import CONTENT_TYPE
from thecal.adapters.sql.schema_state import schema_state
from thecal.bootstrap import Thecal
from thecal.entrypoints.api.deps import thecal_of
from thecal.services.audit_head import CheckAuditHead, check_audit_head

__all__ = ["Check", "readiness", "router"]

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


def _database(thecal: Thecal) -> Check:
    try:
        with thecal.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        return Check("database", ok=False, detail=f"unreachable: {type(cause).__name__}")
    return Check("database", ok=True, detail=thecal.engine.dialect.name)


def _schema(thecal: Thecal) -> Check:
    state = schema_state(thecal.engine)
    return Check("schema", ok=state.current, detail=state.explain())


def _audit_chain(thecal: Thecal) -> Check:
    report = thecal.run(check_audit_head, CheckAuditHead())
    where = "" if report.sequence is None else f" (entry {report.sequence})"
    return Check("audit_chain", ok=report.ok, detail=report.detail + where)


def readiness(thecal: Thecal) -> list[Check]:
    """Every readiness check, in order; later checks are skipped once the database is down."""
    database = _database(thecal)
    if not database.ok:
        return [database]
    checks = [database]
    for check in (_schema, _audit_chain):
        try:
            checks.append(check(thecal))
        except SQLAlchemyError as error:
            name = check.__name__.removeprefix("_")
            checks.append(Check(name, ok=False, detail=f"failed: {type(error).__name__}"))
    return checks


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    checks = readiness(thecal_of(request))
    ready = all(check.ok for check in checks)
    body: dict[str, Any] = {
        "status": "ready" if ready else "not ready",
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    thecal = thecal_of(request)
    token = thecal.settings.metrics_token
    if token is None or thecal.metrics is None:
        return Response("metrics are off: set THECAL_METRICS_TOKEN\n", status_code=404)
    given = request.headers.get("authorization", "")
    expected = f"Bearer {token.get_secret_value()}"
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return Response(
            "a bearer token is needed\n",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return Response(thecal.metrics.exposition(), media_type=CONTENT_TYPE)
