"""Kubernetes manifests: a kustomize base, each service, and one overlay per wave (Ingress facade
or Gateway API HTTPRoutes, canary by weight)."""

from __future__ import annotations

from typing import Any

import yaml

from analyzers.facts import Facts
from reports.scaffold.compose import _Dumper
from reports.scaffold.facade import build_routes
from reports.scaffold.model import APP_UID, ServiceSpec, WaveSpec
from reports.scaffold.probes import HEALTH_PATH, monolith_port
from reports.scaffold.profiles import Delivery
from reports.scaffold.registry import image_example, registry_for
from reports.scaffold.stages import NAMESPACE

KUBERNETES_VERSION = "1.31"  # the API version the manifests are validated against
CANARY_WEIGHT = 5  # the first canary stage of the plan's rollout (5%, then 25%, then 100%)
SERVICE_PORT = 80
DATABASE_PORTS = {"postgres": 5432, "mariadb": 3306}
FIRST_VERSION = "0.1.0"  # replaced by the released version (a release PR bumps newTag)
PART_OF = "strangler"
_GATEWAY_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)


def _dump(documents: list[dict[str, Any]], header: str) -> str:
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    body = yaml.dump_all(
        documents, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096
    )
    return comment + body


def _labels(name: str, wave: int | None = None) -> dict[str, str]:
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": PART_OF}
    if wave is not None:
        labels["strangler/wave"] = str(wave)
    return labels


def _meta(name: str, wave: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": _labels(name, wave), **extra}


def secret_name(spec: ServiceSpec) -> str:
    """The Secret (created outside git) holding the service's database URL under key `url`."""
    return f"{spec.slug}-database"


def _secret_file(spec: ServiceSpec) -> str:
    """The file the compose stack mounts the URL at; the Deployment mounts it at the same path."""
    return f"{spec.slug.replace('-', '_')}_database_url"


def _memory(spec: ServiceSpec) -> str:
    return "768Mi" if spec.runtime.language == "java" else "512Mi"


def deployment(spec: ServiceSpec, delivery: Delivery) -> dict[str, Any]:
    """Non-root, read-only root filesystem, resources, probes on the service's health route."""
    registry = registry_for(delivery.registry, delivery.ci)
    port = spec.runtime.port
    probe = {"httpGet": {"path": HEALTH_PATH, "port": "http"}, "timeoutSeconds": 3}
    start = 60 if spec.runtime.language == "java" else 20
    container = {
        "name": "app",
        "image": f"{image_example(registry, spec.slug)}:{FIRST_VERSION}",
        "imagePullPolicy": "Always",
        "ports": [{"name": "http", "containerPort": port}],
        "envFrom": [{"configMapRef": {"name": f"{spec.slug}-config"}}],
        "resources": {
            "requests": {"cpu": "250m", "memory": _memory(spec)},
            "limits": {"cpu": "500m", "memory": _memory(spec)},
        },
        "startupProbe": {**probe, "periodSeconds": 5, "failureThreshold": start // 5},
        "livenessProbe": {**probe, "periodSeconds": 30, "failureThreshold": 3},
        "readinessProbe": {**probe, "periodSeconds": 10, "failureThreshold": 3},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": APP_UID,
            "runAsGroup": APP_UID,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "database", "mountPath": "/run/secrets", "readOnly": True},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(spec.slug, spec.wave),
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app.kubernetes.io/name": spec.slug}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
            },
            "template": {
                "metadata": {
                    "labels": _labels(spec.slug, spec.wave),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": APP_UID,
                        "runAsGroup": APP_UID,
                        "fsGroup": APP_UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "imagePullSecrets": [{"name": "registry-credentials"}],
                    "containers": [container],
                    "volumes": [
                        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                        {
                            "name": "database",
                            "secret": {
                                "secretName": secret_name(spec),
                                "items": [{"key": "url", "path": _secret_file(spec)}],
                            },
                        },
                    ],
                },
            },
        },
    }


def _config_map(spec: ServiceSpec) -> dict[str, Any]:
    data = {
        "SERVICE_NAME": spec.slug,
        "WAVE": str(spec.wave),
        "LOG_LEVEL": "info",
        "LOG_FORMAT": "json",
        "DATABASE_URL_FILE": f"/run/secrets/{_secret_file(spec)}",
    }
    java = spec.runtime.java
    if java is not None and java.spring_boot:
        data["SPRING_CONFIG_IMPORT"] = "optional:configtree:/run/secrets/"
        data["SPRING_DATASOURCE_URL"] = "${" + _secret_file(spec) + "}"
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(f"{spec.slug}-config", spec.wave),
        "data": data,
    }


def _service(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(spec.slug, spec.wave),
        "spec": {
            "selector": {"app.kubernetes.io/name": spec.slug},
            "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": "http"}],
        },
    }


