"""Detects how a Java service builds: Maven or Gradle, its module, Java release and wrapper."""

from __future__ import annotations

import functools
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from analyzers.redact import redact_text
from analyzers.walk import BUILD_DIRS, SKIP_DIRS, is_secret_file, read_inside, read_text_inside
from reports.scaffold.model import DEFAULT_JAVA, JAVA_PORT, JavaBuild, Runtime

MAVEN_FILE = "pom.xml"
GRADLE_FILES = ("build.gradle", "build.gradle.kts")
SETTINGS_FILES = ("settings.gradle", "settings.gradle.kts")
BUILD_FILES = (MAVEN_FILE, *GRADLE_FILES)
LTS = (8, 11, 17, 21)
_SKIP = SKIP_DIRS | BUILD_DIRS
_MAX_COPY = 5_000_000  # bytes: wrapper jars are ~60 kB; anything bigger is not a wrapper file


@dataclass(frozen=True)
class _Module:
    """The module directory of a service and the build files found for it."""

    rel: str  # "" for the root project
    tool: str  # maven | gradle | none
    build: str  # the module's build file name ("" when none was found)


def _read(root: Path, path: Path) -> str | None:
    """A file of the monolith, or None when missing or resolving outside `root` (symlinks)."""
    return read_text_inside(root, path, _MAX_COPY)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _relative(root: Path, path: str) -> PurePosixPath:
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute():
        try:
            return PurePosixPath(Path(path).resolve().relative_to(root.resolve()).as_posix())
        except (ValueError, OSError):
            return PurePosixPath(pure.name)
    return pure


def _dir(rel: PurePosixPath) -> str:
    text = rel.as_posix()
    return "" if text == "." else text


def module_dir(root: Path, path: str) -> str:
    """The module a source file belongs to: its nearest directory with a build file.

    `sm-shop/src/main/java/com/x/A.java` -> `sm-shop` when `sm-shop/pom.xml` exists; without
    any build file on the way up, the part before `src/main/` (or the root, "").
    """
    rel = _relative(root, path)
    for parent in rel.parents:
        if any(_is_file(root / parent / name) for name in BUILD_FILES):
            return _dir(parent)
    text = rel.as_posix()
    index = text.find("src/main/")
    return text[:index].rstrip("/") if index > 0 else ""


def service_module(root: Path, paths: tuple[str, ...]) -> str:
    """The module most of a service's member files live in (ties: the first by name)."""
    counts = Counter(module_dir(root, p) for p in paths if p)
    if not counts:
        return ""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _find_module(root: Path, rel: str) -> _Module:
    base = root / rel
    if _is_file(base / MAVEN_FILE):
        return _Module(rel, "maven", MAVEN_FILE)
    for name in GRADLE_FILES:
        if _is_file(base / name):
            return _Module(rel, "gradle", name)
    if any(_is_file(root / name) for name in SETTINGS_FILES + GRADLE_FILES):
        return _Module(rel, "gradle", "")
    return _Module(rel, "maven" if _is_file(root / MAVEN_FILE) else "none", "")


def _ancestors(rel: str) -> list[str]:
    """The directories above a module up to the root, nearest first ("" is the root)."""
    if not rel:
        return []
    return [_dir(p) for p in PurePosixPath(rel).parents]


# --- Maven -----------------------------------------------------------------------------------


def _pom(text: str | None) -> ET.Element | None:
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


def _properties(poms: list[ET.Element]) -> dict[str, str]:
    """Properties of a POM and its local parents (the child wins)."""
    props: dict[str, str] = {}
    for pom in reversed(poms):
        node = pom.find("properties")
        for child in node if node is not None else ():
            if isinstance(child.tag, str):
                props[child.tag] = (child.text or "").strip()
    return props


def _resolve(value: str, props: dict[str, str]) -> str:
    for _ in range(5):
        match = re.fullmatch(r"\$\{([^}]+)\}", value.strip())
        if not match:
            break
        value = props.get(match[1], "")
    return value


