"""``peerline training import FILE.csv``: the training ledger's columns for supporters
already on the roster (matched by phone), every row or none. See docs/training.md."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from peerline.commands import ACTION_HELP, needs
from peerline.preflight import Need
from peerline.settings import Settings


def parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    training = sub.add_parser(
        "training", help="the training ledger: tiers, training dates, CE hours"
    ).add_subparsers(required=True, metavar="ACTION", title="actions", help=ACTION_HELP)
    load = training.add_parser(
        "import", help="set tiers, training dates and CE hours for supporters on the roster"
    )
    load.add_argument("file", type=Path, metavar="FILE.csv", help="see docs/training.md")
    load.set_defaults(func=_import)


@needs(Need.SCHEMA)
def _import(settings: Settings, args: argparse.Namespace) -> int:
    from ivr.numbers import to_e164
    from peerline.bootstrap import cipher_for
    from storage.audit import AuditStore
    from storage.engine import make_engine
    from storage.roster import RosterStore
    from storage.training import TrainingStore
    from usecases.access import cli_actor
    from usecases.audit import AuditTrail
    from usecases.candidates import zone
    from usecases.errors import Invalid
    from usecases.training_import import TrainingImport

    path: Path = args.file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"peerline: {path}: can't read it ({type(exc).__name__})", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    try:
        use = TrainingImport(
            RosterStore(engine, cipher_for(settings)),
            TrainingStore(engine),
            to_e164,
            AuditTrail(AuditStore(engine)),
        )
        today = datetime.now(UTC).astimezone(zone(settings.timezone)).date()
        done = use.run(cli_actor(getpass.getuser()), text, today)
    except Invalid as exc:
        print(f"peerline: {path}: nothing imported; fix these and run it again:", file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"updated the training ledger of {done.supporters} supporters; {done.credits} CE entries")
    return 0
