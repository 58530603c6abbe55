"""infra/Dockerfile, read with BuildKit's own parser (the ``dockerfile`` package): it parses,
runs as a non-root user, bakes in no secret, checks /healthz, installs the postgres extra,
and .dockerignore lets in every package of the project and nothing private.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib

import dockerfile
import pytest

from tests.infra.manifests import DOCKERFILE, ROOT

pytestmark = pytest.mark.infra

SECRETISH = re.compile(r"SECRET|TOKEN|PASSWORD|_KEY\b|AUTH|CREDENTIAL", re.IGNORECASE)


@pytest.fixture(scope="module")
def commands() -> tuple[dockerfile.Command, ...]:
    return dockerfile.parse_file(str(DOCKERFILE))


def final_stage(commands: tuple[dockerfile.Command, ...]) -> list[dockerfile.Command]:
    starts = [i for i, c in enumerate(commands) if c.cmd == "FROM"]
    return list(commands[starts[-1] :])


def test_the_final_image_is_slim_python_3_11(commands: tuple[dockerfile.Command, ...]) -> None:
    args = {
        c.value[0].split("=")[0]: c.value[0].split("=", 1)[1] for c in commands if c.cmd == "ARG"
    }
    base = final_stage(commands)[0].value[0]
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", args.get(base.strip("${}"), base))


def test_it_runs_as_a_numeric_non_root_user(commands: tuple[dockerfile.Command, ...]) -> None:
    users = [c.value[0] for c in final_stage(commands) if c.cmd == "USER"]
    assert users, "no USER: the container would run as root"
    uid = users[-1].split(":")[0]
    # Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
    assert uid.isdigit() and int(uid) != 0
    created = " ".join(c.original for c in final_stage(commands) if c.cmd == "RUN")
    assert f"--uid {uid}" in created


def test_no_secret_is_baked_in(commands: tuple[dockerfile.Command, ...]) -> None:
    for command in commands:
        if command.cmd in ("ENV", "ARG", "LABEL"):
            names = command.value[0::2] if command.cmd == "ENV" else command.value
            for name in names:
                assert not SECRETISH.search(name.split("=")[0]), command.original
        if command.cmd in ("COPY", "ADD"):
            assert not any(".env" in v or "secret" in v.lower() for v in command.value)


def test_healthcheck_asks_healthz_on_the_port_it_listens_on(
    commands: tuple[dockerfile.Command, ...],
) -> None:
    (check,) = [c for c in final_stage(commands) if c.cmd == "HEALTHCHECK"]
    assert "/healthz" in check.original and "PEERLINE_PORT" in check.original
    env: dict[str, str] = {}
    for c in final_stage(commands):
        if c.cmd == "ENV":
            env.update(zip(c.value[0::2], c.value[1::2], strict=True))
    (exposed,) = [c.value[0] for c in final_stage(commands) if c.cmd == "EXPOSE"]
    assert env["PEERLINE_PORT"] == exposed and env["PEERLINE_HOST"] == "0.0.0.0"


def test_one_image_serves_every_role(commands: tuple[dockerfile.Command, ...]) -> None:
    (entrypoint,) = [c for c in final_stage(commands) if c.cmd == "ENTRYPOINT"]
    (cmd,) = [c for c in final_stage(commands) if c.cmd == "CMD"]
    assert entrypoint.json and list(entrypoint.value) == ["peerline"]
    assert cmd.json and list(cmd.value) == ["serve"]
    installs = [c.original for c in commands if c.cmd == "RUN" and "pip install" in c.original]
    assert any('".[postgres]"' in line for line in installs)


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, closely enough for these patterns: the last matching pattern wins, ``!``
    re-includes, and a pattern naming a folder covers everything in it."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern):
            result = not negate
    return result


def test_dockerignore_lets_in_every_package_and_keeps_private_files_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    for needed in ["pyproject.toml", "README.md", *(f"{p}/__init__.py" for p in packages)]:
        assert not ignored(needed, patterns), f"{needed} would be missing from the image"
    for private in (
        "var/secret.key",
        "var/peerline.db",
        ".env",
        "infra/.env",
        ".venv/bin/python",
        ".git/config",
        "tests/conftest.py",
        "peerline/__pycache__/cli.cpython-311.pyc",
    ):
        assert ignored(private, patterns), f"{private} would be sent to the image build"
