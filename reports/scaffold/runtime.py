"""A service's and the monolith's runtime, from the build facts only (never the disk)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import PurePosixPath

from analyzers.facts import BuildFact, Facts
from reports.scaffold.model import (
    DEFAULT_JAVA,
    DEFAULT_PYTHON,
    JAVA_PORT,
    PYTEST,
    PYTHON_IMAGES,
    SERVICE_PORT,
    JavaBuild,
    Monolith,
    Runtime,
)
from reports.scaffold.pom import service_pom

DEV_NAMES = ("requirements-dev.txt", "dev-requirements.txt", "requirements_dev.txt")
LTS = (8, 11, 17, 21)
_SECONDARY = re.compile(r"REPLICA|READ|REPORT|TEST|ANALYTICS", re.IGNORECASE)


def of_kind(facts: Facts, kind: str, module: str | None = None) -> list[BuildFact]:
    """The build facts of one kind (of one module when given), in facts order."""
    return [f for f in facts.build if f.kind == kind and (module is None or f.module == module)]


def where(item: BuildFact) -> str:
    """`path:line` of a fact's first evidence, for comments and READMEs."""
    return f"{item.evidence[0].path}:{item.evidence[0].line}" if item.evidence else "?"


def _file(facts: Facts, path: str) -> str | None:
    return next((f.text for f in of_kind(facts, "file") if f.value == path), None)


# --- Python ----------------------------------------------------------------------------------


def python_version(facts: Facts) -> tuple[str, str]:
    """(major.minor of the base image, where it came from): the declared version when the
    scaffold has an image for it, else the newest image a declared specifier allows, else the
    default."""
    for item in of_kind(facts, "python_version"):
        value = item.value.strip()
        exact = re.fullmatch(r"(\d+\.\d+)(\.\d+)?", value)
        if exact and exact[1] in PYTHON_IMAGES:
            return exact[1], where(item)
        allowed = [v for v in sorted(PYTHON_IMAGES, key=_key, reverse=True) if _allows(value, v)]
        if allowed:
            preferred = DEFAULT_PYTHON if DEFAULT_PYTHON in allowed else allowed[0]
            return preferred, f"{where(item)} (`{value}`)"
    return DEFAULT_PYTHON, "default (the project declares no Python version)"


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _allows(spec: str, version: str) -> bool:
    """A PEP 440 (or poetry `^`/`~`) specifier allows `version`; unreadable: False."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    text = spec.strip()
    caret = re.fullmatch(r"\^(\d+)\.(\d+)", text)
    if caret:
        text = f">={caret[1]}.{caret[2]},<{int(caret[1]) + 1}"
    text = re.sub(r"^~(\d)", r"~=\1", text)
    try:
        return SpecifierSet(text).contains(f"{version}.0")
    except InvalidSpecifier:
        return False


def requirement_lines(facts: Facts) -> tuple[str, ...]:
    """The requirement lines of the build system the facts name (requirements or pyproject)."""
    return tuple(f.value for f in of_kind(facts, "requirement") if f.module == "")


def python_runtime(facts: Facts, framework: str) -> Runtime:
    """How a Python service installs what it needs: the monolith's manifest, from the facts."""
    asgi = framework == "fastapi"
    dev = _dev_requirements(facts)
    version, declared = python_version(facts)
    systems = of_kind(facts, "build_system", "")
    system = systems[0] if systems else None
    kind = system.value if system is not None else "none"
    common = {"framework": framework, "asgi": asgi, "python": version, "python_source": declared}
    if kind == "requirements" and system is not None:
        name = system.evidence[0].path
        text = _header(name) + (_file(facts, name) or "")
        copied = (("requirements.txt", text), ("requirements-dev.txt", dev))
        return Runtime("requirements", copied, name, **common)
    if kind in ("poetry", "pipenv"):
        names = (
            ("pyproject.toml", "poetry.lock") if kind == "poetry" else ("Pipfile", "Pipfile.lock")
        )
        copied = tuple((n, t) for n in names if (t := _file(facts, n)) is not None)
        source = "pyproject.toml (poetry)" if kind == "poetry" else "Pipfile"
        return Runtime(kind, (*copied, ("requirements-dev.txt", dev)), source, **common)
    if kind == "pyproject":
        text = _header("pyproject.toml [project.dependencies]") + "".join(
            f"{d}\n" for d in requirement_lines(facts)
        )
        copied = (("requirements.txt", text), ("requirements-dev.txt", dev))
        return Runtime("pyproject", copied, "pyproject.toml", **common)
    text = (
        "# No dependency manifest was found in the monolith: list what this service imports,\n"
        "# pinned to the versions the monolith runs today (`pip freeze` in its environment).\n"
    )
    if framework in {"flask", "fastapi", "django"}:
        text += f"{framework}  # pin me: the version the monolith uses\n"
    copied = (("requirements.txt", text), ("requirements-dev.txt", dev))
    return Runtime("none", copied, "nothing found", **common)