def metrics_service(slug: str) -> str:
    """The headless Service whose DNS name lists every pod, for Prometheus' DNS discovery."""
    return f"{slug}-metrics"


def _metrics_service(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(metrics_service(spec.slug), spec.wave),
        "spec": {
            "clusterIP": "None",
            "selector": {"app.kubernetes.io/name": spec.slug},
            "ports": [{"name": "http", "port": spec.runtime.port, "targetPort": "http"}],
        },
    }


def _pdb(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(spec.slug, spec.wave),
        "spec": {
            "minAvailable": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": spec.slug}},
        },
    }


def _network_policy(spec: ServiceSpec, database: str, delivery: Delivery) -> dict[str, Any]:
    """Ingress only from the facade (ingress-nginx or the gateway) and egress only to the
    database and DNS."""
    port = {"protocol": "TCP", "port": spec.runtime.port}
    sources = [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateway"}}},
    ]
    if not spec.reroute:
        # Nothing is rerouted: the monolith itself calls the service; replace with its range.
        sources.append({"ipBlock": {"cidr": "10.0.0.0/8"}})
    if delivery.monitoring:
        sources.append(
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        )
    db_port = DATABASE_PORTS.get(database, 5432)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(spec.slug, spec.wave),
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": spec.slug}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": sources, "ports": [port]}],
            "egress": [
                {
                    # The existing database: replace the block with its address range.
                    "to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
                    "ports": [{"protocol": "TCP", "port": db_port}],
                },
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                            },
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                },
            ],
        },
    }


def _kustomization(resources: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        **extra,
        "resources": resources,
    }


def _paths(route_regex: str) -> str:
    """An anchored facade regex as an ingress-nginx / Gateway API path (starts with `/`)."""
    return route_regex.removeprefix("^")


def _canaries(wave: WaveSpec, delivery: Delivery) -> set[str]:
    """Services whose step rolls out as a canary (when the profile does canaries)."""
    if not delivery.profile.canary:
        return set()
    return {s.slug for s in wave.new if s.rollout.startswith("canary")}


def _ingresses(wave: WaveSpec, facts: Facts, delivery: Delivery) -> list[dict[str, Any]]:
    canary = _canaries(wave, delivery)
    annotations = {
        "nginx.ingress.kubernetes.io/use-regex": "true",
        "nginx.ingress.kubernetes.io/proxy-body-size": "10m",
    }
    main_paths: list[dict[str, Any]] = []
    canary_paths: dict[str, list[dict[str, Any]]] = {}
    for route in build_routes(wave, facts):
        # Ingress cannot match methods: a path goes where its first moved method goes.
        target = route.targets[0][1][0] if route.targets[0][0] == "*" else route.targets[0][0]
        path = {"path": _paths(route.regex), "pathType": "ImplementationSpecific"}
        backend = target if target not in canary else "monolith"
        port = SERVICE_PORT
        main_paths.append(
            {**path, "backend": {"service": {"name": backend, "port": {"number": port}}}}
        )
        if target in canary:
            canary_paths.setdefault(target, []).append(
                {**path, "backend": {"service": {"name": target, "port": {"number": port}}}}
            )
    default = {"service": {"name": "monolith", "port": {"number": SERVICE_PORT}}}
    facade: dict[str, Any] = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _meta("facade", wave.number, annotations=annotations),
        "spec": {"ingressClassName": "nginx", "defaultBackend": default},
    }
    if main_paths:
        facade["spec"]["rules"] = [{"http": {"paths": main_paths}}]
    out = [facade]
    for slug, paths in sorted(canary_paths.items()):
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": _meta(
                    f"facade-canary-{slug}",
                    wave.number,
                    annotations={
                        **annotations,
                        "nginx.ingress.kubernetes.io/canary": "true",
                        "nginx.ingress.kubernetes.io/canary-weight": str(CANARY_WEIGHT),
                    },
                ),
                "spec": {"ingressClassName": "nginx", "rules": [{"http": {"paths": paths}}]},
            }
        )
    return out


def _http_route(wave: WaveSpec, facts: Facts, delivery: Delivery) -> dict[str, Any]:
    canary = _canaries(wave, delivery)
    rules: list[dict[str, Any]] = []
    for route in build_routes(wave, facts):
        for service, methods in route.targets:
            name = route.targets[0][1][0] if service == "*" else service
            match: dict[str, Any] = {
                "path": {"type": "RegularExpression", "value": _paths(route.regex)}
            }
            matches = (
                [match]
                if service == "*"
                else [{**match, "method": m} for m in methods if m in _GATEWAY_METHODS]
            )
            backends = [{"name": name, "port": SERVICE_PORT}]
            if name in canary:
                backends = [
                    {"name": "monolith", "port": SERVICE_PORT, "weight": 100 - CANARY_WEIGHT},
                    {"name": name, "port": SERVICE_PORT, "weight": CANARY_WEIGHT},
                ]
            rules.append({"matches": matches, "backendRefs": backends})
    rules.append(
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
            "backendRefs": [{"name": "monolith", "port": SERVICE_PORT}],
        }
    )
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": _meta("facade", wave.number),
        "spec": {"parentRefs": [{"name": "strangler", "namespace": "gateway"}], "rules": rules},
    }


