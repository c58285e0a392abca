"""Build hook: the wheel carries samples/ as planner/samples, so `planner demo` runs anywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SAMPLES = Path(__file__).resolve().parent / "samples"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".planner-cache", "*.db", ".git")


class BuildWithSamples(build_py):
    """The usual build, plus a copy of the samples inside the `planner` package."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib) / "planner" / "samples"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(SAMPLES, target, ignore=IGNORED)


setup(cmdclass={"build_py": BuildWithSamples})
