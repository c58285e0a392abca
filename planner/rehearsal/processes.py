"""Processes of the rehearsal: interpreters, virtualenvs, free ports, start, wait and stop."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analyzers.errors import InputError


@dataclass(frozen=True)
class Interpreter:
    """The Python a unit runs on here, and how it relates to its image's."""

    path: str
    version: tuple[int, int]
    wanted: tuple[int, int] | None
    note: str  # "" when it is the image's version, else why another one


def image_python(image: str) -> tuple[int, int] | None:
    """The Python version of an official `python:X.Y...` image tag."""
    found = re.match(r"(?:[\w./-]*/)?python:(\d+)\.(\d+)", image)
    return (int(found[1]), int(found[2])) if found else None


def _version_of(path: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [path, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return (int(out[0]), int(out[1])) if len(out) == 2 else None


def pythons() -> dict[tuple[int, int], str]:
    """Python interpreters on this machine: `python3.N` on the PATH, pyenv's and uv's."""
    candidates = [shutil.which(f"python3.{minor}") for minor in range(6, 16)]
    home = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if home.is_dir():
        candidates += [str(p) for p in sorted(home.glob("3.*/bin/python3"))]
    uv = Path(os.environ.get("UV_PYTHON_INSTALL_DIR", Path.home() / ".local/share/uv/python"))
    if uv.is_dir():
        candidates += [str(p) for p in sorted(uv.glob("cpython-3.*/bin/python3"))]
    found: dict[tuple[int, int], str] = {}
    for path in filter(None, candidates):
        version = _version_of(path)
        if version and version not in found:
            found[version] = path
    return found


def interpreter(image: str, available: dict[tuple[int, int], str]) -> Interpreter:
    """The image's Python when this machine has it, else the closest one (and a note why)."""
    wanted = image_python(image)
    if not available:
        raise InputError("the rehearsal found no Python 3 interpreter to build the services with")
    if wanted in available:
        return Interpreter(available[wanted], wanted, wanted, "")
    if wanted is None:
        version = max(available)
        return Interpreter(available[version], version, None, f"{image} is not a python image")
    version = min(
        available, key=lambda v: (abs(v[1] - wanted[1]) if v[0] == wanted[0] else 99, -v[1])
    )
    note = (
        f"Python {wanted[0]}.{wanted[1]} (from {image}) is not on this machine; "
        f"used {version[0]}.{version[1]}, the closest"
    )
    return Interpreter(available[version], version, wanted, note)


def make_venv(
    python: Interpreter, target: Path, installs: tuple[tuple[str, ...], ...], cwd: Path, log: Path
) -> Path:
    """A virtualenv at `target` with what the Dockerfile's `pip install` lines install."""
    _logged([python.path, "-m", "venv", str(target)], cwd, log, "creating a virtualenv")
    pip = str(target / "bin" / "pip")
    for args in installs:
        wanted = [a for a in args if a not in ("--no-cache-dir", "--user")]
        _logged(
            [pip, "install", "--disable-pip-version-check", *wanted],
            cwd,
            log,
            f"pip install {' '.join(wanted)}",
        )
    return target


def _logged(args: list[str], cwd: Path, log: Path, what: str, timeout: int = 900) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        if shutil.which(args[0]) is None and not Path(args[0]).is_file():
            raise InputError(f"{what} needs {args[0]}, which is not installed here")
        # its own process group, so an interrupt or a timeout stops the step's children too
        # (pip's build subprocesses, Maven's forks), not only the step itself
        process = None
        try:
            with starting():
                process = subprocess.Popen(
                    args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(process)
            raise InputError(f"{what} in {cwd.name} took over {timeout} s (log: {log})") from exc
        except BaseException:
            if process is not None:
                _kill_group(process)
            raise
        result = process
    if result.returncode != 0:
        raise InputError(f"{what} failed in {cwd.name}: {last_error(log)[:300]} (log: {log})")


def run_script(args: list[str], cwd: Path, log: Path, what: str) -> None:
    """Run one build step (copy-sources.sh, mvn), its output in `log`; InputError if it fails."""
    _logged(args, cwd, log, what)


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def local_command(command: tuple[str, ...], port: int, new_port: int) -> list[str]:
    """The image's CMD listening on 127.0.0.1:`new_port` instead of the container's `port`."""
    out: list[str] = []
    previous = ""
    for word in command:
        if re.fullmatch(rf"(0\.0\.0\.0|\[::\]|127\.0\.0\.1|)?:{port}", word):
            word = f"127.0.0.1:{new_port}"
        elif previous in ("--port", "-p") and word == str(port):
            word = str(new_port)
        elif previous == "--host" and word in ("0.0.0.0", "::"):
            word = "127.0.0.1"
        out.append(word)
        previous = word
    return out


_HELD: list[int] = []
"""Interrupts that arrived while a child process was starting (see `starting`)."""


@contextlib.contextmanager
def starting() -> Iterator[None]:
    """Ctrl-C and SIGTERM held while a child process starts and is recorded for cleanup: one that
    lands between the fork and that record would leave the child running unseen (it has its own
    session, so the signal never reaches it). A held one is raised as KeyboardInterrupt when
    the block ends, once the cleanup can stop the child."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hold = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: _HELD.append(signum)) for s in hold}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if _HELD:
            _HELD.clear()
            raise KeyboardInterrupt


@dataclass
class Running:
    """One started process (its own process group, so its workers stop with it)."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path


def start(
    name: str, args: list[str], cwd: Path, env: dict[str, str], port: int, log: Path
) -> Running:
    """Start a unit in the background with its output in `log`."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Running(name, process, port, log)


def wait_http(running: Running, path: str, timeout: float) -> int:
    """Wait until `path` answers with any HTTP status; return it (InputError if it never does)."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{running.port}{path}"
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise InputError(
                f"{running.name} exited with {running.process.returncode} before "
                f"answering: {last_error(running.log)[:200]} (log: {running.log})"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise InputError(
        f"{running.name} did not answer {path} on port {running.port} within "
        f"{timeout:.0f} s (log: {running.log})"
    )


def last_error(log: Path) -> str:
    """The last exception line of a log (`ModuleNotFoundError: ...`), else its last line."""
    lines = [x.strip() for x in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    errors = [x for x in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b.*:", x)]
    if errors:
        return errors[-1]
    maven = [x for x in lines if re.match(r"^\[(FATAL|ERROR)\] .*(resolv|Could not|failed)", x)]
    return (maven[:1] or [x for x in lines if x] or ["no output"])[-1]


def stop(running: Running) -> None:
    """Stop a started process and everything in its group: TERM, then KILL after 5 s."""
    if running.process.poll() is None:
        try:
            os.killpg(running.process.pid, signal.SIGTERM)
            running.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
    _kill_group(running.process)  # stragglers of the group (workers) once the leader is gone


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """KILL every process left in `process`'s group and reap the leader; waits until the group
    is empty (at most 5 s), so nothing of it outlives the rehearsal's cleanup."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    for _ in range(50):
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
