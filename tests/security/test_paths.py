"""Nothing outside the analyzed root is read, and no credential file is copied into a scaffold."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers.walk import inside, is_secret_file, read_inside

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
MARKER = "OUTSIDE-THE-ROOT-7f3a"
NEXUS = "Nexus4Gradle-Pw-19"


def planner(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the analyzed tree holding what must never be read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{MARKER}\nroot:x:0:0:root:/root:/bin/bash\n")
    (folder / "module.py").write_text(f"SECRET = '{MARKER}'\nimport os\n")
    (folder / "Dockerfile").write_text(f"FROM {MARKER}:latest\n")
    (folder / "CODEOWNERS").write_text(f"* @{MARKER}\n")
    return folder


def _outputs_hold(out: Path, text: str) -> list[str]:
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and ".planner-cache" not in p.parts and text.encode() in p.read_bytes()
    )


def test_helpers_refuse_symlinks_out(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "ok.txt").write_text("fine")
    (root / "link").symlink_to(outside / "secret.txt")
    (root / "inner").symlink_to(root / "ok.txt")
    (root / "dir").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root / "loop")
    assert read_inside(root, root / "ok.txt") == b"fine"
    assert read_inside(root, root / "inner") == b"fine"  # a symlink that stays inside is fine
    assert read_inside(root, root / "link") is None
    assert read_inside(root, root / "dir" / "secret.txt") is None
    assert read_inside(root, root / "loop") is None
    assert read_inside(root, root / ".." / "outside" / "secret.txt") is None
    assert not inside(root, Path("/etc/passwd"))


@pytest.mark.parametrize(
    "name",
    [
        ".env",
        ".env.production",
        ".npmrc",
        ".pypirc",
        "id_rsa",
        "server.pem",
        "tls.key",
        "gradle.properties",
        "keystore.jks",
        ".git-credentials",
        ".netrc",
    ],
)
def test_credential_files_are_denied(name: str) -> None:
    assert is_secret_file(name)


def test_ordinary_files_are_not_denied() -> None:
    for name in ("pom.xml", "requirements.txt", ".env.example", "id_rsa.pub", "maven-wrapper.jar"):
        assert not is_secret_file(name)
    assert is_secret_file("settings.xml", b"<settings><servers><server>")
    assert not is_secret_file("settings.xml", b"<settings><mirrors/></settings>")


def test_python_tree_with_symlinks_out_leaks_nothing(tmp_path: Path, outside: Path) -> None:
    repo = tmp_path / "shop"
    shutil.copytree(SAMPLES / "legacy_shop", repo)
    (repo / "requirements.txt").unlink()
    (repo / "requirements.txt").symlink_to(outside / "secret.txt")
    (repo / "requirements-dev.txt").symlink_to("/etc/passwd")
    (repo / "Pipfile").symlink_to(outside / "secret.txt")
    (repo / "shop" / "leak.py").symlink_to(outside / "module.py")
    (repo / "shop" / "elsewhere").symlink_to(outside, target_is_directory=True)
    shutil.rmtree(repo / ".github")
    (repo / "CODEOWNERS").symlink_to(outside / "CODEOWNERS")
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    (repo / ".env").write_text("DB_PASSWORD=never-copied-env-55\n")
    out = tmp_path / "out"
    result = planner("run", str(repo), "--out", str(out), "--no-git")
    assert result.returncode == 0, result.stderr
    scaffold = out / "scaffold"
    assert any(p.name == "requirements.txt" for p in scaffold.rglob("*"))
    assert _outputs_hold(out, MARKER) == []
    assert _outputs_hold(out, "root:x:0:0") == []
    assert _outputs_hold(out, "never-copied-env-55") == []
    assert MARKER not in result.stderr + result.stdout
    lint = planner("lint-containers", str(repo))
    assert MARKER not in lint.stdout + lint.stderr


def test_java_tree_with_symlinks_and_credentials_leaks_nothing(
    tmp_path: Path, outside: Path
) -> None:
    repo = tmp_path / "java"
    shutil.copytree(SAMPLES / "legacy_java", repo)
    (repo / "mvnw").write_text('#!/bin/sh\nexec mvn "$@"\n')
    wrapper = repo / ".mvn" / "wrapper"
    wrapper.mkdir(parents=True)
    (wrapper / "maven-wrapper.properties").write_text(
        "distributionUrl=https://repo.example.com/maven.zip\n"
    )
    (repo / ".mvn" / "x").symlink_to(outside / "secret.txt")
    (repo / ".mvn" / "shadow").symlink_to("/etc/passwd")
    (repo / ".mvn" / "settings.xml").write_text(
        f"<settings><servers><server><password>{NEXUS}</password></server></servers></settings>"
    )
    (wrapper / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{NEXUS}\n")
    (repo / ".mvn" / "jvm.config").write_text("-Xmx1g\n")
    (repo / "gradle.properties").write_text(
        f"org.gradle.jvmargs=-Xmx2g\nnexusUsername=deployer\nnexusPassword={NEXUS}\n"
    )
    out = tmp_path / "out"
    result = planner("run", str(repo), "--out", str(out), "--no-git")
    assert result.returncode == 0, result.stderr
    copied = sorted(p.relative_to(out).as_posix() for p in (out / "scaffold").rglob("*"))
    # the scaffold reads facts only: no file of the checkout is copied into it (copy-sources.sh
    # does that at build time, inside the analyzed tree)
    assert not any(p.endswith(("/mvnw", ".mvn/jvm.config")) for p in copied)
    assert not any(p.endswith((".mvn/x", ".mvn/shadow", "settings.xml", "id_rsa")) for p in copied)
    assert _outputs_hold(out, MARKER) == []
    assert _outputs_hold(out, "root:x:0:0") == []
    assert _outputs_hold(out, NEXUS) == []
