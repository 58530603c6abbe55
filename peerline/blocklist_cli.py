"""``peerline blocklist add|remove|list``: the blocklist from a terminal (admin rights, as
the operator can read the database anyway). ``list`` prints entries, never numbers."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from peerline.commands import ACTION_HELP, needs
from peerline.preflight import Need
from peerline.settings import Settings

if TYPE_CHECKING:  # the command imports lazily, as the others do
    from usecases.access import Actor
    from usecases.blocklist import Blocklist


def parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    blocklist = sub.add_parser(
        "blocklist", help="numbers whose calls are rejected and texts unanswered"
    ).add_subparsers(required=True, metavar="ACTION", title="actions", help=ACTION_HELP)
    add = blocklist.add_parser("add", help="block a number: never answered, called or texted")
    add.add_argument("number", help="any usual format; +1 (US) when no country code is given")
    add.add_argument("--reason", default="", help="why (no phone numbers); shown in the list")
    add.set_defaults(func=_add)
    remove = blocklist.add_parser("remove", help="unblock a number, or an entry by its id")
    remove.add_argument("entry", metavar="NUMBER_OR_ID", help="the number, or the id `list` shows")
    remove.set_defaults(func=_remove)
    listing = blocklist.add_parser("list", help="entries: id, added, by whom, why (no numbers)")
    listing.set_defaults(func=_list)


@needs(Need.SCHEMA)
def _add(settings: Settings, args: argparse.Namespace) -> int:
    return block(settings, args.number, args.reason)


@needs(Need.SCHEMA)
def _remove(settings: Settings, args: argparse.Namespace) -> int:
    return unblock(settings, args.entry)


@needs(Need.SCHEMA)
def _list(settings: Settings, args: argparse.Namespace) -> int:
    return list_entries(settings)


def block(settings: Settings, number: str, reason: str) -> int:
    def run(blocklist: Blocklist) -> int:
        entry = blocklist.add(_actor(), number, reason)
        print(f"blocked: entry {entry.id}")
        return 0

    return _run(settings, run)


def unblock(settings: Settings, entry: str) -> int:
    def run(blocklist: Blocklist) -> int:
        if len(entry) == 32 and all(c in "0123456789abcdef" for c in entry):
            blocklist.remove(_actor(), entry)
            removed = entry
        else:
            removed = blocklist.remove_number(_actor(), entry)
        print(f"unblocked: entry {removed}")
        return 0

    return _run(settings, run)


def list_entries(settings: Settings) -> int:
    def run(blocklist: Blocklist) -> int:
        entries = blocklist.entries(_actor())
        for e in entries:
            print(f"{e.id}  {e.created_at:%Y-%m-%d %H:%M}  {e.added_by}  {e.reason}".rstrip())
        print(f"{len(entries)} blocked number(s)", file=sys.stderr)
        return 0

    return _run(settings, run)


def _actor() -> Actor:
    from usecases.access import cli_actor

    return cli_actor(os.environ.get("USER", ""))


def _run(settings: Settings, command: Callable[[Blocklist], int]) -> int:
    from peerline import bootstrap
    from usecases.errors import UseCaseError

    store = bootstrap.store(settings)
    try:
        return command(bootstrap.blocklist(store))
    except UseCaseError as exc:
        print(f"peerline: {exc}", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()
