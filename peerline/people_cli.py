"""The people commands: ``supporters``, ``coordinators``, ``tokens`` and ``accounts``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from peerline.commands import ACTION_HELP, needs
from peerline.preflight import Need
from peerline.settings import Settings


def parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _roster_parsers(sub)
    _console_parsers(sub)


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
    change = coordinators.add_parser(
        "set", help="on-call hours, paging order or time zone of a coordinator"
    )
    change.add_argument("who", metavar="NAME", help="the coordinator's name (or id)")
    hours = change.add_mutually_exclusive_group()
    hours.add_argument(
        "--on-call", metavar="HOURS", help="e.g. 'Mon-Fri 09:00-17:00; Sat 18:00-08:00'"
    )
    hours.add_argument("--always", action="store_true", help="on call at all hours")
    change.add_argument("--backup-order", type=int, help="paging order, lowest first")
    change.add_argument("--timezone", help="IANA zone the hours are in")
    change.set_defaults(func=_coordinators_set)


def _new_organization_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--new-organization",
        action="append",
        default=[],
        metavar="NAME",
        help="NAME is a new organization, though it looks like a known one (repeatable)",
    )


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


@needs(Need.SCHEMA)
def _coordinators_set(settings: Settings, args: argparse.Namespace) -> int:
    from peerline.oncall_cli import set_coordinator

    on_call = "" if args.always else args.on_call
    return set_coordinator(settings, args.who, on_call, args.backup_order, args.timezone)


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
