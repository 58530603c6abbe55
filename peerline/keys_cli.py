"""``peerline keys rotate``: every stored number moved to the current key (never printed)."""

from __future__ import annotations

import argparse
import sys

from peerline.commands import ACTION_HELP, needs
from peerline.preflight import Need
from peerline.settings import Settings


def parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="the key numbers are encrypted under").add_subparsers(
        required=True, metavar="ACTION", title="actions", help=ACTION_HELP
    )
    rotate = keys.add_parser(
        "rotate", help="move every stored number to PEERLINE_SECRET_KEY (safe while running)"
    )
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    rotate.set_defaults(func=_rotate)


@needs(Need.SCHEMA)
def _rotate(settings: Settings, args: argparse.Namespace) -> int:
    return rotate_keys(settings, args.batch_size)


def rotate_keys(settings: Settings, batch_size: int = 500) -> int:
    """0 when nothing is left under an old key (the old keys may then go), else 1."""
    from peerline.bootstrap import cipher_for
    from storage.engine import make_engine
    from storage.rotation import KeyRotation

    cipher = cipher_for(settings)
    print(
        f"current key {cipher.key_id}; reading {len(settings.old_keys())} old key(s) "
        "from PEERLINE_OLD_SECRET_KEYS"
    )
    engine = make_engine(settings.database_url)
    try:
        summary = KeyRotation(engine, cipher, max(1, batch_size)).run()
    finally:
        engine.dispose()
    for name, tally in summary.tallies.items():
        line = f"  {name}: {tally.moved} moved, {tally.current} already current"
        if tally.unreadable:
            line += f", {tally.unreadable} under no key given: left as they are"
        print(line)
    if summary.unmatched_opt_outs:
        print(
            f"  opt_outs: {summary.unmatched_opt_outs} recorded before numbers were kept with "
            "them match no number Peerline holds: they stay under the key that wrote them "
            "and are forgotten when it goes"
        )
    if summary.complete:
        print(
            f"done: every value is under key {summary.key_id}; "
            "PEERLINE_OLD_SECRET_KEYS can be emptied"
        )
        return 0
    print(
        f"peerline: {summary.remaining} value(s) still under an old key (written by a process "
        "still on the old key, or under a key not given): keep the old keys and run again",
        file=sys.stderr,
    )
    return 1
