"""The per-file cache of the readers after the parsers: unchanged files are not read again, and
nothing outside the root is read."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from analyzers.textcache import per_file

SHOP = Path(__file__).resolve().parent.parent / "samples" / "legacy_shop"


class Counting:
    """A reader that counts the files it was given: (tag, rel, length of the text)."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, tag: str, rel: str, text: str) -> tuple[str, str, int]:
        self.read.append(rel)
        return (tag, rel, len(text))


def _run(root: Path, wanted: dict[str, str], cache: Path | None, limit: int = 1_000_000):
    reader = Counting()
    found = per_file(
        root,
        wanted,
        reader,
        tuple[str, str, int],
        name="test",
        salt="1",
        cache_dir=cache,
        limit=limit,
    )
    return found, reader.read


def test_a_warm_run_reads_no_unchanged_file(tmp_path: Path) -> None:
    """The checked-in sample's files are older than the racy window, so the second run reads
    none of them; its results are the first run's and the uncached ones."""
    wanted = {p.relative_to(SHOP).as_posix(): "py" for p in sorted(SHOP.rglob("*.py"))}
    plain, read = _run(SHOP, wanted, None)
    assert len(plain) == len(wanted) == len(read) > 10
    first, read = _run(SHOP, wanted, tmp_path / "cache")
    assert first == plain and len(read) == len(wanted)
    second, read = _run(SHOP, wanted, tmp_path / "cache")
    assert second == plain and read == []
    # another salt (another reader version) or tag misses
    tagged, read = _run(SHOP, dict.fromkeys(wanted, "other"), tmp_path / "cache")
    assert len(read) == len(wanted) and all(v[0] == "other" for v in tagged.values())


def test_bad_records_are_read_again(tmp_path: Path) -> None:
    wanted = {p.relative_to(SHOP).as_posix(): "py" for p in sorted(SHOP.rglob("*.py"))}
    plain, _ = _run(SHOP, wanted, None)
    _run(SHOP, wanted, tmp_path)
    with sqlite3.connect(tmp_path / "test.sqlite") as db:
        db.execute("UPDATE results SET value = x'93a1'")
    again, read = _run(SHOP, wanted, tmp_path)
    assert again == plain and len(read) == len(wanted)


def test_a_changed_file_is_read_again_and_limits_hold(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("a = 1\n")
    (root / "big.py").write_text("x" * 50)
    wanted = {"pkg/a.py": "py", "big.py": "py", "missing.py": "py"}
    found, _ = _run(root, wanted, tmp_path / "cache", limit=20)
    assert found == {"pkg/a.py": ("py", "pkg/a.py", 6)}  # too big and missing: no result
    # written just now (or touched, or extracted again): its stamp is not trusted, so it is
    # read again, but its result is found by content, not computed again
    (root / "pkg" / "a.py").write_text("a = 1\n")
    again, read = _run(root, wanted, tmp_path / "cache", limit=20)
    assert again == found and read == []
    (root / "pkg" / "a.py").write_text("a = 1\nb = 2\n")
    found, read = _run(root, wanted, tmp_path / "cache", limit=20)
    assert found["pkg/a.py"] == ("py", "pkg/a.py", 12) and "pkg/a.py" in read


def test_nothing_outside_the_root_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("SECRET = 1\n")
    root = tmp_path / "tree"
    root.mkdir()
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "real.py").write_text("ok = 1\n")
    (root / "alias.py").symlink_to(root / "real.py")  # a symlink that stays inside is read
    wanted = {
        "link.py": "py",
        "linked/secret.py": "py",
        "real.py": "py",
        "alias.py": "py",
        "../outside/secret.py": "py",
    }
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):
        found, _ = _run(root, wanted, cache)
        assert set(found) == {"real.py", "alias.py"}, found
    shutil.rmtree(outside)
