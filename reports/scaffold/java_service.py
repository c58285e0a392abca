"""Renders a Java service's Dockerfile (Maven or Gradle), .dockerignore and README steps."""

from __future__ import annotations

import json

from reports.scaffold.model import (
    APP_UID,
    GRADLE_IMAGES,
    JDK_IMAGES,
    JRE_IMAGES,
    MAVEN_IMAGES,
    JavaBuild,
    ServiceSpec,
    app_user,
)
from reports.scaffold.probes import curl_probe

ARTIFACT_DIR = "/workspace"
JVM_FLAGS = "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
_EXCLUDED_JARS = ("*-sources.jar", "*-javadoc.jar", "*-tests.jar", "*-plain.jar")


def builder_image(build: JavaBuild) -> str:
    """The JDK image that builds: the wrapper brings its own Maven/Gradle, else the tool image."""
    if build.wrapper:
        return JDK_IMAGES[build.version]
    return (MAVEN_IMAGES if build.tool == "maven" else GRADLE_IMAGES)[build.version]


def _tool(build: JavaBuild) -> str:
    if build.tool == "maven":
        return "./mvnw -B" if build.wrapper else "mvn -B"
    return "./gradlew --no-daemon" if build.wrapper else "gradle --no-daemon"


def _output_dir(build: JavaBuild) -> str:
    return "target" if build.tool == "maven" else "build/libs"


def scratch_dirs(build: JavaBuild) -> tuple[str, ...]:
    """Build output directories kept in container volumes during development."""
    return ("target",) if build.tool == "maven" else ("build", ".gradle")


def _find_artifact(build: JavaBuild) -> str:
    """A shell expression printing the path of the built (executable) jar or war."""
    ext = build.packaging
    skip = "".join(f"! -name '{pattern}' " for pattern in _EXCLUDED_JARS) if ext == "jar" else ""
    return f"find {_output_dir(build)} -maxdepth 1 -name '*.{ext}' {skip}| sort | head -n 1"


def _copy_build_files(spec: ServiceSpec, build: JavaBuild) -> list[str]:
    chown = f"--chown={APP_UID}:{APP_UID}"
    names = [name for name, _ in spec.runtime.copied]
    lines: list[str] = []
    if build.parents:
        lines.append(
            "# The parent POMs of the module, where its <parent> relativePath expects them."
        )
        lines.append(f"COPY {chown} parent-poms/ {ARTIFACT_DIR}/")
    lines.append(f"COPY {chown} {' '.join(build.build_files)} ./")
    if build.tool == "gradle" and any(n.startswith("gradle/") for n in names):
        lines.append(f"COPY {chown} gradle/ gradle/")
    if build.wrapper:
        script = "mvnw" if build.tool == "maven" else "gradlew"
        lines.append(f"COPY {chown} --chmod=0755 {script} ./")
        if build.tool == "maven" and any(n.startswith(".mvn/") for n in names):
            lines.append(f"COPY {chown} .mvn/ .mvn/")
    return lines


def _prefetch(build: JavaBuild) -> str:
    if build.tool == "maven":
        return f"RUN {_tool(build)} -q dependency:go-offline"
    return f"RUN {_tool(build)} --quiet dependencies > /dev/null"


def _package(build: JavaBuild) -> str:
    goal = "-q -DskipTests package" if build.tool == "maven" else "--quiet assemble -x test"
    return (
        f"RUN {_tool(build)} {goal} \\\n"
        f'    && cp "$({_find_artifact(build)})" {ARTIFACT_DIR}/app.{build.packaging}'
    )


def _dev_command(build: JavaBuild) -> list[str]:
    """Development: Spring Boot's run goal/task; otherwise package and run the jar."""
    tool = _tool(build).split()
    if build.spring_boot:
        return [*tool, "spring-boot:run" if build.tool == "maven" else "bootRun"]
    goal = "-q -DskipTests package" if build.tool == "maven" else "--quiet assemble -x test"
    script = f'{" ".join(tool)} {goal} && exec java -jar "$({_find_artifact(build)})"'
    return ["sh", "-c", script]


def _env(build: JavaBuild) -> str:
    # JDK_JAVA_OPTIONS is read by the `java` launcher only (JDK 9+), so probes and build tools
    # are not affected; Java 8 has only JAVA_TOOL_OPTIONS.
    name = "JAVA_TOOL_OPTIONS" if build.version == 8 else "JDK_JAVA_OPTIONS"
    return f'ENV {name}="{JVM_FLAGS}"' + _health_env(build)


def _health_env(build: JavaBuild) -> str:
    """Spring Boot: the actuator's health endpoint at `/health`, the path the probes use."""
    if not build.spring_boot:
        return ""
    return (
        " \\\n    MANAGEMENT_ENDPOINTS_WEB_BASE_PATH=/"
        " \\\n    MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE=health"
    )


def _healthcheck(port: int, start: str) -> str:
    return (
        f"HEALTHCHECK --interval=30s --timeout=5s --start-period={start} --retries=3 \\\n"
        f"    CMD {json.dumps(curl_probe(port))}"
    )


