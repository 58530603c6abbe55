"""The systemd units for one VM: ``systemd-analyze verify`` accepts them (where it exists), and
each service is hardened, restarts forever with a delay and reads /etc/peerline/peerline.env.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.manifests import SYSTEMD, unit_files, unit_values

pytestmark = pytest.mark.infra

SERVICES = [p for p in unit_files() if p.suffix == ".service"]
LONG_RUNNING = [p for p in SERVICES if p.name != "peerline-migrate.service"]
BINARY = "/opt/peerline/bin/peerline"
# Exponential restart back-off needs systemd 254; older versions warn and ignore the keys.
NEWER_KEYS = {"RestartSteps": 254, "RestartMaxDelaySec": 254}


def systemd_version(analyze: str) -> int:
    out = subprocess.run([analyze, "--version"], capture_output=True, text=True, check=True)
    return int(re.match(r"systemd (\d+)", out.stdout).group(1))  # type: ignore[union-attr]


def test_systemd_analyze_verify_accepts_every_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    version = systemd_version(analyze)
    # verify checks that ExecStart's binary exists; point it at this checkout's peerline.
    peerline = Path(sys.executable).with_name("peerline")
    assert peerline.exists()
    for unit in unit_files():
        text = unit.read_text().replace(BINARY, str(peerline))
        (tmp_path / unit.name).write_text(text)
    names = [p.name for p in unit_files() if not p.name.endswith("@.service")]
    names.append("peerline-worker@1.service")  # a template is verified through an instance
    result = subprocess.run(
        [analyze, "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # verify exits 0 even for unparseable values it ignores: every line it prints counts.
    tolerated = "|".join(k for k, since in NEWER_KEYS.items() if version < since) or "^$"
    ignorable = re.compile(rf"Unknown key (name )?'({tolerated})'")
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and not ignorable.search(line)
    ]
    assert result.returncode == 0 and not problems, "\n".join(problems)


def test_verify_is_not_blind(tmp_path: Path) -> None:
    # The same call on a unit with a bad value must print it, or the test above proves nothing.
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    unit = tmp_path / "broken.service"
    unit.write_text(f"[Service]\nType=exec\nRestart=sometimes\nExecStart={sys.executable}\n")
    result = subprocess.run(
        [analyze, "verify", "--man=no", unit.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "sometimes" in result.stdout + result.stderr


@pytest.mark.parametrize("unit", SERVICES, ids=lambda p: p.name)
def test_every_service_is_hardened_and_reads_the_environment_file(unit: Path) -> None:
    assert unit_values(unit, "EnvironmentFile") == ["/etc/peerline/peerline.env"]
    assert unit_values(unit, "DynamicUser") == ["yes"]
    assert unit_values(unit, "ProtectSystem") == ["strict"]
    for key in ("PrivateTmp", "NoNewPrivileges", "ProtectHome", "PrivateDevices"):
        assert unit_values(unit, key) == ["yes"], key
    assert unit_values(unit, "CapabilityBoundingSet") == [""]
    assert unit_values(unit, "SystemCallFilter") == ["@system-service"]
    (exec_start,) = unit_values(unit, "ExecStart")
    assert exec_start.startswith(BINARY + " ")


@pytest.mark.parametrize("unit", LONG_RUNNING, ids=lambda p: p.name)
def test_long_running_services_restart_forever_with_a_delay(unit: Path) -> None:
    assert unit_values(unit, "Restart") == ["always"]
    assert unit_values(unit, "RestartSec") and unit_values(unit, "RestartMaxDelaySec")
    assert unit_values(unit, "StartLimitIntervalSec") == ["0"]  # never give up
    assert unit_values(unit, "PartOf") == ["peerline.target"]
    assert unit_values(unit, "WantedBy") == ["peerline.target"]
    assert "peerline-migrate.service" in unit_values(unit, "After")[0]


def test_the_target_starts_one_web_one_scheduler_two_workers_and_the_migration() -> None:
    wants = " ".join(unit_values(SYSTEMD / "peerline.target", "Wants")).split()
    assert sorted(wants) == sorted(
        [
            "peerline-migrate.service",
            "peerline-web.service",
            "peerline-scheduler.service",
            "peerline-worker@1.service",
            "peerline-worker@2.service",
        ]
    )
    assert (SYSTEMD / "peerline-worker@.service").exists()
    assert unit_values(SYSTEMD / "peerline.target", "WantedBy") == ["multi-user.target"]
