"""``create_app(settings)``: the ASGI application, for uvicorn's ``--factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp

from console.web import mounts as console_mounts
from console.web import unrouted
from peerline import bootstrap, health
from peerline.headers import SecurityHeaders
from peerline.settings import Settings
from storage.engine import POOL_SIZE
from telephony import webhooks

# Handlers run in threads, each holding one pooled connection at a time: no more threads
# than pooled connections, or a burst opens and closes overflow connections by the dozen
# (measured: 99 new PostgreSQL connections in 6 s at 300 req/s). Two cores gain nothing
# from more threads anyway.
WEB_THREADS = POOL_SIZE


class PeerlineApp(Starlette):
    """Starlette with the security headers outermost, so even a 500 page carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        https = self.state.settings.public_base.startswith("https://")
        return SecurityHeaders(super().build_middleware_stack(), hsts=https)


def create_app(
    settings: Settings | None = None, services: bootstrap.Services | None = None
) -> Starlette:
    """Build the web app. Nothing connects until the first request or startup."""
    settings = settings or Settings()
    owned = services is None
    # Its Twilio client is built at the first call it places: few webhooks place one.
    services = services or bootstrap.build(settings, fast_fail_redis=True, lazy_carrier=True)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WEB_THREADS
        yield
        if owned:
            services.close()

    app = PeerlineApp(
        routes=[
            *webhooks.routes(),
            Route("/healthz", health.healthz, methods=["GET"]),
            Route("/readyz", health.readyz, methods=["GET"]),
            *console_mounts(bootstrap.console_services(services)),  # /api, /console
        ],
        lifespan=lifespan,
        exception_handlers={404: unrouted},
    )
    app.state.settings = settings
    app.state.services = services
    app.state.guard = bootstrap.webhook_guard(settings)
    app.state.admission = bootstrap.admission(services)
    organizations = bootstrap.known_organizations(services)  # one cache for both channels
    app.state.intake = bootstrap.voice_intake(services, organizations)
    app.state.supporter_leg = bootstrap.supporter_leg(services)
    worker_side = bootstrap.dispatch_deps(services)
    app.state.caller_leg = worker_side.caller_leg
    app.state.help_key = worker_side.help_key
    app.state.sms = bootstrap.text_desk(services, organizations)
    app.state.text_spool = bootstrap.text_spool(services)
    return app
