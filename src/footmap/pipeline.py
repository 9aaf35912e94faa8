"""The pipeline behind ``recommend()``: Profile → facts → graph candidates → rule effects → composed Plan."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import Any

from footmap.compose import candidate_ids, compose
from footmap.knowledge.base import KnowledgeBase, shipped_knowledge
from footmap.plan import Plan
from footmap.profile import Profile
from footmap.rules.backend import Engine, create_engine
from footmap.rules.facts import fact_nodes, item_facts, profile_facts

__all__ = ["engine_for", "recommend"]

_engines: weakref.WeakKeyDictionary[KnowledgeBase, Engine] = weakref.WeakKeyDictionary()
_engines_lock = threading.Lock()


def engine_for(knowledge: KnowledgeBase) -> Engine:
    """The rule engine of a knowledge base, built on first use and kept while it lives.

    durable-rules where it can be imported, else the plain-Python reference evaluator (see
    :mod:`footmap.rules.backend`).
    """
    with _engines_lock:
        engine = _engines.get(knowledge)
        if engine is None:
            engine = _engines[knowledge] = create_engine(knowledge)
        return engine


def recommend(
    profile: Profile | Mapping[str, Any], *, knowledge: KnowledgeBase | None = None
) -> Plan:
    """A personalised, explained plan for a profile (a ``Profile`` or a dict of its fields).

    Raises :class:`pydantic.ValidationError` for a profile that names anything the knowledge does
    not know, with the allowed values and the nearest match.

    >>> plan = recommend({"pains": [{"area": "back", "severity": 6}], "equipment": ["towel"]})
    >>> plan.triage, bool(plan.routine)
    ('self_care', True)
    """
    knowledge = knowledge if knowledge is not None else shipped_knowledge()
    profile = _validated(profile, knowledge)
    paths = knowledge.candidates(fact_nodes(profile))
    facts = profile_facts(profile, knowledge) + item_facts(candidate_ids(paths, knowledge), knowledge)
    effects = engine_for(knowledge).run(facts)
    return compose(profile, knowledge, paths, effects)


def _validated(profile: Profile | Mapping[str, Any], knowledge: KnowledgeBase) -> Profile:
    data = profile.model_dump(exclude_defaults=True) if isinstance(profile, Profile) else profile
    return Profile.model_validate(data, context={"knowledge": knowledge})
