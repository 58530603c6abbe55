"""The sandbox as a web app: Twilio's REST API subset plus the softphone page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from sandbox.config import SandboxConfig
from sandbox.rest import rest_routes
from sandbox.sandbox import Sandbox
from sandbox.softphone import softphone_routes


def create_sandbox_app(
    config: SandboxConfig, *, sandbox: Sandbox | None = None, stream_seconds: float = 300.0
) -> Starlette:
    """Build the sandbox web app; it owns (and closes) ``sandbox`` unless one is given.

    ``stream_seconds`` bounds each live-update stream; browsers reconnect and resume.
    """
    owned = sandbox is None
    box = sandbox or Sandbox(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            app.state.streams_open = False
            if owned:
                box.close()

    app = Starlette(routes=[*rest_routes(), *softphone_routes()], lifespan=lifespan)
    app.state.sandbox = box
    app.state.streams_open = True
    app.state.stream_seconds = stream_seconds
    return app
