"""Peerline: phone and text intake for a peer-support line serving healthcare workers.

Each command below has its own --help. A command that needs the database checks first that
it has been migrated (``peerline.preflight``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from peerline import blocklist_cli, keys_cli, logs, people_cli, training_cli
from peerline.commands import ACTION_HELP, NEEDS, needs
from peerline.preflight import Need, schema_problem
from peerline.process_tree import follow_parent
from peerline.settings import Settings

logger = logging.getLogger("peerline")
DESCRIPTION = (
    "Peerline answers a peer-support hotline by phone and text, asks a few questions and"
    " connects the caller with a volunteer peer. Run `peerline run` to try it on this"
    " computer, or `peerline COMMAND --help` for one command."
)


def main(argv: Sequence[str] | None = None) -> int:
    follow_parent()  # a child of `peerline run` stops when `run` does, however it ends
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    logs.configure(settings.log_level)
    if args.func in GUARDED and _refused(settings, args):
        return 2
    need = NEEDS.get(args.func)
    if need is not None and (problem := schema_problem(settings.database_url, need)):
        print(f"peerline: {problem}", file=sys.stderr)
        return 1
    result: int = args.func(settings, args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peerline", description=DESCRIPTION)
    sub = parser.add_subparsers(
        required=True, metavar="COMMAND", title="commands", help=ACTION_HELP
    )

    serve = sub.add_parser(
        "serve",
        help="run the web process: Twilio webhooks, the coordinator console, its JSON API,"
        " the public request form and health checks",
    )
    serve.add_argument("--host", help="bind to this address (default: PEERLINE_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="bind to this port (default: PEERLINE_PORT, 8000)")
    serve.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (default: 1)"
    )
    serve.set_defaults(func=_serve)

    worker = sub.add_parser("worker", help="run a worker: dispatch, call backs, texts, pages")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.set_defaults(func=_worker)

    scheduler = sub.add_parser(
        "scheduler", help="re-queue work the queue lost and close idle conversations, in a loop"
    )
    scheduler.add_argument(
        "--interval", type=float, default=5.0, help="seconds between passes (default: 5)"
    )
    scheduler.set_defaults(func=_scheduler)

    sandbox = sub.add_parser(
        "sandbox", help="run the sandbox carrier: a stand-in for Twilio with a softphone page"
    )
    sandbox.set_defaults(func=_sandbox)

    run = sub.add_parser(
        "run", help="everything on this computer: migrations, demo data, web, worker, sandbox"
    )
    run.add_argument(
        "--no-sandbox", action="store_true", help="don't start the sandbox carrier (real Twilio)"
    )
    run.set_defaults(func=_run)

    db = sub.add_parser("db", help="the database schema").add_subparsers(
        required=True, metavar="ACTION", title="actions", help=ACTION_HELP
    )
    db.add_parser("upgrade", help="create or update Peerline's tables").set_defaults(
        func=_db_upgrade
    )

    people_cli.parsers(sub)
    keys_cli.parsers(sub)
    blocklist_cli.parsers(sub)
    training_cli.parsers(sub)

    twilio = sub.add_parser("twilio", help="set up a real Twilio number").add_subparsers(
        required=True, metavar="ACTION", title="actions", help=ACTION_HELP
    )
    configure = twilio.add_parser(
        "configure", help="point the hotline number's voice/SMS URLs at PEERLINE_PUBLIC_URL"
    )
    configure.set_defaults(func=_twilio_configure)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """Every command's --help opens with its one-line help, as a sentence."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                command = action.choices[choice.dest]
                if not command.description and choice.help:
                    command.description = choice.help[0].upper() + choice.help[1:] + "."
                _describe(command)


@needs(Need.SCHEMA_WHEN_UP)
def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    host = settings.host if args.host is None else args.host
    port = settings.port if args.port is None else args.port
    # Each uvicorn worker builds its own Settings from the environment: hand the flags on,
    # so the default public URL (http://host:port) names where we really listen.
    os.environ.update(PEERLINE_HOST=host, PEERLINE_PORT=str(port))
    uvicorn.run(
        "peerline.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_config=None,
        proxy_headers=False,
        server_header=False,  # no "server: uvicorn" banner
    )
    return 0


@needs(Need.SCHEMA_WHEN_UP)
def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.processes import run_worker

    run_worker(settings, burst=args.burst)
    return 0


@needs(Need.SCHEMA_WHEN_UP)
def _scheduler(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.processes import run_scheduler

    run_scheduler(settings, interval=args.interval)
    return 0


@needs(Need.SCHEMA)
def _sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.sandbox_carrier import run_sandbox_carrier

    return run_sandbox_carrier(settings)


@needs(Need.DATABASE)
def _run(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.processes import run_everything

    return run_everything(settings, sandbox=not args.no_sandbox)


@needs(Need.DATABASE)
def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    print("database is at the latest schema")
    return 0


def _twilio_configure(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.twilio_setup import configure

    return configure(settings)


def _refused(settings: Settings, args: argparse.Namespace) -> bool:
    """Laptop-only settings (placeholder credentials, a generated key) refused in a
    deployment, judged where ``serve`` will really listen."""
    from peerline.deployment import deployment_refusal

    host, port = getattr(args, "host", None), getattr(args, "port", None)
    listening = {"host": host or settings.host, "port": port or settings.port}
    line = deployment_refusal(settings.model_copy(update=listening))
    if line is None and args.func is _sandbox:
        from peerline.deployment import sandbox_refusal

        line = sandbox_refusal(settings)
    if line:
        print(line, file=sys.stderr)
    return line is not None


GUARDED = (
    _serve,
    _worker,
    _scheduler,
    _run,
    _sandbox,
    _twilio_configure,
)  # long-running, or Twilio


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
