"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

logger = logging.getLogger(__name__)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """200 when the database and Redis both answer; 503 naming what does not."""
    services = request.app.state.services
    checks: dict[str, str] = {}
    for name, probe in (("database", services.store.ping), ("redis", services.redis.ping)):
        try:
            await run_in_threadpool(probe)
            checks[name] = "ok"
        except Exception as exc:
            logger.warning("readiness: %s unreachable (%s)", name, type(exc).__name__)
            checks[name] = "unreachable"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503
    )
