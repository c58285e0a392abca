"""Java build facts per Maven/Gradle module: release, packaging, plugins, Spring config."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import yaml

from analyzers.facts import BuildFact
from analyzers.redact import redact_text
from analyzers.runtime.common import env_purpose, evidence, fact, line_of, read
from analyzers.walk import BUILD_DIRS, SKIP_DIRS, is_secret_file, read_inside

MAVEN_FILE = "pom.xml"
GRADLE_FILES = ("build.gradle", "build.gradle.kts")
SETTINGS_FILES = ("settings.gradle", "settings.gradle.kts")
BUILD_FILES = (MAVEN_FILE, *GRADLE_FILES)
_SKIP = SKIP_DIRS | BUILD_DIRS
_DEPTH = 6
_DATA_STARTERS = ("spring-boot-starter-jdbc", "spring-boot-starter-data-jpa", "spring-jdbc")


def java_release(value: str) -> int | None:
    """`1.8` -> 8, `17` -> 17, `VERSION_1_8` -> 8, `JavaVersion.VERSION_21` -> 21."""
    match = re.search(r"(?:^|[^0-9])(1[._](\d+)|(\d+))\s*$", value.strip().strip("'\""))
    if not match:
        return None
    number = int(match[2] or match[3])
    return number if 5 <= number <= 99 else None


def _modules(root: Path) -> list[tuple[str, str]]:
    """(module dir, build file name) of every Maven/Gradle module, sorted, at most 6 deep."""
    found: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and not d.startswith("."))
        rel = Path(dirpath).relative_to(root).as_posix()
        rel = "" if rel == "." else rel
        if rel.count("/") >= _DEPTH - 1:
            dirnames[:] = []
        build = next((n for n in BUILD_FILES if n in filenames), "")
        if not build and not rel and any(n in filenames for n in SETTINGS_FILES):
            build = SETTINGS_FILES[0] if SETTINGS_FILES[0] in filenames else SETTINGS_FILES[1]
        if build:
            found.append((rel, build))
    return found


def java_build(root: Path) -> list[BuildFact]:
    """Facts of every Maven/Gradle module under `root` (none without a build file)."""
    out: list[BuildFact] = []
    for rel, build in _modules(root):
        base = root / rel
        path = str(PurePosixPath(rel, build)) if rel else build
        text = read(root, base / build) or ""
        if build == MAVEN_FILE:
            out += _maven(rel, path, text)
        else:
            out += _gradle(root, rel, path, text)
        for script in ("mvnw", "gradlew"):
            if read_inside(root, base / script, 1_000_000) is not None:
                out.append(
                    fact(
                        "wrapper",
                        script,
                        module=rel,
                        evidence=(evidence(f"{rel}/{script}".lstrip("/"), 1, ""),),
                    )
                )
        out += _spring_config(root, rel)
    return out


# --- Maven -----------------------------------------------------------------------------------


def _pom(text: str) -> ET.Element | None:
    if not text:
        return None
    try:
        element = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError:
        return None
    for node in element.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]
    return element


def _text(element: ET.Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _resolve(value: str, props: dict[str, str]) -> str:
    for _ in range(5):
        match = re.fullmatch(r"\$\{([^}]+)\}", value.strip())
        if not match:
            break
        value = props.get(match[1], "")
    return value


def _maven(rel: str, path: str, text: str) -> list[BuildFact]:
    out = [fact("build_system", "maven", module=rel, evidence=(evidence(path, 1, ""),))]
    out.append(fact("file", path, module=rel, evidence=(evidence(path, 1, ""),), text=text))
    pom = _pom(text)
    if pom is None:
        return out

    def seen(needle: str) -> tuple:
        line = line_of(text, needle)
        return (evidence(path, line, text.splitlines()[line - 1].strip()[:200] if text else ""),)

    artifact = _text(pom, "artifactId")
    if artifact:
        out.append(fact("artifact", artifact, module=rel, evidence=seen(f"<artifactId>{artifact}")))
    packaging = _text(pom, "packaging") or "jar"
    out.append(fact("packaging", packaging, module=rel, evidence=seen("<packaging>")))
    props: dict[str, str] = {}
    node = pom.find("properties")
    for child in node if node is not None else ():
        if isinstance(child.tag, str):
            props[child.tag] = (child.text or "").strip()
    for key in ("maven.compiler.release", "maven.compiler.source", "java.version"):
        release = java_release(_resolve(props.get(key, ""), props))
        if release:
            out.append(fact("java_version", str(release), module=rel, evidence=seen(f"<{key}>")))
            break
    else:
        for plugin in pom.iter("plugin"):
            if _text(plugin, "artifactId") != "maven-compiler-plugin":
                continue
            for key in ("release", "source"):
                release = java_release(_resolve(_text(plugin, f"configuration/{key}"), props))
                if release:
                    out.append(
                        fact("java_version", str(release), module=rel, evidence=seen(f"<{key}>"))
                    )
                    break
    for plugin in pom.iter("plugin"):
        name = _text(plugin, "artifactId")
        if name:
            out.append(fact("plugin", name, module=rel, evidence=seen(f"<artifactId>{name}")))
    dependencies = sorted({_text(d, "artifactId") for d in pom.iter("dependency")} - {""})
    for name in dependencies:
        out.append(fact("dependency", name, module=rel, evidence=seen(f"<artifactId>{name}<")))
    parent = _text(pom, "parent/artifactId")
    if "spring-boot" in parent or any(d.startswith("spring-boot") for d in dependencies):
        where = seen("spring-boot")
        out.append(fact("framework", "spring-boot", module=rel, evidence=where))
        data = [d for d in dependencies if d in _DATA_STARTERS]
        if data:
            out += _spring_datasource_env(rel, seen(f"<artifactId>{data[0]}<"))
    return out


def _spring_datasource_env(rel: str, where: tuple) -> list[BuildFact]:
    """Spring Boot binds `spring.datasource.*` from these variables (relaxed binding)."""
    return [
        fact("env", name, module=rel, purpose=env_purpose(name), evidence=where)
        for name in (
            "SPRING_DATASOURCE_URL",
            "SPRING_DATASOURCE_USERNAME",
            "SPRING_DATASOURCE_PASSWORD",
        )
    ]


# --- Gradle ----------------------------------------------------------------------------------

_COMPATIBILITY = r"\s*(?:=|\.set\()?\s*(?:JavaVersion\s*\.\s*)?['\"]?((?:VERSION_)?[0-9._]+)"
_GRADLE_VERSION = (
    re.compile(r"JavaLanguageVersion\s*\.\s*of\s*\(\s*['\"]?(\d+)"),
    re.compile(r"jvmToolchain\s*\(\s*(\d+)"),
    re.compile(r"sourceCompatibility" + _COMPATIBILITY),
    re.compile(r"targetCompatibility" + _COMPATIBILITY),
)
_WAR = re.compile(r"id\s*\(?\s*['\"]war['\"]|apply\s+plugin\s*:\s*['\"]war['\"]|\bwar\b\s*\{")
_PROJECT_DEP = re.compile(r"project\s*\(\s*(?:path\s*[:=]\s*)?['\"]:?([\w.\-:]+)['\"]")
_PLUGIN = re.compile(r"""id\s*\(?\s*['"]([\w.\-]+)['"]|apply\s+plugin\s*:\s*['"]([\w.\-]+)['"]""")
_CREDENTIAL_KEY = re.compile(
    r"passw|secret|token|key|credential|auth|user(?:name)?\b|signing", re.IGNORECASE
)


def _gradle(root: Path, rel: str, path: str, text: str) -> list[BuildFact]:
    base = root / rel

    def seen(match: re.Match[str]) -> tuple:
        line = text.count("\n", 0, match.start()) + 1
        return (evidence(path, line, text.splitlines()[line - 1].strip()[:200]),)

    out = [fact("build_system", "gradle", module=rel, evidence=(evidence(path, 1, ""),))]
    out.append(fact("file", path, module=rel, evidence=(evidence(path, 1, ""),), text=text))
    for name in SETTINGS_FILES:
        settings = read(root, base / name)
        if settings is not None and not path.endswith(name):
            where = str(PurePosixPath(rel, name)) if rel else name
            out.append(
                fact("file", where, module=rel, evidence=(evidence(where, 1, ""),), text=settings)
            )
    props = read(root, base / "gradle.properties")
    if props is not None:
        where = str(PurePosixPath(rel, "gradle.properties")) if rel else "gradle.properties"
        out.append(
            fact(
                "file",
                where,
                module=rel,
                evidence=(evidence(where, 1, ""),),
                text=_without_credentials(props),
            )
        )
    catalogs: list[Path] = []
    for folder in (base / "gradle", root / "gradle"):  # the module's catalogs, else the root's
        try:
            catalogs = sorted(folder.glob("*.versions.toml"))
        except OSError:
            catalogs = []
        if catalogs:
            break
    for catalog in catalogs:
        content = read(root, catalog)
        if content is not None:
            where = catalog.relative_to(root).as_posix()
            out.append(
                fact("file", where, module=rel, evidence=(evidence(where, 1, ""),), text=content)
            )
    for pattern in _GRADLE_VERSION:
        match = pattern.search(text)
        release = java_release(match[1].replace("VERSION_", "")) if match else None
        if match and release:
            out.append(fact("java_version", str(release), module=rel, evidence=seen(match)))
            break
    war = _WAR.search(text)
    out.append(
        fact("packaging", "war" if war else "jar", module=rel, evidence=seen(war) if war else ())
    )
    for match in _PLUGIN.finditer(text):
        out.append(fact("plugin", match[1] or match[2], module=rel, evidence=seen(match)))
    for match in _PROJECT_DEP.finditer(text):
        out.append(
            fact("dependency", match[1].rsplit(":", 1)[-1], module=rel, evidence=seen(match))
        )
    out.append(
        fact(
            "artifact",
            PurePosixPath(rel).name or root.name,
            module=rel,
            evidence=(evidence(path, 1, ""),),
        )
    )
    boot = re.search(r"org\.springframework\.boot|spring-boot", text)
    if boot:
        out.append(fact("framework", "spring-boot", module=rel, evidence=seen(boot)))
        data = re.search("|".join(_DATA_STARTERS), text)
        if data:
            out += _spring_datasource_env(rel, seen(data))
    return out


def _without_credentials(text: str) -> str:
    """gradle.properties without the lines that hold credentials (repository passwords, signing
    keys, tokens): those go to ~/.gradle/gradle.properties or ORG_GRADLE_PROJECT_* variables."""
    kept = [
        line
        for line in text.splitlines()
        if not _CREDENTIAL_KEY.search(line.partition("=")[0].partition(":")[0])
        and redact_text(line) == line
    ]
    return (
        "# From the monolith's gradle.properties, credentials left out: give them through\n"
        "# ~/.gradle/gradle.properties or ORG_GRADLE_PROJECT_<name> variables, never the image.\n"
        + "\n".join(kept)
        + "\n"
    )


# --- Spring configuration --------------------------------------------------------------------

_PROPERTY = re.compile(r"^\s*([\w.\-\[\]]+)\s*[=:]\s*(.*?)\s*$", re.M)
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][\w.\-]*)(?::([^}]*))?\}")