def render_java_dockerfile(spec: ServiceSpec) -> str:
    """Four stages: dependencies (cached layer), builder, development and production (final)."""
    build = spec.runtime.java
    assert build is not None
    workdir = spec.runtime.workdir
    port = spec.runtime.port
    scratch = " ".join(f"{workdir}/{d}" for d in scratch_dirs(build))
    home_env = "ENV HOME=/home/app"
    if build.tool == "maven" and not build.wrapper:
        home_env += " \\\n    MAVEN_CONFIG=/home/app/.m2"
    if build.tool == "gradle":
        home_env += " \\\n    GRADLE_USER_HOME=/home/app/.gradle"
    artifact = f"app.{build.packaging}"
    copy_lines = "\n".join(_copy_build_files(spec, build))
    return f"""\
# syntax=docker/dockerfile:1
# Service `{spec.name}` (wave {spec.wave}), generated by strangler-planner: a starting point.
# Java {build.version} ({build.declared}), built with {build.tool.capitalize()}\
{" through its wrapper" if build.wrapper else ""}.
# Targets: `development` (run from the bind-mounted source) and `production` (the final stage,
# what `docker build` gives by default). Secrets never go in ENV/ARG: they arrive at run time
# as files under /run/secrets (see the compose files). Logs go to stdout/stderr only (Spring
# Boot's default console logging; never set logging.file.name).

# Dependencies first: this layer is rebuilt only when the build files change.
FROM {builder_image(build)} AS dependencies
{app_user(home=True)} \\
    && mkdir -p {workdir} {scratch} \\
    && chown -R {APP_UID}:{APP_UID} {ARTIFACT_DIR} /home/app
{home_env}{_health_env(build)}
WORKDIR {workdir}
{copy_lines}
USER {APP_UID}:{APP_UID}
{_prefetch(build)}

FROM dependencies AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY --chown={APP_UID}:{APP_UID} src ./src
{_package(build)}

FROM dependencies AS development
# compose.dev.yml bind-mounts the service directory over {workdir}.
EXPOSE {port}
{_healthcheck(port, "120s")}
CMD {json.dumps(_dev_command(build))}

FROM {JRE_IMAGES[build.version]} AS production
{app_user()}
WORKDIR /app
# The artifact stays owned by root: the app user can read it but not change it.
COPY --from=builder {ARTIFACT_DIR}/{artifact} /app/{artifact}
# Size the heap from the container's memory limit and exit (to be restarted) on OOM.
{_env(build)}
USER {APP_UID}:{APP_UID}
EXPOSE {port}
{_healthcheck(port, "60s")}
CMD {json.dumps(["java", "-jar", f"/app/{artifact}"])}
"""


JAVA_DOCKERIGNORE = """\
# Keep the build context small and free of secrets and build output.
.git
.github
target/
build/
.gradle/
out/
.idea/
*.iml
.vscode/
.settings/
.classpath
.project
.env
.env.*
!.env.example
secrets/
*.log
Dockerfile
.dockerignore
README.md
"""


def source_roots(dirs: tuple[str, ...]) -> tuple[str, ...]:
    """Package directories folded into their source roots (`sm-core/src/main/java`)."""
    roots = set()
    for directory in dirs:
        head, sep, _ = directory.partition("src/main/java")
        roots.add(head + sep if sep else directory)
    return tuple(sorted(roots))


def java_readme_steps(spec: ServiceSpec, dirs: tuple[str, ...]) -> list[str]:
    """The README's "Getting started" steps for a Java service."""
    build = spec.runtime.java
    assert build is not None
    module = f"module `{build.module}`" if build.module else "the root project"
    roots = source_roots(dirs)
    steps = [
        "1. `./copy-sources.sh [MONOLITH_DIR]` copies the classes above (and the shared kernel"
        " and the module's resources) from the monolith checkout into `src/main/` here, keeping"
        " their package directories; CI runs it too"
        + (f" (they live under {', '.join(roots)})." if roots else "."),
        f"2. Serve the moved routes on port {spec.runtime.port} and answer `GET /health` with 200"
        + (
            " (Spring Boot Actuator, added to the pom; the image sets"
            " `MANAGEMENT_ENDPOINTS_WEB_BASE_PATH=/` so its health endpoint is `/health`)."
            if build.spring_boot
            else ": add a health route, the image's HEALTHCHECK probes it."
        ),
        "3. The database URL arrives as a file (a compose secret) named by `DATABASE_URL_FILE`"
        + (
            "; Spring Boot reads it through"
            " `SPRING_CONFIG_IMPORT=optional:configtree:/run/secrets/` and"
            " `SPRING_DATASOURCE_URL` (both set in the compose files)."
            if build.spring_boot
            else "; read it at startup, never bake it into the image."
        ),
        f"4. Build: {build.tool.capitalize()} from {module} ({spec.runtime.source})"
        + (", through the project's wrapper" if build.wrapper else "")
        + f"; Java {build.version} ({build.declared}). Production runs `java -jar` on the"
        f" {build.packaging} the build produces"
        + (
            ": make it executable (spring-boot-maven-plugin / bootJar)."
            if build.spring_boot
            else ": make it an executable jar (e.g. the shade or assembly plugin), or"
            " switch the production stage to a servlet container image for a plain war."
        ),
        f"5. `docker build --target development -t {spec.slug}:dev .` for local work;"
        f" `docker build -t {spec.slug}:$(git rev-parse --short HEAD) .` for release.",
    ]
    if build.parents:
        steps.append(
            "6. `parent-poms/` holds the module's parent POMs from the monolith so its `<parent>`"
            " resolves; fold what the service needs into its own pom.xml, then delete them."
        )
    if build.siblings:
        steps.append(
            "- It depends on other modules of the monolith: "
            + ", ".join(f"`{s}`" for s in build.siblings)
            + ". Publish them to your artifact repository or move the classes it uses."
        )
    if build.tool == "gradle" and build.module:
        steps.append(
            "- `settings.gradle` was written fresh (the service is its own build): copy the"
            " repositories, plugin versions and `subprojects {}` settings the monolith's root"
            " build gave this module."
        )
    return steps
