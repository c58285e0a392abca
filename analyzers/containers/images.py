"""What well-known base images hold (users, curl, wget, a shell), told from their reference."""

from __future__ import annotations

from dataclasses import dataclass

_SYSTEM_USERS = frozenset(
    {"root", "daemon", "bin", "sys", "adm", "lp", "sync", "mail", "news", "uucp", "man"}
    | {"games", "nobody", "operator", "www-data", "proxy", "backup", "list", "irc", "_apt"}
)
_IMAGE_USERS: dict[str, frozenset[str]] = {
    "node": frozenset({"node"}),
    "ubuntu": frozenset({"ubuntu"}),
    "nginx": frozenset({"nginx"}),
    "postgres": frozenset({"postgres"}),
    "redis": frozenset({"redis"}),
    "mysql": frozenset({"mysql"}),
    "mariadb": frozenset({"mysql"}),
    "gradle": frozenset({"gradle"}),
    "httpd": frozenset(),
    "php": frozenset(),
    **{
        name: frozenset()
        for name in (
            "python",
            "debian",
            "alpine",
            "busybox",
            "openjdk",
            "eclipse-temurin",
            "amazoncorretto",
            "maven",
            "golang",
            "ruby",
            "tomcat",
            "buildpack-deps",
        )
    },
}


@dataclass(frozen=True)
class BaseImage:
    """What we can tell about an external base image from its reference alone."""

    ref: str
    name: str  # last path segment without tag/digest
    tag: str
    known: bool  # an official or distroless image whose users and tools we know
    distroless: bool

    @staticmethod
    def parse(ref: str) -> BaseImage:
        """A base image from `FROM`'s reference (`python:3.12-slim`, `gcr.io/distroless/java21`)."""
        bare = ref.split("@", 1)[0]
        path, _, tag = bare.rpartition(":") if ":" in bare.rsplit("/", 1)[-1] else (bare, "", "")
        lower = path.lower()
        distroless = lower.startswith(("gcr.io/distroless/", "cgr.dev/chainguard/"))
        official = "/" not in lower or lower.startswith(("library/", "docker.io/library/"))
        name = lower.rsplit("/", 1)[-1]
        known = distroless or (official and (name in _IMAGE_USERS or name == "scratch"))
        return BaseImage(ref, name, tag.lower(), known, distroless)

    def has_user(self, user: str) -> bool:
        """True when the image is known to define `user`."""
        if self.distroless:
            return user in {"root", "nobody", "nonroot"}
        return user in _SYSTEM_USERS or user in _IMAGE_USERS.get(self.name, frozenset())

    def lacks(self, binary: str) -> bool:
        """True when the image is known not to ship `binary` (`curl`, `wget`, `sh`)."""
        if self.name == "scratch" or self.distroless:
            return True
        if binary == "sh" or not self.known:
            return False
        slim = "slim" in self.tag or self.name in {"debian", "ubuntu"}
        alpine = "alpine" in self.tag or self.name in {"alpine", "busybox"}
        if binary == "curl":
            return slim or alpine
        return binary == "wget" and slim and not alpine