def _spring_config(root: Path, rel: str) -> list[BuildFact]:
    """Keys set from `${...}` placeholders, the variables they read, and `server.port`."""
    out: list[BuildFact] = []
    resources = root / rel / "src" / "main" / "resources"
    for name in ("application.properties", "application.yml", "application.yaml"):
        if is_secret_file(name):
            continue
        text = read(root, resources / name)
        if not text:
            continue
        path = (resources / name).relative_to(root).as_posix()
        pairs = _properties(text) if name.endswith(".properties") else _yaml_pairs(text)
        for key, value, line in pairs:
            snippet = redact_text(text.splitlines()[line - 1].strip())[:200] if line else ""
            where = (evidence(path, line, snippet),)
            for match in _PLACEHOLDER.finditer(value):
                variable = match[1]
                if variable.upper() == variable:
                    purpose = (
                        "database"
                        if key.startswith("spring.datasource.url")
                        else env_purpose(variable)
                    )
                    if key == "server.port":
                        purpose = "port"
                    out.append(fact("env", variable, module=rel, purpose=purpose, evidence=where))
                out.append(fact("config_key", key, module=rel, evidence=where))
            if key == "server.port":
                port = re.search(r"(\d{2,5})\}?$", value)
                if port:
                    out.append(fact("port", port[1], module=rel, purpose="spring", evidence=where))
    return out


def _properties(text: str) -> list[tuple[str, str, int]]:
    return [
        (m[1], m[2], text.count("\n", 0, m.start()) + 1)
        for m in _PROPERTY.finditer(text)
        if not m[1].startswith(("#", "!"))
    ]


def _yaml_pairs(text: str) -> list[tuple[str, str, int]]:
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return []
    pairs: list[tuple[str, str, int]] = []

    def walk(node: object, prefix: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        elif node is not None and not isinstance(node, list):
            leaf = prefix.rsplit(".", 1)[-1]
            pairs.append((prefix, str(node), line_of(text, f"{leaf}:")))

    for doc in docs:
        walk(doc, "")
    return pairs
