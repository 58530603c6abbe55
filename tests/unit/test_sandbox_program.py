"""``python -m sandbox CONFIG.json``: the file Peerline writes becomes the sandbox's config."""

import json
from pathlib import Path

from sandbox import ManualClock, Sandbox
from sandbox.__main__ import config_from, is_loopback


def test_the_config_file_carries_phones_to_open_and_the_crisis_number(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text(
        json.dumps(
            {
                "account_sid": "AC" + "5a" * 16,
                "auth_token": "token",
                "hotline_number": "+16175550100",
                "peerline_url": "http://127.0.0.1:8000",
                "crisis_number": "+18005551212",
                "demo_phones": [
                    ["+16175550150", "You (a caller)", True],
                    ["+16175550103", "Priya Raman (supporter, trainee)"],
                    ["+16175550101", "Maria Delgado (supporter, nurse)", True],
                ],
                "host": "127.0.0.1",
                "port": 8799,
            }
        ),
        encoding="utf-8",
    )

    config, host, port = config_from(path)

    assert (host, port, config.crisis_number) == ("127.0.0.1", 8799, "+18005551212")
    with Sandbox(config, clock=ManualClock()) as box:
        phones = box.switchboard.phones
        assert [p.number for p in phones.values() if p.open_by_default] == [
            "+16175550150",
            "+16175550101",
        ]
        assert phones["+18005551212"].label == "988 Lifeline"


def test_only_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