def java_release(value: str) -> int | None:
    """`1.8` -> 8, `17` -> 17, `VERSION_1_8` -> 8, `JavaVersion.VERSION_21` -> 21."""
    match = re.search(r"(?:^|[^0-9])(1[._](\d+)|(\d+))\s*$", value.strip().strip("'\""))
    if not match:
        return None
    number = int(match[2] or match[3])
    return number if 5 <= number <= 99 else None


def lts_for(release: int) -> int:
    """The LTS release whose images run code compiled for `release` (newer than 21: 21)."""
    return next((v for v in LTS if v >= release), LTS[-1])


def _maven_version(poms: list[ET.Element]) -> tuple[int | None, str]:
    props = _properties(poms)
    for key in ("maven.compiler.release", "maven.compiler.source", "java.version"):
        release = java_release(_resolve(props.get(key, ""), props))
        if release:
            return release, f"`<{key}>`"
    for pom in poms:
        for plugin in pom.iter("plugin"):
            if _text(plugin, "artifactId") != "maven-compiler-plugin":
                continue
            for key in ("release", "source"):
                release = java_release(_resolve(_text(plugin, f"configuration/{key}"), props))
                if release:
                    return release, f"maven-compiler-plugin `<{key}>`"
    return None, ""


def _artifact_ids(root: Path) -> frozenset[str]:
    """Artifact ids of every POM in the repository (to spot sibling-module dependencies)."""
    return _artifact_ids_under(str(root.resolve()))


@functools.lru_cache(maxsize=8)
def _artifact_ids_under(top: str) -> frozenset[str]:
    root = Path(top)
    ids: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and not d.startswith("."))
        if len(Path(dirpath).relative_to(root).parts) > 6:
            dirnames[:] = []
        if MAVEN_FILE in filenames:
            artifact = _text(_pom(_read(root, Path(dirpath) / MAVEN_FILE)), "artifactId")
            if artifact:
                ids.add(artifact)
    return frozenset(ids)


def _maven(root: Path, module: _Module) -> tuple[list[tuple[str, str | bytes]], JavaBuild]:
    own_text = _read(root, root / module.rel / MAVEN_FILE) if module.build else None
    copied: list[tuple[str, str | bytes]] = []
    parents: list[tuple[str, str]] = []
    for ancestor in _ancestors(module.rel):
        text = _read(root, root / ancestor / MAVEN_FILE)
        if text is not None:
            parents.append((ancestor, text))
    own = _pom(own_text)
    poms = [p for p in [own, *(_pom(t) for _, t in parents)] if p is not None]
    release, where = _maven_version(poms)
    text_all = (own_text or "") + "".join(t for _, t in parents)
    packaging = _text(own, "packaging") or "jar"
    mine = _text(own, "artifactId")
    dependencies = (
        {_text(d, "artifactId") for d in own.iter("dependency")} if own is not None else set()
    )
    siblings = sorted((dependencies & _artifact_ids(root)) - {mine, ""}) if parents else []
    copied.append((MAVEN_FILE, own_text if own_text is not None else _skeleton_pom()))
    for ancestor, text in parents:
        copied.append((str(PurePosixPath("parent-poms", ancestor, MAVEN_FILE)), text))
    build = JavaBuild(
        tool="maven",
        module=module.rel,
        version=lts_for(release or DEFAULT_JAVA),
        declared=f"pom.xml {where}"
        if release
        else f"default (no release in pom.xml): {DEFAULT_JAVA}",
        wrapper=False,
        spring_boot="spring-boot" in text_all,
        packaging="war" if packaging == "war" else "jar",
        dsl="xml",
        build_files=(MAVEN_FILE,),
        parents=bool(parents),
        siblings=tuple(siblings),
    )
    return copied, build


def _skeleton_pom() -> str:
    return (
        "<!-- No pom.xml was found for this module in the monolith: fill this one in. -->\n"
        '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n"
        "  <groupId>com.example</groupId>\n"
        "  <artifactId>service</artifactId>\n"
        "  <version>0.1.0-SNAPSHOT</version>\n"
        "  <properties>\n"
        f"    <maven.compiler.release>{DEFAULT_JAVA}</maven.compiler.release>\n"
        "  </properties>\n"
        "</project>\n"
    )


# --- Gradle ----------------------------------------------------------------------------------