def _monolith(wave: WaveSpec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta("monolith"),
        "spec": {
            # The monolith stays where it runs today; replace with its host name.
            "type": "ExternalName",
            "externalName": "monolith.legacy.example.internal",
            "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": _monolith_port(wave)}],
        },
    }


def kubernetes_files(delivery: Delivery, waves: list[WaveSpec], facts: Facts) -> dict[str, str]:
    """Every manifest under `kubernetes/` as relative path -> YAML text."""
    registry = registry_for(delivery.registry, delivery.ci)
    files: dict[str, str] = {}
    base_header = (
        f"Kustomize base of the strangler migration (Kubernetes {KUBERNETES_VERSION}): the"
        "\nnamespace and the monolith, which keeps running where it runs today."
    )
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": NAMESPACE,
            "labels": {"pod-security.kubernetes.io/enforce": "restricted"},
        },
    }
    files["kubernetes/base/namespace.yaml"] = _dump([namespace], "The migration's namespace.")
    files["kubernetes/base/monolith.yaml"] = _dump(
        [_monolith(waves[0])], "The monolith: the facade's default backend."
    )
    files["kubernetes/base/kustomization.yaml"] = _dump(
        [_kustomization(["namespace.yaml", "monolith.yaml"], namespace=NAMESPACE)], base_header
    )
    for wave in waves:
        for spec in wave.new:
            folder = f"kubernetes/services/{spec.slug}"
            documents = {
                "deployment.yaml": [deployment(spec, delivery)],
                "service.yaml": [_service(spec), _metrics_service(spec)],
                "configmap.yaml": [_config_map(spec)],
                "pdb.yaml": [_pdb(spec)],
                "networkpolicy.yaml": [_network_policy(spec, wave.database, delivery)],
            }
            for name, docs in documents.items():
                files[f"{folder}/{name}"] = _dump(docs, f"Service {spec.name} (wave {spec.wave}).")
            files[f"{folder}/kustomization.yaml"] = _dump(
                [_kustomization(sorted(documents))],
                f"Service {spec.name}: its database URL is the Secret {secret_name(spec)} (key"
                "\n`url`), created outside git:"
                f"\nkubectl -n {NAMESPACE} create secret generic {secret_name(spec)}"
                " --from-file=url=<file>",
            )
        images = [
            {
                "name": image_example(registry, s.slug),
                "newTag": FIRST_VERSION,
            }
            for s in wave.live
        ]
        live = [f"../../services/{s.slug}" for s in wave.live]
        folder = f"kubernetes/waves/{wave.number}"
        files[f"{folder}/ingress.yaml"] = _dump(
            _ingresses(wave, facts, delivery),
            f"The strangler facade after wave {wave.number} (ingress-nginx): moved routes go to"
            "\ntheir services, everything else to the monolith (the default backend).",
        )
        overlay_header = (
            f"Wave {wave.number}: kubectl apply -k kubernetes/waves/{wave.number}"
            "\nnewTag is each service's released version (a release PR bumps it; never latest)."
        )
        files[f"{folder}/kustomization.yaml"] = _dump(
            [
                _kustomization(
                    ["../../base", *live, "ingress.yaml"], namespace=NAMESPACE, images=images
                )
            ],
            overlay_header,
        )
        gateway = f"kubernetes/gateway/waves/{wave.number}"
        files[f"{gateway}/httproute.yaml"] = _dump(
            [_http_route(wave, facts, delivery)],
            f"Alternative facade after wave {wave.number}: Gateway API HTTPRoute (methods and"
            "\nweights per route) on the Gateway `strangler` in namespace `gateway`.",
        )
        files[f"{gateway}/kustomization.yaml"] = _dump(
            [
                _kustomization(
                    ["../../../base", *(f"../{p}" for p in live), "httproute.yaml"],
                    namespace=NAMESPACE,
                    images=images,
                )
            ],
            f"Wave {wave.number} with Gateway API instead of the Ingress:"
            f"\nkubectl apply -k kubernetes/gateway/waves/{wave.number}",
        )
    return files


def _monolith_port(wave: WaveSpec) -> int:
    return wave.app.port if wave.app is not None else monolith_port(wave.monolith)
