"""The deployment files agree with Peerline and with each other: environment names are settings
Peerline reads, commands parse with Peerline's own CLI, probes answer in the real app, KEDA
watches RQ's real queue keys, and every reference (Secret key, Service port, image user)
points at something that exists.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from redis import Redis
from rq import Queue
from starlette.testclient import TestClient

from jobs.queues import QUEUE_NAMES
from peerline.app import create_app
from peerline.cli import _parser
from peerline.settings import Settings
from tests.infra.manifests import (
    COMPOSE,
    DOCKERFILE,
    INFRA,
    PRODUCTION_ENV,
    ROOT,
    SYSTEMD,
    compose_peerline_services,
    env_file,
    k8s_docs,
    one,
    peerline_argvs,
    peerline_containers,
    pod_specs,
    setting_env_names,
)

pytestmark = pytest.mark.infra


def k8s_env_names() -> set[str]:
    names = set(one("ConfigMap", "peerline-config").body["data"])
    for _doc, container in peerline_containers():
        names |= {entry["name"] for entry in container.get("env", [])}
    return names


def dockerfile_env_names() -> set[str]:
    names = set(re.findall(r"\b((?:PEERLINE|TWILIO)_[A-Z_]+)=", DOCKERFILE.read_text()))
    assert "PEERLINE_PORT" in names  # the parse found something
    return names


def env_sources() -> dict[str, set[str]]:
    return {
        "compose": {n for s in compose_peerline_services().values() for n in s["environment"]},
        "kubernetes": k8s_env_names(),
        "systemd": set(env_file(SYSTEMD / "peerline.env.example")),
        "compose .env example": set(env_file(INFRA / "compose.env.example"))
        - {"POSTGRES_PASSWORD"},
        "Dockerfile": dockerfile_env_names(),
    }


@pytest.mark.parametrize("source", list(env_sources()))
def test_every_environment_name_is_a_setting_peerline_reads(source: str) -> None:
    unknown = env_sources()[source] - setting_env_names()
    assert not unknown, f"{source} sets variables Peerline never reads: {sorted(unknown)}"


@pytest.mark.parametrize("source", ["compose", "kubernetes", "systemd"])
def test_each_deployment_sets_everything_production_needs(source: str) -> None:
    missing = PRODUCTION_ENV - env_sources()[source]
    assert not missing, f"{source} leaves {sorted(missing)} at their laptop defaults"


def test_every_peerline_pod_gets_the_same_configuration() -> None:
    def shape(container: dict[str, Any]) -> Any:
        return (container.get("envFrom"), container.get("env"))

    shapes = {str(shape(c)) for _doc, c in peerline_containers()}
    assert len(shapes) == 1


@pytest.mark.parametrize(("where", "argv"), peerline_argvs(), ids=lambda v: str(v))
def test_every_command_parses_with_peerline_s_cli(where: str, argv: list[str]) -> None:
    args = _parser().parse_args(argv)  # argparse exits (SystemExit) on anything unknown
    assert callable(args.func), where


def test_all_roles_are_run_somewhere_by_each_deployment() -> None:
    roles: dict[str, set[str]] = {}
    for where, argv in peerline_argvs():
        role = " ".join(argv[:2]) if argv[0] == "db" else argv[0]
        roles.setdefault(where.split(":")[0], set()).add(role)
    for deployment in ("compose", "k8s", "systemd"):
        assert roles[deployment] == {"serve", "worker", "scheduler", "db upgrade"}, deployment


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(
        database_url="sqlite://",
        redis_url="redis://127.0.0.1:1/0",  # nothing listens there: /readyz must say so
        secret_key=base64.urlsafe_b64encode(b"k" * 32).decode(),
        var_dir=tmp_path_factory.mktemp("var"),
    )
    return TestClient(create_app(settings))


def probe_paths() -> set[str]:
    paths = set()
    for _doc, container in peerline_containers():
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if probe in container:
                paths.add(container[probe]["httpGet"]["path"])
    paths |= set(re.findall(r"/(?:healthz|readyz)\b", DOCKERFILE.read_text()))
    paths |= set(re.findall(r"/(?:healthz|readyz)\b", COMPOSE.read_text()))
    return paths


def test_probe_paths_answer_in_the_real_app(app_client: TestClient) -> None:
    assert probe_paths() == {"/healthz", "/readyz"}
    assert app_client.get("/healthz").status_code == 200
    ready = app_client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["redis"] == "unreachable"


def test_web_probes_are_liveness_on_healthz_and_readiness_on_readyz() -> None:
    (web,) = [c for d, c in peerline_containers() if d.name == "peerline-web"]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    port = web["args"][web["args"].index("--port") + 1]
    assert [p["containerPort"] for p in web["ports"]] == [int(port)]
    assert one("Service", "peerline-web").body["spec"]["publishNotReadyAddresses"] is True


def test_keda_watches_rq_s_own_queue_keys() -> None:
    keys = {Queue(name, connection=Redis()).key for name in QUEUE_NAMES}  # connects lazily
    scaled = one("ScaledObject", "peerline-worker").body["spec"]
    watched = {t["metadata"]["listName"] for t in scaled["triggers"] if t["type"] == "redis"}
    assert watched == keys == {f"rq:queue:{n}" for n in ("live", "urgent", "soon", "routine")}


def test_keda_scales_the_worker_deployment_on_the_redis_peerline_uses() -> None:
    scaled = one("ScaledObject", "peerline-worker").body["spec"]
    worker = one("Deployment", scaled["scaleTargetRef"]["name"]).body
    assert worker["spec"]["template"]["spec"]["containers"][0]["args"] == ["worker"]
    assert "replicas" not in worker["spec"]  # KEDA owns the count
    assert 2 <= scaled["minReplicaCount"] < scaled["maxReplicaCount"]
    redis_url = urlsplit(one("Secret", "peerline-secrets").body["stringData"]["redis-url"])
    for trigger in scaled["triggers"]:
        meta = trigger["metadata"]
        assert meta["address"] == f"{redis_url.hostname}:{redis_url.port}"
        assert meta["databaseIndex"] == redis_url.path.lstrip("/")
        one("TriggerAuthentication", trigger["authenticationRef"]["name"])


def test_the_scheduler_runs_exactly_once_and_is_never_drained_into_nothing() -> None:
    scheduler = one("Deployment", "peerline-scheduler").body
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"]["type"] == "Recreate"  # never two during a rollout
    labels = scheduler["spec"]["template"]["metadata"]["labels"]
    for pdb in (d for d in k8s_docs() if d.kind == "PodDisruptionBudget"):
        selector = pdb.body["spec"]["selector"]["matchLabels"]
        assert not selector.items() <= labels.items(), "a PDB on one replica blocks drains"
    assert compose_peerline_services()["scheduler"].get("deploy", {}).get("replicas", 1) == 1
    assert not (SYSTEMD / "peerline-scheduler@.service").exists()


def test_every_secret_and_config_reference_exists() -> None:
    secret = one("Secret", "peerline-secrets").body["stringData"]
    for doc, container in peerline_containers():
        for ref in container.get("envFrom", []):
            one("ConfigMap", ref["configMapRef"]["name"])
        for entry in container.get("env", []):
            ref = entry["valueFrom"]["secretKeyRef"]
            assert ref["name"] == "peerline-secrets" and ref["key"] in secret, doc
    for auth in (d for d in k8s_docs() if d.kind == "TriggerAuthentication"):
        for ref in auth.body["spec"]["secretTargetRef"]:
            assert ref["name"] == "peerline-secrets" and ref["key"] in secret


def test_the_secret_template_holds_only_marked_placeholders() -> None:
    for key, value in one("Secret", "peerline-secrets").body["stringData"].items():
        assert "CHANGE-ME" in value, f"{key} looks like a real secret"
    for path in (SYSTEMD / "peerline.env.example", INFRA / "compose.env.example"):
        pairs = env_file(path)
        for key in ("TWILIO_AUTH_TOKEN", "PEERLINE_SECRET_KEY"):
            assert pairs[key].startswith("CHANGE-ME"), f"{path.name}: {key}"


def test_the_ingress_serves_the_public_url_over_tls() -> None:
    public = urlsplit(one("ConfigMap", "peerline-config").body["data"]["PEERLINE_PUBLIC_URL"])
    assert public.scheme == "https" and public.path == ""  # no trailing slash, no prefix
    spec = one("Ingress", "peerline").body["spec"]
    assert [rule["host"] for rule in spec["rules"]] == [public.hostname]
    assert public.hostname in spec["tls"][0]["hosts"]
    backend = spec["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = one("Service", backend["name"]).body
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_pods_meet_the_restricted_pod_security_standard_and_run_as_the_image_user() -> None:
    (uid,) = re.findall(r"^USER (\d+)", DOCKERFILE.read_text(), flags=re.MULTILINE)[-1:]
    for doc, spec in pod_specs():
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == int(uid), doc
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", doc
        assert spec["automountServiceAccountToken"] is False, doc
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, doc
            assert security["readOnlyRootFilesystem"] is True, doc
            assert security["capabilities"]["drop"] == ["ALL"], doc
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert set(resources[bound]) == {"cpu", "memory"}, doc


def test_compose_wires_the_web_replicas_behind_the_proxy() -> None:
    caddyfile = (INFRA / "Caddyfile").read_text()
    services = compose_peerline_services()
    web = services["web"]
    port = web["command"][web["command"].index("--port") + 1]
    assert re.search(rf"name web\s+port {port}\b", caddyfile)
    assert web["deploy"]["replicas"] == 2 and services["worker"]["deploy"]["replicas"] == 2
    assert "{$PEERLINE_PUBLIC_URL}" in caddyfile
    for name, service in services.items():
        needs = service["depends_on"]
        if name != "migrate":
            assert needs["migrate"]["condition"] == "service_completed_successfully", name
        assert needs["postgres"]["condition"] == "service_healthy", name


def test_files_named_in_the_deployment_files_exist() -> None:
    # Comments send readers to source files and to each other; keep them honest.
    named = set()
    for path in [*INFRA.rglob("*"), ROOT / ".dockerignore"]:
        if path.is_file():
            named |= set(re.findall(r"\b[\w./-]+\.(?:py|md|yaml)\b", path.read_text()))
    assert {"jobs/reconciler.py", "peerline/processes.py", "docs/deploy.md"} <= named
    places = (ROOT, INFRA, INFRA / "k8s", SYSTEMD)
    missing = {name for name in named if not any((p / name).exists() for p in places)}
    assert not missing
