"""Peerline: phone and text intake for a peer-support line serving healthcare workers.

Each command below has its own --help. A command that needs the database checks first that
it has been migrated (``peerline.preflight``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from peerline import logs
from peerline.preflight import Need, schema_problem
from peerline.settings import Settings

logger = logging.getLogger("peerline")
DESCRIPTION = (
    "Peerline answers a peer-support hotline by phone and text, asks a few questions and"
    " connects the caller with a volunteer peer. Run `peerline run` to try it on this"
    " computer, or `peerline COMMAND --help` for one command."
)
ACTION_HELP = "what to do (each has --help)"
Handler = Callable[[Settings, argparse.Namespace], int]
NEEDS: dict[Handler, Need] = {}  # what each command needs of the database before it starts


def needs(need: Need) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        NEEDS[handler] = need
        return handler

    return mark


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    logs.configure(settings.log_level)
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
        help="run the web process: Twilio webhooks, the coordinator console, its JSON API"
        " and health checks",
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

    _roster_parsers(sub)
    _console_parsers(sub)

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


def _roster_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    supporters = sub.add_parser("supporters", help="the volunteer roster").add_subparsers(
        required=True, metavar="ACTION", title="actions", help=ACTION_HELP
    )
    load = supporters.add_parser("import", help="add every supporter in a CSV file, or none")
    load.add_argument("file", type=Path, metavar="FILE.csv", help="see docs/roster.md")
    _new_organization_option(load)
    load.set_defaults(func=_supporters_import)
    supporters.add_parser("list", help="the roster, without phone numbers").set_defaults(
        func=_supporters_list
    )
    add = supporters.add_parser("add", help="add one supporter")
    for flag, text in (
        ("--name", "full name, as coordinators know them"),
        ("--phone", "any usual format; +1 (US) when no country code is given"),
        ("--role", "nurse, physician, trainee, app, allied, tech, support, other, or RN, NP …"),
        ("--organization", "where they work; callers are never matched inside it"),
        ("--languages", "en, or en;es"),
    ):
        add.add_argument(flag, required=True, help=text)
    add.add_argument("--schedule", default="", help="e.g. 'Mon-Fri 09:00-17:00; Sat 18:00-22:00'")
    add.add_argument("--timezone", default="", help="IANA zone (default America/New_York)")
    _new_organization_option(add)
    add.set_defaults(func=_supporters_add)

    coordinators = sub.add_parser("coordinators", help="who gets alerts").add_subparsers(
        required=True, metavar="ACTION", title="actions", help=ACTION_HELP
    )
    coordinator = coordinators.add_parser("add", help="add a coordinator")
    coordinator.add_argument("--name", required=True, help="full name, as shown in the console")
    coordinator.add_argument(
        "--phone", required=True, help="where alerts are texted; +1 (US) when no country code"
    )
    coordinator.add_argument(
        "--backup-order", type=int, help="paging order, lowest first (default: last)"
    )
    coordinator.add_argument("--timezone", help="IANA zone (default America/New_York)")
    coordinator.add_argument("--email", help="with a password: the console login (or --username)")
    coordinator.add_argument("--username", help="the console login's username")
    _password_options(coordinator)
    coordinator.set_defaults(func=_coordinators_add)
    coordinators.add_parser("list", help="coordinators in paging order").set_defaults(
        func=_coordinators_list
    )


def _new_organization_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--new-organization",
        action="append",
        default=[],
        metavar="NAME",
        help="NAME is a new organization, though it looks like a known one (repeatable)",
    )


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
    from peerline.processes import run_sandbox_carrier

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


@needs(Need.SCHEMA)
def _supporters_import(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.roster_cli import import_supporters

    return import_supporters(settings, args.file, args.new_organization)


@needs(Need.SCHEMA)
def _supporters_list(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.roster_cli import list_supporters

    return list_supporters(settings)


@needs(Need.SCHEMA)
def _supporters_add(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.roster_cli import add_supporter

    fields = ("name", "phone", "role", "organization", "languages", "schedule", "timezone")
    values = {field: getattr(args, field) for field in fields}
    return add_supporter(settings, values, args.new_organization)


@needs(Need.SCHEMA)
def _coordinators_add(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.console_cli import coordinator_login, read_password
    from peerline.roster_cli import add_coordinator

    login = args.username or args.email
    password = None
    if args.password_prompt or args.password_stdin:
        if not login:
            print("peerline: a console login needs --email or --username", file=sys.stderr)
            return 1
        if (password := read_password(args.password_prompt, args.password_stdin)) is None:
            return 1
    status = add_coordinator(settings, args.name, args.phone, args.backup_order, args.timezone)
    if status or password is None:
        return status
    return coordinator_login(settings, args.phone, args.name, login, password)


def _console_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tokens = sub.add_parser("tokens", help="API tokens for /api/v1").add_subparsers(
        required=True, metavar="ACTION", title="actions", help=ACTION_HELP
    )
    create = tokens.add_parser("create", help="create a token and print it, once")
    create.add_argument("--name", required=True, help="what the token is for, e.g. 'reports'")
    create.add_argument(
        "--role", required=True, choices=["coordinator", "admin"], help="what it may do"
    )
    create.set_defaults(func=_tokens_create)
    tokens.add_parser("list", help="tokens, never their secrets").set_defaults(func=_tokens_list)
    revoke = tokens.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name", help="the name it was created with")
    revoke.set_defaults(func=_tokens_revoke)
    accounts = sub.add_parser("accounts", help="console logins").add_subparsers(
        required=True, metavar="ACTION", title="actions", help=ACTION_HELP
    )
    add = accounts.add_parser("add", help="add a console login (e.g. the first admin)")
    add.add_argument("--username", help="the login's username (default: the email)")
    add.add_argument("--email", help="the login's email address")
    add.add_argument("--name", required=True, help="full name, as shown in the console")
    add.add_argument(
        "--role", required=True, choices=["coordinator", "admin"], help="what the login may do"
    )
    _password_options(add)
    add.set_defaults(func=_accounts_add)


def _password_options(parser: argparse.ArgumentParser) -> None:
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--password-prompt", action="store_true", help="ask for a console password")
    how.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )


@needs(Need.SCHEMA)
def _tokens_create(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.console_cli import create_token

    return create_token(settings, args.name, args.role)


@needs(Need.SCHEMA)
def _tokens_list(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.console_cli import list_tokens

    return list_tokens(settings)


@needs(Need.SCHEMA)
def _tokens_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.console_cli import revoke_token

    return revoke_token(settings, args.name)


@needs(Need.SCHEMA)
def _accounts_add(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.console_cli import add_account, read_password

    login = args.username or args.email
    if not login:
        print("peerline: an account needs --email or --username", file=sys.stderr)
        return 1
    if not (args.password_prompt or args.password_stdin):
        print("peerline: give --password-prompt or --password-stdin", file=sys.stderr)
        return 1
    if (password := read_password(args.password_prompt, args.password_stdin)) is None:
        return 1
    return add_account(
        settings,
        username=login,
        name=args.name,
        role=args.role,
        password=password,
        email=args.email,
    )


@needs(Need.SCHEMA)
def _coordinators_list(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.roster_cli import list_coordinators

    return list_coordinators(settings)


def _twilio_configure(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.twilio_setup import configure

    return configure(settings)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
