"""infra/ validates offline: every YAML parses, Kubernetes objects against Kubernetes' schemas
(kubernetes-validate, strict), KEDA objects against our JSON schema, compose.yaml against the
Compose specification (the copy check-jsonschema ships). Each validator is also shown a broken
copy, so a validator that silently accepts everything would fail here.
"""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.infra.manifests import K8S, SCHEMAS, Doc, compose, k8s_docs, load_all, one, yaml_files

pytestmark = pytest.mark.infra

# The oldest Kubernetes minor still common on managed clusters, and the newest this
# kubernetes-validate ships schemas for.
KUBERNETES_VERSIONS = ("1.30", "1.37")
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}
NOT_KUBERNETES_OBJECTS = {"Kustomization"}  # kustomize's own file, checked on its own


def keda_schema(kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"keda-{kind.lower()}.schema.json").read_text())
    return schema


def compose_schema() -> dict[str, Any]:
    source = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema: dict[str, Any] = json.loads(source.read_text())
    return schema


def validate_kubernetes(body: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(body, version, strict=True)


def validate_keda(body: dict[str, Any]) -> None:
    schema = keda_schema(body["kind"])
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(body)


def validate_compose(body: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(compose_schema()).validate(body)


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(K8S.parent)))
def test_every_yaml_file_parses(path: Any) -> None:
    docs = load_all(path)
    assert docs and all(isinstance(d, dict) for d in docs)


def test_every_kubernetes_document_is_checked_by_some_validator() -> None:
    kinds = {doc.kind for doc in k8s_docs()}
    assert kinds >= {"Deployment", "Service", "Ingress", "Job", "ScaledObject", "Secret"}
    for doc in k8s_docs():
        if doc.kind in KEDA_KINDS | NOT_KUBERNETES_OBJECTS:
            continue
        # Raises SchemaNotFoundError for a kind Kubernetes does not define (say, a CRD).
        validate_kubernetes(doc.body, KUBERNETES_VERSIONS[-1])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    "doc",
    [d for d in k8s_docs() if d.kind not in KEDA_KINDS | NOT_KUBERNETES_OBJECTS],
    ids=str,
)
def test_kubernetes_objects_match_the_kubernetes_schema(doc: Doc, version: str) -> None:
    validate_kubernetes(doc.body, version)


@pytest.mark.parametrize("doc", [d for d in k8s_docs() if d.kind in KEDA_KINDS], ids=str)
def test_keda_objects_match_our_keda_schema(doc: Doc) -> None:
    validate_keda(doc.body)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_autoscaling_behaviour_is_a_valid_hpa_behaviour(version: str) -> None:
    # KEDA copies it verbatim into the HorizontalPodAutoscaler it creates.
    scaled = one("ScaledObject", "peerline-worker").body["spec"]
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "peerline-worker"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "w"},
            "minReplicas": scaled["minReplicaCount"],
            "maxReplicas": scaled["maxReplicaCount"],
            "behavior": scaled["advanced"]["horizontalPodAutoscalerConfig"]["behavior"],
        },
    }
    validate_kubernetes(hpa, version)


def test_compose_matches_the_compose_specification() -> None:
    schema = compose_schema()
    assert schema["title"] == "Compose Specification"
    validate_compose(compose())


def test_the_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk - {"secret.example.yaml"}
    assert kustomization["images"][0]["name"] == "peerline"


# Each validator must reject a realistic mistake, or the tests above prove nothing.


def _mutated(doc: dict[str, Any], path: list[Any], value: Any, *, rename: str = "") -> Any:
    broken = copy.deepcopy(doc)
    parent = broken
    for key in path[:-1]:
        parent = parent[key]
    if rename:
        parent[rename] = parent.pop(path[-1])
    else:
        parent[path[-1]] = value
    return broken


def test_kubernetes_validation_rejects_a_misspelt_field() -> None:
    web = one("Deployment", "peerline-web").body
    broken = _mutated(web, ["spec", "replicas"], None, rename="replica")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_kubernetes(broken, KUBERNETES_VERSIONS[-1])


def test_kubernetes_validation_rejects_a_wrong_type() -> None:
    web = one("Deployment", "peerline-web").body
    probe = ["spec", "template", "spec", "containers", 0, "livenessProbe", "periodSeconds"]
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_kubernetes(_mutated(web, probe, "ten"), KUBERNETES_VERSIONS[0])


@pytest.mark.parametrize(
    ("path", "value", "rename"),
    [
        (["spec", "triggers", 0, "metadata", "listLength"], 2, ""),  # KEDA wants strings
        (["spec", "triggers", 0, "metadata", "listName"], None, "list"),
        (["spec", "triggers", 0, "metadata", "address"], None, "adress"),
        (["spec", "minReplicaCount"], -1, ""),
        (["spec", "triggers", 0, "metadata"], None, "metdata"),
    ],
)
def test_keda_validation_rejects_mistakes(path: list[Any], value: Any, rename: str) -> None:
    scaled = one("ScaledObject", "peerline-worker").body
    with pytest.raises(jsonschema.ValidationError):
        validate_keda(_mutated(scaled, path, value, rename=rename))


@pytest.mark.parametrize(
    ("path", "value", "rename"),
    [
        (["services", "web", "depends_on"], None, "depend_on"),
        (["services", "web", "depends_on", "migrate", "condition"], "service_healty", ""),
        (["services", "worker", "deploy", "replicas"], {"count": 2}, ""),
        (["services", "postgres", "healthcheck", "interval"], None, "intervall"),
    ],
)
def test_compose_validation_rejects_mistakes(path: list[Any], value: Any, rename: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_compose(_mutated(compose(), path, value, rename=rename))
