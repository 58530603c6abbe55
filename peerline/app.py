"""``create_app(settings)``: the ASGI application, for uvicorn's ``--factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp

from console.web import mounts as console_mounts
from console.web import unrouted
from peerline import bootstrap, health
from peerline.headers import SecurityHeaders
from peerline.settings import Settings
from telephony import webhooks


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
    services = services or bootstrap.build(settings, fast_fail_redis=True)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
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
