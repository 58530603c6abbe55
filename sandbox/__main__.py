"""``python -m sandbox CONFIG.json``: serve the sandbox carrier and softphone page.

Peerline's ``run`` and ``sandbox`` commands start it this way, so production code never
imports the sandbox. The JSON file holds :class:`SandboxConfig`'s fields plus ``host`` and
``port``; the host must be loopback (the sandbox has no authentication of its own).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sandbox.config import SandboxConfig
from sandbox.origin import is_loopback
from sandbox.server import run_sandbox


def config_from(path: Path) -> tuple[SandboxConfig, str, int]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    host = str(raw.pop("host", "127.0.0.1"))
    port = int(raw.pop("port", 8765))
    raw["demo_phones"] = tuple(tuple(p) for p in raw.get("demo_phones", ()))
    return SandboxConfig(**raw), host, port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Serve the local stand-in for Twilio."
    )
    parser.add_argument("config", type=Path, help="a JSON file of SandboxConfig fields")
    args = parser.parse_args(argv)
    config, host, port = config_from(args.config)
    if not is_loopback(host):
        print(f"sandbox: refusing to listen on {host}: loopback only", file=sys.stderr)
        return 2
    run_sandbox(config, host=host, port=port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
