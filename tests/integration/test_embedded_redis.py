"""`peerline run`'s embedded Redis: its socket is var/redis.sock, and a second process of
the same checkout joins that server instead of starting another."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from peerline.redis_server import embedded_url

pytestmark = pytest.mark.integration
JOIN = """
import sys
from pathlib import Path
from peerline.redis_server import embedded_url
url, handle = embedded_url(Path(sys.argv[1]))
handle.set("joined", "yes")
print(url, handle.pid)
"""


def test_the_socket_is_in_var_and_a_second_process_joins_it(tmp_path: Path) -> None:
    var = tmp_path / "var"
    url, handle = embedded_url(var)
    try:
        assert url == f"unix://{(var / 'redis.sock').resolve()}"
        assert handle.ping()
        done = subprocess.run(
            [sys.executable, "-c", JOIN, str(var)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        joined_url, joined_pid = done.stdout.split()
        assert (joined_url, int(joined_pid)) == (url, handle.pid)  # the same server
        assert handle.get("joined") == b"yes"
        assert handle.ping()  # the joiner left; the server stays for its first owner
    finally:
        handle.shutdown(nosave=True)