_COMPATIBILITY = r"\s*(?:=|\.set\()?\s*(?:JavaVersion\s*\.\s*)?['\"]?((?:VERSION_)?[0-9._]+)"
_GRADLE_VERSION = (
    ("toolchain", re.compile(r"JavaLanguageVersion\s*\.\s*of\s*\(\s*['\"]?(\d+)")),
    ("jvmToolchain", re.compile(r"jvmToolchain\s*\(\s*(\d+)")),
    ("sourceCompatibility", re.compile(r"sourceCompatibility" + _COMPATIBILITY)),
    ("targetCompatibility", re.compile(r"targetCompatibility" + _COMPATIBILITY)),
)


def _gradle_version(texts: list[tuple[str, str]]) -> tuple[int | None, str]:
    for name, text in texts:
        for label, pattern in _GRADLE_VERSION:
            match = pattern.search(text)
            release = java_release(match[1].replace("VERSION_", "")) if match else None
            if release:
                return release, f"{name} `{label}`"
    return None, ""


_WAR = re.compile(r"id\s*\(?\s*['\"]war['\"]|apply\s+plugin\s*:\s*['\"]war['\"]|\bwar\b\s*\{")
_PROJECT_DEP = re.compile(r"project\s*\(\s*(?:path\s*[:=]\s*)?['\"]:?([\w.\-:]+)['\"]")


def _gradle(root: Path, module: _Module) -> tuple[list[tuple[str, str | bytes]], JavaBuild]:
    base = root / module.rel
    name = module.build or "build.gradle"
    kotlin = name.endswith(".kts") or any(_is_file(root / n) for n in ("settings.gradle.kts",))
    own = _read(root, base / name) if module.build else None
    root_build = next(
        ((n, t) for n in GRADLE_FILES if module.rel and (t := _read(root, root / n)) is not None),
        None,
    )
    copied: list[tuple[str, str | bytes]] = [(name, own if own is not None else _skeleton_gradle())]
    settings = next((n for n in SETTINGS_FILES if _is_file(base / n)), "")
    if settings and not module.rel:
        copied.append((settings, _read(root, base / settings) or ""))
    else:
        settings = "settings.gradle.kts" if kotlin else "settings.gradle"
        project = PurePosixPath(module.rel).name or "service"
        copied.append((settings, _settings(project, kotlin)))
    files = [settings, name]
    for props in (base / "gradle.properties", root / "gradle.properties"):
        text = _read(root, props)
        if text is not None:
            copied.append(("gradle.properties", _without_credentials(text)))
            files.append("gradle.properties")
            break
    for catalog in _catalogs(root, module.rel):
        copied.append(
            (catalog.relative_to(catalog.parents[1]).as_posix(), _read(root, catalog) or "")
        )
    texts = [(f"{module.rel}/{name}".lstrip("/"), own or "")]
    if root_build:
        texts.append(root_build)
    release, where = _gradle_version(texts)
    everything = "\n".join(t for _, t in texts)
    siblings = sorted(set(_PROJECT_DEP.findall(own or "")))
    build = JavaBuild(
        tool="gradle",
        module=module.rel,
        version=lts_for(release or DEFAULT_JAVA),
        declared=where if release else f"default (no toolchain in the build): {DEFAULT_JAVA}",
        wrapper=False,
        spring_boot="org.springframework.boot" in everything or "spring-boot" in everything,
        packaging="war" if _WAR.search(own or "") else "jar",
        dsl="kotlin" if name.endswith(".kts") else "groovy",
        build_files=tuple(files),
        parents=False,
        siblings=tuple(siblings),
    )
    return copied, build


_CREDENTIAL_KEY = re.compile(
    r"passw|secret|token|key|credential|auth|user(?:name)?\b|signing", re.IGNORECASE
)


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


def _catalogs(root: Path, rel: str) -> list[Path]:
    """Version catalogs (`gradle/*.versions.toml`) of the module, else of the root build."""
    for base in (root / rel, root):
        try:
            found = sorted((base / "gradle").glob("*.versions.toml"))
        except OSError:
            found = []
        if found:
            return [p for p in found if _is_file(p)]
    return []


