"""``peerline blocklist add|list|remove``: entries by id, never a number on the screen."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from peerline.cli import main
from storage.blocklist import BlocklistStore
from storage.crypto import FieldCipher
from tests.integration.test_roster_cli import environment  # noqa: F401 - the CLI's env

pytestmark = pytest.mark.integration


def test_block_list_and_unblock_from_a_terminal(
    engine: Engine, cipher: FieldCipher, capsys: pytest.CaptureFixture[str]
) -> None:
    store = BlocklistStore(engine, cipher)
    assert main(["blocklist", "add", "617-555-0151", "--reason", "threats"]) == 0
    entry = capsys.readouterr().out.split()[-1]
    assert store.is_blocked("+16175550151") and store.entry(entry) is not None
    assert main(["blocklist", "add", "+16175550151"]) == 1
    assert "already blocked" in capsys.readouterr().err
    assert main(["blocklist", "add", "+16175550152"]) == 0
    capsys.readouterr()

    assert main(["blocklist", "list"]) == 0
    listed = capsys.readouterr()
    assert entry in listed.out and "threats" in listed.out and "cli:" in listed.out
    assert "555" not in listed.out and "2 blocked number(s)" in listed.err

    assert main(["blocklist", "remove", "(617) 555-0151"]) == 0
    assert main(["blocklist", "remove", entry]) == 1  # by its id: already gone
    assert "no such" in capsys.readouterr().err
    [other] = store.entries()
    assert main(["blocklist", "remove", other.id]) == 0
    assert store.entries() == []
    assert main(["blocklist", "remove", "+16175550151"]) == 1
