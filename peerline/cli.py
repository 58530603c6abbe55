"""The ``peerline`` command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from peerline import logs
from peerline.settings import Settings

logger = logging.getLogger("peerline")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    logs.configure(settings.log_level)
    result: int = args.func(settings, args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peerline", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the web process (webhooks, API, console)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.set_defaults(func=_serve)

    worker = sub.add_parser("worker", help="run an RQ worker on the urgency queues")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.set_defaults(func=_worker)

    scheduler = sub.add_parser("scheduler", help="run the reconciler loop")
    scheduler.add_argument("--interval", type=float, default=10.0)
    scheduler.set_defaults(func=_scheduler)

    run = sub.add_parser("run", help="everything in one process tree, for a laptop")
    run.add_argument("--no-sandbox", action="store_true", help="don't start the sandbox carrier")
    run.set_defaults(func=_run)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="apply Alembic migrations").set_defaults(func=_db_upgrade)

    twilio = sub.add_parser("twilio", help="Twilio account set-up").add_subparsers(
        required=True, metavar="ACTION"
    )
    configure = twilio.add_parser(
        "configure", help="point the hotline number's voice/SMS URLs at PEERLINE_PUBLIC_URL"
    )
    configure.set_defaults(func=_twilio_configure)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "peerline.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        log_config=None,
        proxy_headers=False,
    )
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.processes import run_worker

    run_worker(settings, burst=args.burst)
    return 0


def _scheduler(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.processes import run_scheduler

    run_scheduler(settings, interval=args.interval)
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.processes import run_everything

    return run_everything(settings, sandbox=not args.no_sandbox)


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    print("database is at the latest schema")
    return 0


def _twilio_configure(settings: Settings, args: argparse.Namespace) -> int:
    from telephony.carrier import configure_number, twilio_client

    client = twilio_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        settings.twilio_api_url,
    )
    try:
        sid = configure_number(client, settings.hotline_number, settings.public_base)
    except LookupError as exc:
        print(f"peerline: {exc}", file=sys.stderr)
        return 1
    print(f"configured {sid}: voice, fallback, status and SMS URLs under {settings.public_base}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