def _settings(project: str, kotlin: bool) -> str:
    quote = '"' if kotlin else "'"
    return (
        "// Written by strangler-planner: the service is its own single-project build.\n"
        "// Merge in what the monolith's root build gave this module (repositories, plugin\n"
        "// versions, `subprojects {}` configuration).\n"
        f"rootProject.name = {quote}{project}{quote}\n"
    )


def _skeleton_gradle() -> str:
    return (
        "// No Gradle build file was found for this module in the monolith: fill this one in.\n"
        "plugins {\n    id 'java'\n}\n\nrepositories {\n    mavenCentral()\n}\n\n"
        "java {\n    toolchain {\n        languageVersion = "
        f"JavaLanguageVersion.of({DEFAULT_JAVA})\n    }}\n}}\n"
    )


# --- wrappers, port --------------------------------------------------------------------------


def _wrapper_dir(root: Path, rel: str, script: str) -> Path | None:
    for candidate in [rel, *_ancestors(rel)]:
        if _is_file(root / candidate / script):
            return root / candidate
    return None


def _content(root: Path, path: Path) -> str | bytes | None:
    data = read_inside(root, path, _MAX_COPY)
    if data is None or is_secret_file(path.name, data):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _wrapper_files(root: Path, base: Path, tool: str) -> list[tuple[str, str | bytes]]:
    """The wrapper script and its support files (`.mvn/**` or `gradle/wrapper/*`)."""
    script = "mvnw" if tool == "maven" else "gradlew"
    folder = base / (".mvn" if tool == "maven" else "gradle/wrapper")
    paths = [base / script]
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        paths += [Path(dirpath) / f for f in sorted(filenames)]
    out: list[tuple[str, str | bytes]] = []
    for path in paths:
        content = _content(root, path)
        if content is not None and _is_file(path):
            out.append((path.relative_to(base).as_posix(), content))
    return out


_PORT = re.compile(r"^\s*server\.port\s*[=:]\s*(?:\$\{[^:}]*:)?\s*(\d{2,5})", re.MULTILINE)


def spring_port(root: Path, rel: str) -> int:
    """`server.port` from the module's application.properties/.yml, else 8080."""
    resources = root / rel / "src" / "main" / "resources"
    for name in ("application.properties", "application.yml", "application.yaml"):
        text = _read(root, resources / name)
        if not text:
            continue
        match = _PORT.search(text)
        if match:
            return int(match[1])
        if name.endswith((".yml", ".yaml")):
            port = _yaml_port(text)
            if port:
                return port
    return JAVA_PORT


def _yaml_port(text: str) -> int | None:
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return None
    for doc in docs:
        server = doc.get("server") if isinstance(doc, dict) else None
        port = server.get("port") if isinstance(server, dict) else None
        if isinstance(port, int):
            return port
        if isinstance(port, str):
            match = re.search(r"(\d{2,5})\}?$", port)
            if match:
                return int(match[1])
    return None


# --- the runtime -----------------------------------------------------------------------------


def detect_java_runtime(root: Path, paths: tuple[str, ...], framework: str) -> Runtime:
    """How a Java service whose member files are `paths` builds, from the monolith's build."""
    module = _find_module(root, service_module(root, paths))
    if module.tool == "gradle":
        copied, build = _gradle(root, module)
    else:
        copied, build = _maven(root, module)
    script = "mvnw" if build.tool == "maven" else "gradlew"
    base = _wrapper_dir(root, module.rel, script)
    if base is not None:
        wrapper = _wrapper_files(root, base, build.tool)
        names = {name for name, _ in copied}
        copied += [(n, c) for n, c in wrapper if n not in names]
        build = JavaBuild(**{**build.__dict__, "wrapper": True})
    source = "/".join(p for p in (module.rel, build.build_files[0]) if p)
    if module.tool == "none":
        source = "no build file (a skeleton pom.xml was written)"
    workdir = "/workspace/" + (module.rel or "app")
    kind = "spring-boot" if build.spring_boot else framework
    return Runtime(
        manager=build.tool,
        copied=tuple(copied),
        source=source,
        framework=kind,
        asgi=False,
        language="java",
        port=spring_port(root, module.rel),
        workdir=workdir,
        java=build,
    )
