"""Real nginx with the generated facade, rewritten only for its upstreams' host:port."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from analyzers.errors import InputError

NGINX = "/usr/sbin/nginx"
UPSTREAM_HEADER = "X-Rehearsal-Upstream"
_SET = re.compile(r'(set \$\w+ "http://)([^":/]+):(\d+)(")')
_LISTEN = re.compile(r"^(\s*listen\s+)[^;]+;", re.M)


def nginx_binary() -> str:
    """nginx: /usr/sbin/nginx, else the one on the PATH."""
    found = NGINX if Path(NGINX).is_file() else shutil.which("nginx")
    if not found:
        raise InputError("the rehearsal needs nginx (/usr/sbin/nginx; apt-get install nginx)")
    return found


def rewrite(conf: str, ports: dict[str, int], listen: int) -> str:
    """The facade with each `set $upstream_x "http://host:port"` pointing at 127.0.0.1 and the
    port the rehearsal gave that host, and listening on the loopback."""
    missing: list[str] = []

    def upstream(match: re.Match[str]) -> str:
        host = match[2]
        if host not in ports:
            missing.append(host)
            return match[0]
        return f"{match[1]}127.0.0.1:{ports[host]}{match[4]}"

    out = _SET.sub(upstream, conf)
    if missing:
        raise InputError(
            f"the facade routes to {', '.join(sorted(set(missing)))}, which the "
            "wave's compose file does not start"
        )
    if not _SET.search(conf):
        raise InputError('the facade has no `set $upstream_... "http://host:port"` lines')
    return _LISTEN.sub(lambda m: f"{m[1]}127.0.0.1:{listen};", out, count=1)


def write_config(prefix: Path, facade: str) -> Path:
    """nginx.conf for a foreground nginx under `prefix`, including the facade in its http block
    and naming the upstream that answered each request in a response header."""
    for name in ("logs", "tmp"):
        (prefix / name).mkdir(parents=True, exist_ok=True)
    (prefix / "facade.conf").write_text(facade, encoding="utf-8")
    temp = prefix / "tmp"
    conf = prefix / "nginx.conf"
    conf.write_text(
        "daemon off;\n"
        "worker_processes 1;\n"
        f"pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/logs/error.log warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"    access_log {prefix}/logs/access.log;\n"
        f"    client_body_temp_path {temp}/body;\n"
        f"    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n"
        f"    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"    add_header {UPSTREAM_HEADER} $upstream_addr always;\n"
        f"    include {prefix}/facade.conf;\n"
        "}\n",
        encoding="utf-8",
    )
    return conf


def check_config(nginx: str, prefix: Path, conf: Path) -> None:
    """`nginx -t` on the rehearsal's configuration; InputError with nginx's own line if bad."""
    result = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    if result.returncode != 0:
        lines = [x for x in result.stderr.splitlines() if "emerg" in x or "error" in x]
        raise InputError(f"nginx rejects the facade: {(lines or [result.stderr.strip()])[0]}")


def command(nginx: str, prefix: Path, conf: Path) -> list[str]:
    """The foreground nginx command line."""
    return [nginx, "-p", str(prefix), "-c", str(conf)]
