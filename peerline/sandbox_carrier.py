"""``peerline sandbox``: write the sandbox carrier's configuration and become it."""

from __future__ import annotations

import json
import os
import sys

from peerline import bootstrap, demo
from peerline.deployment import sandbox_refusal
from peerline.settings import Settings
from storage.roster import RosterStore


def run_sandbox_carrier(settings: Settings) -> int:
    """``peerline sandbox``: the local stand-in for Twilio, with the demo phones.

    The sandbox is its own program (``python -m sandbox``); this writes its configuration
    and becomes it, so production code never imports the sandbox. It listens on loopback
    only, and only beside a web process that does too.
    """
    if line := sandbox_refusal(settings):
        print(line, file=sys.stderr)
        return 2
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    store = bootstrap.store(settings)
    roster = RosterStore(store.engine, store.cipher)
    config = {
        "account_sid": settings.twilio_account_sid,
        "auth_token": settings.twilio_auth_token.get_secret_value(),
        "hotline_number": settings.hotline_number,
        "peerline_url": f"http://{settings.host}:{settings.port}",
        "public_url": settings.public_base,
        "cps": settings.calls_per_second,
        "sms_per_second": settings.sms_per_second,
        "demo_phones": demo.sandbox_phones(roster),
        "crisis_number": settings.crisis_number,
        "host": "127.0.0.1",
        "port": settings.sandbox_port,
    }
    store.engine.dispose()
    path = settings.var_dir / "sandbox.json"
    path.touch(mode=0o600)
    path.write_text(json.dumps(config), encoding="utf-8")
    os.execv(sys.executable, [sys.executable, "-m", "sandbox", str(path)])  # noqa: S606
