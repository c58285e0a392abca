"""A repository holding both a Python and a Java monolith gives one set of facts and one graph."""

from __future__ import annotations

import shutil
from pathlib import Path

from analyzers.facts import merge_facts
from analyzers.java import analyze_java
from analyzers.python import analyze_python
from planner.config import Config
from planner.pipeline import make_plan

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_python_and_java_in_one_plan(tmp_path):
    shutil.copytree(SAMPLES / "legacy_shop" / "shop", tmp_path / "backend" / "shop")
    shutil.copytree(SAMPLES / "legacy_java", tmp_path / "legacy-java")
    python = analyze_python(tmp_path, jobs=1)
    java = analyze_java(tmp_path, jobs=1)
    facts = merge_facts(str(tmp_path), [python, java])
    languages = {u.language for u in facts.units}
    assert languages == {"python", "java"}
    plan = make_plan(facts, Config())
    members = [m for s in plan.services for m in s.members]
    assert any(m.startswith("shop.") for m in members)
    assert any(m.startswith("com.legacyshop.") for m in members)
    language_of = {u.id: u.language for u in facts.units}
    for service in plan.services:
        # the two code bases share no code: no service mixes them
        assert len({language_of[m] for m in service.members}) == 1, service.name
