"""Serving the sandbox over HTTP: in a background thread (tests, ``peerline run``) or blocking."""

from __future__ import annotations

import socket
import threading
import time
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from sandbox.app import create_sandbox_app
from sandbox.config import SandboxConfig

GRACEFUL_SECONDS = 2  # how long open live-update streams may delay a shutdown


class SandboxServer:
    """uvicorn serving ``app`` on a loopback port in a daemon thread.

    ``port=0`` picks a free port; read it back from :attr:`url` after :meth:`start`.
    """

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> SandboxServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.app.state.streams_open = False  # end live-update streams so shutdown is quick
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_sandbox(config: SandboxConfig, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the sandbox until interrupted (for a ``peerline run`` child process)."""
    app = create_sandbox_app(config)
    settings = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        server_header=False,
    )
    _StreamEndingServer(settings, app).run()


class _StreamEndingServer(uvicorn.Server):
    """Ends the live-update streams as soon as it is told to stop.

    uvicorn waits for open responses before shutting down; an open softphone page holds
    one for minutes. Ending them at once lets the process exit and the page say "Sandbox
    stopped" straight away.
    """

    def __init__(self, config: uvicorn.Config, app: Starlette) -> None:
        super().__init__(config)
        self.app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.app.state.streams_open = False
        super().handle_exit(sig, frame)