def _header(source: str) -> str:
    return (
        f"# Copied from the monolith's {source}: trim it to what this service imports.\n"
        "# Keep every line pinned (==) so builds are reproducible.\n"
    )


def _dev_requirements(facts: Facts) -> str:
    for name in DEV_NAMES:
        text = _file(facts, name)
        if text is not None:
            lines = [ln for ln in text.splitlines() if not ln.strip().startswith("-r")]
            return _header(name) + "\n".join(lines) + "\n"
    return f"# Development tools for the `development` image target only.\n{PYTEST}\n"


# --- Java ------------------------------------------------------------------------------------


def lts_for(release: int) -> int:
    """The LTS release whose images run code compiled for `release` (newer than 21: 21)."""
    return next((v for v in LTS if v >= release), LTS[-1])


def java_release(value: str) -> int | None:
    """`1.8` -> 8, `17` -> 17 (see analyzers.runtime.java)."""
    match = re.fullmatch(r"\s*(?:1\.)?(\d+)\s*", value)
    return int(match[1]) if match else None


def modules(facts: Facts) -> dict[str, str]:
    """Every Java build module: directory -> tool (maven | gradle)."""
    return {
        f.module: f.value for f in of_kind(facts, "build_system") if f.value in ("maven", "gradle")
    }


def module_dir(known: dict[str, str], path: str) -> str:
    """The module a source file belongs to: its nearest directory with a build file; without
    one on the way up, the part before `src/main/` (or the root, "")."""
    rel = PurePosixPath(path.replace("\\", "/"))
    for parent in rel.parents:
        text = "" if parent.as_posix() == "." else parent.as_posix()
        if text in known:
            return text
    text = rel.as_posix()
    index = text.find("src/main/")
    return text[:index].rstrip("/") if index > 0 else ""


def service_module(known: dict[str, str], paths: tuple[str, ...]) -> str:
    """The module most of a service's member files live in (ties: the first by name)."""
    counts = Counter(module_dir(known, p) for p in paths if p)
    if not counts:
        return ""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _ancestors(rel: str) -> list[str]:
    if not rel:
        return []
    return ["" if p.as_posix() == "." else p.as_posix() for p in PurePosixPath(rel).parents]


def java_runtime(facts: Facts, paths: tuple[str, ...], framework: str) -> Runtime:
    """How a Java service whose member files are `paths` builds, from the module's facts."""
    known = modules(facts)
    rel = service_module(known, paths)
    tool = known.get(rel) or ("gradle" if "gradle" in known.values() else "maven")
    files = [f for f in of_kind(facts, "file", rel)]
    own = next((f for f in files if f.value.rpartition("/")[2] in _BUILD_NAMES), None)
    release_fact = next(iter(of_kind(facts, "java_version", rel)), None)
    if release_fact is None:  # a Maven module inherits from its local parents
        release_fact = next(
            (f for a in _ancestors(rel) for f in of_kind(facts, "java_version", a)), None
        )
    release = java_release(release_fact.value) if release_fact else None
    boot = bool(of_kind(facts, "framework", rel)) or any(
        f.value == "spring-boot" for a in _ancestors(rel) for f in of_kind(facts, "framework", a)
    )
    packaging = next((f.value for f in of_kind(facts, "packaging", rel)), "jar")
    plugins = {f.value for f in of_kind(facts, "plugin", rel)}
    artifacts = {f.value for f in of_kind(facts, "artifact")}
    mine = {f.value for f in of_kind(facts, "artifact", rel)}
    dependencies = {f.value for f in of_kind(facts, "dependency", rel)}
    parents = [a for a in _ancestors(rel) if known.get(a) == "maven" and tool == "maven"]
    siblings = sorted((dependencies & artifacts) - mine) if parents or tool == "gradle" else []
    copied: list[tuple[str, str | bytes]] = []
    notes: list[str] = []
    if tool == "maven":
        text = own.text if own is not None else _skeleton_pom()
        text, added = service_pom(text, boot, plugins, dependencies)
        copied.append(("pom.xml", text))
        notes += added
        for ancestor in parents:
            parent = _file(facts, f"{ancestor}/pom.xml".lstrip("/"))
            if parent is not None:
                copied.append((str(PurePosixPath("parent-poms", ancestor, "pom.xml")), parent))
        build_files: tuple[str, ...] = ("pom.xml",)
    else:
        name = own.value.rpartition("/")[2] if own is not None else "build.gradle"
        copied.append((name, own.text if own is not None else _skeleton_gradle()))
        kotlin = name.endswith(".kts")
        settings = next((f for f in files if "settings.gradle" in f.value), None)
        settings_name = "settings.gradle.kts" if kotlin else "settings.gradle"
        if settings is not None and not rel:
            settings_name = settings.value
            copied.append((settings_name, settings.text))
        else:
            copied.append((settings_name, _settings(PurePosixPath(rel).name or "service", kotlin)))
        build_files = (settings_name, name)
        props = next((f for f in files if f.value.endswith("gradle.properties")), None)
        if props is not None:
            copied.append(("gradle.properties", props.text))
            build_files += ("gradle.properties",)
        for catalog in (f for f in files if f.value.endswith(".versions.toml")):
            copied.append((f"gradle/{catalog.value.rpartition('/')[2]}", catalog.text))
        if boot and "org.springframework.boot" not in plugins:
            notes.append(
                "apply the `org.springframework.boot` plugin so `bootJar` builds an executable jar"
            )
    if release_fact is not None:
        seen = release_fact.evidence[0].snippet if release_fact.evidence else release_fact.value
        declared = f"{where(release_fact)} `{seen}`"
    else:
        declared = f"default (no release in the build): {DEFAULT_JAVA}"
    wrapper = of_kind(facts, "wrapper", rel)
    if wrapper:
        notes.append(
            f"the monolith builds with `{wrapper[0].value}`; the image uses the pinned"
            f" {tool.capitalize()} image instead (wrapper jars are not copied)"
        )
    build = JavaBuild(
        tool=tool,
        module=rel,
        version=lts_for(release or DEFAULT_JAVA),
        declared=declared,
        wrapper=False,
        spring_boot=boot,
        packaging="war" if packaging == "war" else "jar",
        dsl="xml"
        if tool == "maven"
        else ("kotlin" if build_files[-1].endswith(".kts") else "groovy"),
        build_files=build_files if tool == "maven" else tuple(n for n in build_files),
        parents=bool(parents) and any(n.startswith("parent-poms/") for n, _ in copied),
        siblings=tuple(siblings),
    )
    source = "/".join(p for p in (rel, own.value.rpartition("/")[2] if own else "") if p)
    if own is None:
        source = "no build file (a skeleton build was written)"
    port = next((int(f.value) for f in of_kind(facts, "port", rel)), JAVA_PORT)
    return Runtime(
        manager=tool,
        copied=tuple(copied),
        source=source,
        framework="spring-boot" if boot else framework,
        asgi=False,
        language="java",
        port=port,
        workdir="/workspace/" + (rel or "app"),
        java=build,
        notes=tuple(notes),
    )


