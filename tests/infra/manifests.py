"""Reading the deployment files under infra/ for the tests: YAML documents, pod specs, argv.

Everything here reads files; nothing connects anywhere.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from peerline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
K8S = INFRA / "k8s"
SYSTEMD = INFRA / "systemd"
COMPOSE = INFRA / "compose.yaml"
DOCKERFILE = INFRA / "Dockerfile"
SCHEMAS = Path(__file__).parent / "schemas"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it
IMAGE = "peerline"  # the image name every Peerline container uses in infra/k8s
PRODUCTION_ENV = {  # what a real deployment must set (README, "Connecting a real Twilio number")
    "PEERLINE_DATABASE_URL",
    "PEERLINE_REDIS_URL",
    "PEERLINE_PUBLIC_URL",
    "PEERLINE_HOTLINE_NUMBER",
    "PEERLINE_SECRET_KEY",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
}


@dataclass(frozen=True)
class Doc:
    path: Path
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        return str(self.body["metadata"]["name"])

    def __str__(self) -> str:
        return f"{self.path.name}:{self.kind}/{self.body.get('metadata', {}).get('name')}"


def yaml_files() -> list[Path]:
    return sorted([*INFRA.rglob("*.yaml"), *INFRA.rglob("*.yml")])


def load_all(path: Path) -> list[Any]:
    return [body for body in yaml.load_all(path.read_text(), Loader=_LOADER) if body is not None]


@cache
def k8s_docs() -> tuple[Doc, ...]:
    """Every document under infra/k8s, the Secret template included. Shared: don't mutate."""
    return tuple(Doc(path, body) for path in sorted(K8S.glob("*.yaml")) for body in load_all(path))


def one(kind: str, name: str) -> Doc:
    (doc,) = [d for d in k8s_docs() if d.kind == kind and d.name == name]
    return doc


def pod_specs() -> Iterator[tuple[Doc, dict[str, Any]]]:
    for doc in k8s_docs():
        if doc.kind in ("Deployment", "Job"):
            yield doc, doc.body["spec"]["template"]["spec"]


def peerline_containers() -> Iterator[tuple[Doc, dict[str, Any]]]:
    for doc, spec in pod_specs():
        for container in spec.get("initContainers", []) + spec["containers"]:
            if container["image"] == IMAGE:
                yield doc, container


@cache
def compose() -> dict[str, Any]:
    """compose.yaml with its YAML anchors and merge keys resolved. Shared: don't mutate."""
    (body,) = load_all(COMPOSE)
    assert isinstance(body, dict)
    return body


def compose_peerline_services() -> dict[str, dict[str, Any]]:
    """Services running the Peerline image (they are built from infra/Dockerfile)."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("build", {}).get("dockerfile") == "infra/Dockerfile"
    }


def unit_files() -> list[Path]:
    return sorted(p for p in SYSTEMD.iterdir() if p.suffix in (".service", ".target"))


def unit_values(path: Path, key: str) -> list[str]:
    """All values of ``key`` in a unit file (systemd allows a key more than once)."""
    return re.findall(rf"^{re.escape(key)}=(.*)$", path.read_text(), flags=re.MULTILINE)


def env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def peerline_argvs() -> list[tuple[str, list[str]]]:
    """Every ``peerline …`` command line the deployment files run, with where it comes from."""
    found: list[tuple[str, list[str]]] = []
    for name, service in compose_peerline_services().items():
        found.append((f"compose:{name}", list(service["command"])))
    for doc, container in peerline_containers():
        found.append((f"k8s:{doc}", list(container["args"])))
    for path in unit_files():
        for line in unit_values(path, "ExecStart"):
            binary, *argv = shlex.split(line)
            assert binary == "/opt/peerline/bin/peerline", f"{path.name}: {binary}"
            found.append((f"systemd:{path.name}", argv))
    return found


def setting_env_names() -> set[str]:
    """The environment variable names Peerline's Settings read (the public contract)."""
    prefix = Settings.model_config.get("env_prefix", "")
    names = set()
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        if choices:
            names |= {str(choice) for choice in choices}
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{field}".upper())
    return names
