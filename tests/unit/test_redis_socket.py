"""The embedded Redis listens under var/, unless var/ is too deep for a UNIX socket path."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from peerline.redis_server import MAX_SOCKET_PATH, socket_path


def test_the_socket_is_under_var(tmp_path: Path) -> None:
    path, reason = socket_path(tmp_path / "var")
    assert (path, reason) == ((tmp_path / "var" / "redis.sock").resolve(), None)


def test_a_var_dir_too_deep_for_a_socket_gets_a_short_private_path_and_a_reason(
    tmp_path: Path,
) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60) / "var"
    assert len(os.fsencode(deep / "redis.sock")) > MAX_SOCKET_PATH
    path, reason = socket_path(deep)
    assert reason is not None and "PEERLINE_VAR_DIR" in reason and str(MAX_SOCKET_PATH) in reason
    assert len(os.fsencode(path)) <= MAX_SOCKET_PATH
    mode = path.parent.stat().st_mode
    assert path.parent.stat().st_uid == os.getuid() and stat.S_IMODE(mode) == 0o700
    assert socket_path(deep) == (path, reason)  # every process of the checkout finds it
    assert socket_path(tmp_path / ("f" * 130))[0] != path  # another checkout, another one


def test_the_longest_path_that_fits_stays_under_var(tmp_path: Path) -> None:
    room = MAX_SOCKET_PATH - len(os.fsencode(tmp_path.resolve() / "redis.sock")) - 1
    var = tmp_path / ("v" * room)
    assert len(os.fsencode(var.resolve() / "redis.sock")) == MAX_SOCKET_PATH
    assert socket_path(var) == (var.resolve() / "redis.sock", None)