_BUILD_NAMES = ("pom.xml", "build.gradle", "build.gradle.kts")


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


def service_runtime(
    facts: Facts, framework: str, language: str = "python", paths: tuple[str, ...] = ()
) -> Runtime:
    """The runtime of one service (Java: the module holding its classes, `paths`)."""
    if language == "java":
        return java_runtime(facts, paths, framework)
    return python_runtime(facts, framework)


# --- the monolith ----------------------------------------------------------------------------


def database_env(facts: Facts, module: str | None = None) -> tuple[str, str]:
    """(the variable the code reads its database URL from, where), primary over replicas;
    ("", "") when the code reads none."""
    found = [f for f in of_kind(facts, "env", module) if f.purpose == "database"]
    found.sort(
        key=lambda f: (
            bool(_SECONDARY.search(f.value)),
            "URL" not in f.value,
            len(f.value),
            f.value,
        )
    )
    return (found[0].value, where(found[0])) if found else ("", "")


def monolith(facts: Facts, language: str) -> Monolith:
    """The monolith as a container: its runtime, real port, health path and variable names."""
    health = next(iter(of_kind(facts, "health")), None)
    env, env_where = database_env(facts)
    if language == "java":
        # Built from its own build files as they are: the service pom changes do not apply.
        runtime = dataclasses.replace(
            java_runtime(facts, ("src/main/java/App.java",), "spring"), notes=()
        )
        port_fact = next(iter(of_kind(facts, "port", "")), None)
        default = JAVA_PORT
    else:
        framework = next((f.value for f in of_kind(facts, "framework", "")), "unknown")
        runtime = python_runtime(facts, framework)
        port_fact = next((f for f in of_kind(facts, "port") if f.purpose != "spring"), None)
        default = SERVICE_PORT
    entry = next(iter(of_kind(facts, "entrypoint")), None)
    secrets = tuple(
        sorted({(f.value, where(f)) for f in of_kind(facts, "env") if f.purpose == "secret"})
    )
    return Monolith(
        language=language,
        runtime=runtime,
        port=int(port_fact.value)
        if port_fact
        else (runtime.port if language == "java" else default),
        port_source=where(port_fact) if port_fact else "default (no port found in the code)",
        health=health.value if health else "",
        health_source=where(health) if health else "",
        database_env=env or ("SPRING_DATASOURCE_URL" if language == "java" else "DATABASE_URL"),
        database_source=env_where or "default (the code reads no database variable we found)",
        entrypoint=entry.value if entry else "",
        entrypoint_source=where(entry) if entry else "",
        secrets=secrets,
    )
