"""What every command shares: its handler's shape and what it needs of the database."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from peerline.preflight import Need
from peerline.settings import Settings

ACTION_HELP = "what to do (each has --help)"
Handler = Callable[[Settings, argparse.Namespace], int]
NEEDS: dict[Handler, Need] = {}  # what each command needs of the database before it starts


def needs(need: Need) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        NEEDS[handler] = need
        return handler

    return mark
