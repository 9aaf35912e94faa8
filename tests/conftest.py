"""Shared fixtures, hypothesis profiles, and the scenario plugin (``tests/scenarios/*.yaml``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

import footmap

settings.register_profile(
    "ci",
    max_examples=500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def kb() -> footmap.KnowledgeBase:
    """The shipped knowledge, loaded once for the test session."""
    return footmap.KnowledgeBase.load()


# --- scenarios as data -------------------------------------------------------------------------

_EXPECTATIONS = {
    "triage",
    "include",
    "exclude",
    "excluded",
    "first",
    "routine_empty",
    "safety_rules",
    "max_minutes",
    "cautioned",
    "adjusted",
    "all_gentle",
}


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A YAML file holding a list of scenarios: a profile in, expected plan properties out."""

    def collect(self) -> Iterator[pytest.Item]:
        entries = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        for entry in entries:
            yield ScenarioItem.from_parent(self, name=entry["name"], spec=entry)


class ScenarioItem(pytest.Item):
    """One scenario: run ``recommend`` on its profile and check every expectation."""

    def __init__(self, *, spec: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self) -> None:
        unknown = set(self.spec) - {"name", "source", "profile", "expect"}
        assert not unknown, f"unknown scenario keys {unknown}"
        knowledge = _shipped()
        assert self.spec["source"] in knowledge.sources, f"unknown source {self.spec['source']!r}"
        expect = self.spec["expect"]
        assert set(expect) <= _EXPECTATIONS, f"unknown expectations {set(expect) - _EXPECTATIONS}"
        plan = footmap.recommend(self.spec["profile"], knowledge=knowledge)
        check_expectations(plan, expect)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name}"


def _shipped() -> footmap.KnowledgeBase:
    from footmap._knowledge.base import shipped_knowledge

    return shipped_knowledge()


def check_expectations(plan: footmap.Plan, expect: dict[str, Any]) -> None:
    """Assert each expectation of a scenario on a plan, with a message that shows the plan."""
    ids = {item.id for item in plan.items}
    excluded = {entry.id for entry in plan.excluded}
    context = f"\n{plan.explain()}"
    if "triage" in expect:
        assert plan.triage == expect["triage"], context
    for ident in expect.get("include", []):
        assert ident in ids, f"{ident} missing{context}"
    for ident in expect.get("exclude", []):
        assert ident not in ids, f"{ident} present{context}"
    for ident in expect.get("excluded", []):
        assert ident in excluded, f"{ident} not listed as excluded{context}"
    if "first" in expect:
        assert plan.routine and plan.routine[0].id == expect["first"], context
    if "routine_empty" in expect:
        assert (not plan.routine) == expect["routine_empty"], context
    rules = {message.rule for message in plan.safety}
    for rule in expect.get("safety_rules", []):
        assert rule in rules, f"safety rule {rule} missing{context}"
    if "max_minutes" in expect:
        assert plan.minutes_per_day <= expect["max_minutes"], context
    cautioned = {item.id for item in plan.items if item.cautions}
    for ident in expect.get("cautioned", []):
        assert ident in cautioned, f"{ident} has no caution{context}"
    adjusted = {item.id for item in plan.items if item.dosage and item.dosage.adjusted_by}
    for ident in expect.get("adjusted", []):
        assert ident in adjusted, f"{ident} has no dosage adjustment{context}"
    if expect.get("all_gentle"):
        knowledge = _shipped()
        assert all(knowledge.items[item.id].gentle for item in plan.items), context
