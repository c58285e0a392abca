"""Service names an architect would use, and platform code kept out, on symptom-shaped fixtures."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from analyzers.facts import Dependency, Endpoint, Evidence, Facts, TableAccess, Unit
from analyzers.java import analyze_java
from analyzers.python import analyze_python
from planner.config import Config, Weights
from planner.graph import build_graph
from planner.naming import LAYER_WORDS, TECH_WORDS, root_words
from planner.pipeline import make_plan
from planner.plan import Plan

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ROOT = "com.acme.shipping"
CONTEXTS = ("cargo", "voyage", "location", "invoice")
SIGNALS = ("package", "entry_reach", "data_affinity", "vocabulary")


def assert_architect_names(plan: Plan, facts: Facts) -> None:
    """Every service is named by a business word: unique, unnumbered, no layer/tech/org word."""
    names = [s.name for s in plan.services]
    assert len(names) == len(set(names)), names
    banned = LAYER_WORDS | TECH_WORDS | root_words(u.id for u in facts.units if u.role == "code")
    for name in names:
        assert not re.search(r"-\d+$", name), f"numbered duplicate: {name}"
        for word in name.split("-"):
            assert word not in banned, f"{name}: {word} names a layer, technology or organisation"


def _java(uid: str, path: str = "", functions: tuple[str, ...] = ()) -> Unit:
    path = path or "app/src/main/java/" + uid.replace(".", "/") + ".java"
    leaf = uid.rsplit(".", 1)[-1]
    return Unit(uid, path, "java", 40, uid.rpartition(".")[0], "code", False, (leaf,), functions)


def _dep(a: str, b: str, kind: str = "call") -> Dependency:
    return Dependency(a, b, kind, 2.0, (Evidence("x.java", 1, b),))


def layered_facts() -> Facts:
    """A layered Java monolith: one `domain` package holding every entity under a base class,
    `web` controllers, a servlet per context, `service` and `persistence` layers, bootstrap,
    configuration, a lifecycle listener, a message consumer, and test support in a module
    outside `src/test`."""
    units = [
        _java(f"{ROOT}.Application", functions=("main",)),
        _java(f"{ROOT}.config.WebConfiguration"),
        _java(f"{ROOT}.domain.BaseEntity"),
        _java(
            f"{ROOT}.fixtures.SampleDataGenerator",
            "shipping-test-support/src/main/java/com/acme/shipping/fixtures/SampleDataGenerator.java",
        ),
    ]
    units += [_java(f"{ROOT}.web.WebAppListener"), _java(f"{ROOT}.messaging.CargoEventConsumer")]
    deps = [
        _dep(f"{ROOT}.Application", f"{ROOT}.config.WebConfiguration", "reference"),
        _dep(f"{ROOT}.web.WebAppListener", f"{ROOT}.persistence.JpaCargoRepository"),
        _dep(f"{ROOT}.messaging.CargoEventConsumer", f"{ROOT}.service.CargoService"),
    ]
    access, endpoints = [], []
    for context in CONTEXTS:
        noun = context.capitalize()
        entity = f"{ROOT}.domain.{noun}"
        detail = f"{ROOT}.domain.{noun}Line"
        controller = f"{ROOT}.web.{noun}Controller"
        servlet = f"{ROOT}.web.servlets.{noun}ListServlet"
        service = f"{ROOT}.service.{noun}Service"
        repository = f"{ROOT}.persistence.Jpa{noun}Repository"
        units += [_java(u) for u in (entity, detail, controller, servlet, service, repository)]
        deps += [
            _dep(entity, f"{ROOT}.domain.BaseEntity", "inherit"),
            _dep(detail, entity, "reference"),
            _dep(controller, service),
            _dep(servlet, service),
            _dep(service, repository),
            _dep(service, entity, "reference"),
            _dep(repository, entity, "reference"),
            _dep(repository, detail, "reference"),
            _dep(f"{ROOT}.fixtures.SampleDataGenerator", repository),
        ]
        access += [
            TableAccess(repository, context, "write", "orm"),
            TableAccess(repository, f"{context}_line", "write", "orm"),
        ]
        endpoints += [
            Endpoint(controller, "GET", f"/{context}s", "spring", "list", Evidence("x", 1, "")),
            Endpoint(servlet, "GET", f"/{context}s/all", "servlet", "doGet", Evidence("x", 1, "")),
        ]
    return Facts(
        root="/x",
        units=tuple(units),
        dependencies=tuple(deps),
        table_access=tuple(access),
        endpoints=tuple(endpoints),
    ).sorted()


def test_layered_monolith_splits_by_business_noun_not_by_layer():
    facts = layered_facts()
    plan = make_plan(facts, Config())
    assert_architect_names(plan, facts)
    owner = {m: s.name for s in plan.services for m in s.members}
    # the domain package holding every entity is split: each entity goes with its context
    assert len({owner[f"{ROOT}.domain.{c.capitalize()}"] for c in CONTEXTS}) == len(CONTEXTS)
    for context in CONTEXTS:
        noun = context.capitalize()
        entity = owner[f"{ROOT}.domain.{noun}"]
        assert entity == context
        assert owner[f"{ROOT}.web.{noun}Controller"] == entity
        assert owner[f"{ROOT}.web.servlets.{noun}ListServlet"] == entity
        assert owner[f"{ROOT}.persistence.Jpa{noun}Repository"] == entity


def test_platform_code_stays_out_with_its_reason():
    plan = make_plan(layered_facts(), Config())
    reasons = plan.kernel_reasons
    assert "base class" in reasons[f"{ROOT}.domain.BaseEntity"]
    assert "bootstrap" in reasons[f"{ROOT}.Application"]
    assert "configuration" in reasons[f"{ROOT}.config.WebConfiguration"]
    assert "glue" in reasons[f"{ROOT}.web.WebAppListener"]
    # a message listener is an entry point of its business context, not glue
    consumer = f"{ROOT}.messaging.CargoEventConsumer"
    assert consumer not in reasons
    assert consumer in plan.service("cargo").members
    generator = f"{ROOT}.fixtures.SampleDataGenerator"
    assert generator in plan.excluded
    assert "test support" in plan.excluded_reasons[generator]
    members = {m for s in plan.services for m in s.members}
    assert not members & (set(reasons) | {generator})


def test_granularity_candidates_are_recorded_with_the_runner_up():
    plan = make_plan(layered_facts(), Config())
    chosen = [c for c in plan.candidates if c.chosen]
    assert len(chosen) == 1 and chosen[0].k == len(plan.services)
    assert [c.k for c in plan.candidates] == sorted(
        {c.k for c in plan.candidates},
        key=lambda k: (-next(c.score for c in plan.candidates if c.k == k), k),
    )
    runner_up = plan.runner_up()
    if len(plan.candidates) > 1:
        assert runner_up is not None and runner_up.k != chosen[0].k
        assert runner_up.score <= chosen[0].score
    else:
        assert runner_up is None


@pytest.mark.parametrize("signal", SIGNALS)
def test_weight_zero_switches_a_signal_off(signal):
    facts = layered_facts()
    movable = tuple(sorted(u.id for u in facts.units))

    def total(weights: Weights) -> float:
        graph = build_graph(facts, movable, weights)
        return sum(d["weight"] for _, _, d in graph.affinity.edges(data=True))

    off = {s: 0.0 for s in SIGNALS}
    baseline = total(Weights(**off))
    alone = total(Weights(**{**off, signal: 1.0}))
    assert alone > baseline, f"{signal} adds no evidence on the fixture"
    assert total(dataclasses.replace(Weights(), **{signal: 0.0})) < total(Weights())


@pytest.mark.parametrize("sample", ["legacy_shop", "legacy_java"])
def test_sample_plans_are_named_by_business_words(sample):
    root = SAMPLES / sample
    facts = analyze_python(root, jobs=1) if sample == "legacy_shop" else analyze_java(root, jobs=1)
    plan = make_plan(facts, Config())
    assert len(plan.services) >= 3
    assert plan.runner_up() is not None
    assert_architect_names(plan, facts)


def test_a_subsystems_own_base_class_stays_with_it():
    """A driver interface whose heirs all live in its own business package is no shared kernel;
    a base class whose heirs span business packages is."""
    from planner.kernel import platform_roles

    drivers = [f"{ROOT}.volume.{d}Driver" for d in ("Nfs", "Iscsi", "San")]
    units = [_java(u) for u in (f"{ROOT}.volume.BaseDriver", *drivers)]
    units += [_java(f"{ROOT}.model.Entity"), _java(f"{ROOT}.cargo.Cargo")]
    units += [_java(f"{ROOT}.voyage.Voyage"), _java(f"{ROOT}.location.Location")]
    deps = [_dep(d, f"{ROOT}.volume.BaseDriver", "inherit") for d in drivers]
    deps += [
        _dep(f"{ROOT}.{c}.{c.capitalize()}", f"{ROOT}.model.Entity", "inherit")
        for c in CONTEXTS[:3]
    ]
    facts = Facts("app", units=tuple(units), dependencies=tuple(deps)).sorted()
    roles = platform_roles({u.id: u for u in units}, facts)
    assert f"{ROOT}.volume.BaseDriver" not in roles
    assert "base class of 3 units" in roles[f"{ROOT}.model.Entity"].reason
