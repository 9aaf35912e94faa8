"""``recommend()``: the pipeline, one way: Profile → candidates → decisions → Plan.

Each stage takes the previous stage's output and nothing else: ``_facts.gather`` (start nodes,
graph paths, alternatives, facts), ``_rules.engine.decide`` (the effects of the rules and their
trace), ``_compose.compose`` (the plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from footmap._compose import compose
from footmap._compose.schedule import checked_weeks
from footmap._facts import gather
from footmap._input.profile import Profile
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._plan import DEFAULT_WEEKS, Plan
from footmap._rules.engine import EngineChoice, decide


def recommend(
    profile: Profile | Mapping[str, Any],
    *,
    knowledge: KnowledgeBase | None = None,
    engine: EngineChoice = "auto",
    weeks: int = DEFAULT_WEEKS,
) -> Plan:
    """A personalised, explained plan for a profile (a ``Profile`` or a dict of its fields), with
    its routine laid out over ``weeks`` weeks (1 to 52; ``plan.schedule``).

    ``engine`` chooses the rule engine: ``"auto"`` (durable-rules where it is installed, else the
    compiled-Python twin), ``"durable"`` or ``"python"``; both give the same plan, byte for byte
    (:func:`footmap.engine_info` says which runs and why).

    Raises :class:`pydantic.ValidationError` for a profile that names anything the knowledge does
    not know, with every bad value at once, the allowed values and the nearest match, and
    :class:`ValueError` for ``weeks`` out of range.

    >>> plan = recommend({"pains": [{"area": "back", "severity": 6}], "equipment": ["towel"]})
    >>> plan.triage, bool(plan.routine)
    ('self_care', True)
    """
    weeks = checked_weeks(weeks)
    knowledge = knowledge if knowledge is not None else shipped_knowledge()
    candidates = gather(_validated(profile, knowledge), knowledge)
    decisions = decide(candidates, engine)
    return compose(decisions, weeks=weeks)


def _validated(profile: Profile | Mapping[str, Any], knowledge: KnowledgeBase) -> Profile:
    data = profile.model_dump(exclude_defaults=True) if isinstance(profile, Profile) else profile
    return Profile.model_validate(data, context={"knowledge": knowledge})
