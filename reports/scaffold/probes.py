"""Health probes that work inside each kind of image the scaffold builds or runs."""

from __future__ import annotations

from reports.scaffold.model import JAVA_MONOLITH_PORT, MONOLITH_PORT, Runtime

HEALTH_PATH = "/health"


def python_probe(port: int, path: str = HEALTH_PATH) -> list[str]:
    """An exec-form probe with Python's urllib (slim Python images have no curl or wget)."""
    code = (
        "import sys, urllib.request; "
        f"sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout=3)"
        ".status == 200 else 1)"
    )
    return ["python", "-c", code]


def curl_probe(port: int, path: str = HEALTH_PATH) -> list[str]:
    """An exec-form probe with curl: the Temurin (jammy), Maven and Gradle images ship it.

    Starting a second JVM per probe would cost hundreds of megabytes and seconds; curl costs
    neither, and `--fail` turns any 4xx/5xx answer into a non-zero exit.
    """
    url = f"http://127.0.0.1:{port}{path}"
    return [
        "curl",
        "--fail",
        "--silent",
        "--show-error",
        "--max-time",
        "3",
        "--output",
        "/dev/null",
        url,
    ]


def service_probe(runtime: Runtime) -> list[str]:
    """The health probe of an extracted service's image."""
    if runtime.language == "java":
        return curl_probe(runtime.port)
    return python_probe(runtime.port)


def monolith_port(language: str) -> int:
    """The port the monolith's image is assumed to listen on (Java app servers: 8080)."""
    return JAVA_MONOLITH_PORT if language == "java" else MONOLITH_PORT


def monolith_probe(
    language: str, path: str, port: int | None = None, strict: bool = True
) -> list[str]:
    """The monolith's health probe: curl in Java images, Python's urllib in Python images.
    Not `strict` (no health route in its code): any HTTP answer shows it is up."""
    port = monolith_port(language) if port is None else port
    if language == "java":
        probe = curl_probe(port, path)
        return probe if strict else [p for p in probe if p != "--fail"]
    if strict:
        return python_probe(port, path)
    code = (
        "import sys, urllib.request, urllib.error\n"
        "try:\n"
        f"    urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout=3)\n"
        "except urllib.error.HTTPError:\n"
        "    pass\n"
    )
    return ["python", "-c", code]
