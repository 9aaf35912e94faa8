"""The pipeline behind ``recommend()``: Profile → facts → graph candidates → rule effects → composed Plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from footmap._compose import candidate_ids, compose
from footmap._facts import fact_nodes, item_facts, profile_facts
from footmap._input.profile import Profile
from footmap._knowledge.base import KnowledgeBase, PerKnowledge, shipped_knowledge
from footmap._knowledge.graph import Path, find_paths
from footmap._plan import Plan
from footmap._rules.engine import Engine, create_engine


class _Runtime:
    """What ``recommend`` keeps per knowledge base: its rule engine and its graph paths.

    The graph of a ``KnowledgeBase`` never changes, so the paths from each fact node are found
    once and kept; a profile's candidates are the union of its nodes' paths, in the order
    ``find_paths`` gives (by item, fact, then links: a key no two paths share).
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self.engine = create_engine(knowledge)
        self._paths: dict[str, list[tuple[Any, Path]]] = {}

    def candidates(self, nodes: Iterable[str]) -> list[Path]:
        """The same paths as ``KnowledgeBase.candidates(nodes)``, from the cache."""
        keyed: list[tuple[Any, Path]] = []
        for node in sorted(set(nodes)):
            found = self._paths.get(node)
            if found is None:
                found = self._paths[node] = [
                    ((path.item, path.fact, [step.link for step in path.steps]), path)
                    for path in find_paths(self.knowledge.graph, [node])
                ]
            keyed += found
        keyed.sort(key=lambda pair: pair[0])
        return [path for _, path in keyed]


_runtime = PerKnowledge(_Runtime)


def engine_for(knowledge: KnowledgeBase) -> Engine:
    """The rule engine of a knowledge base, built on first use and kept while it lives.

    durable-rules where it can be imported, else the plain-Python reference evaluator (see
    :mod:`footmap._rules.engine`).
    """
    return _runtime(knowledge).engine


def recommend(profile: Profile | Mapping[str, Any], *, knowledge: KnowledgeBase | None = None) -> Plan:
    """A personalised, explained plan for a profile (a ``Profile`` or a dict of its fields).

    Raises :class:`pydantic.ValidationError` for a profile that names anything the knowledge does
    not know, with the allowed values and the nearest match.

    >>> plan = recommend({"pains": [{"area": "back", "severity": 6}], "equipment": ["towel"]})
    >>> plan.triage, bool(plan.routine)
    ('self_care', True)
    """
    knowledge = knowledge if knowledge is not None else shipped_knowledge()
    profile = _validated(profile, knowledge)
    runtime = _runtime(knowledge)
    paths = runtime.candidates(fact_nodes(profile))
    facts = profile_facts(profile, knowledge) + item_facts(candidate_ids(paths, knowledge), knowledge)
    effects = runtime.engine.run(facts)
    return compose(profile, knowledge, paths, effects)


def _validated(profile: Profile | Mapping[str, Any], knowledge: KnowledgeBase) -> Profile:
    data = profile.model_dump(exclude_defaults=True) if isinstance(profile, Profile) else profile
    return Profile.model_validate(data, context={"knowledge": knowledge})
