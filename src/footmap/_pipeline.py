"""``recommend()`` and ``adjust()``: the pipeline, one way: Profile (and session logs) →
candidates → decisions → Plan.

``adjust(plan, logs)`` is ``recommend`` again, from the profile and knowledge the plan was made
from, with the logs as more facts: no plan is read back and patched.

Each stage takes the previous stage's output and nothing else: ``_facts.gather`` (start nodes,
graph paths, alternatives, facts), ``_rules.engine.decide`` (the effects of the rules and their
trace), ``_compose.compose`` (the plan).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from footmap._compose import compose
from footmap._compose.schedule import checked_weeks
from footmap._errors import FootmapError
from footmap._facts import gather
from footmap._input.logs import SessionLog
from footmap._input.profile import Profile
from footmap._knowledge.base import KnowledgeBase, knowledge_of, shipped_knowledge
from footmap._plan import DEFAULT_WEEKS, Plan
from footmap._rules.engine import EngineChoice, decide


def recommend(
    profile: Profile | Mapping[str, Any],
    *,
    knowledge: KnowledgeBase | None = None,
    engine: EngineChoice = "auto",
    weeks: int = DEFAULT_WEEKS,
    logs: Iterable[SessionLog | Mapping[str, Any]] = (),
) -> Plan:
    """A personalised, explained plan for a profile (a ``Profile`` or a dict of its fields), with
    its routine laid out over ``weeks`` weeks (1 to 52; ``plan.schedule``).

    ``logs`` (``SessionLog`` objects or dicts of their fields, in any order) are more facts: the
    rules of ``knowledge/rules/programme.yaml`` step items up or back, refer, or shorten the
    routine on them, and ``plan.changes`` lists what they changed (see :func:`adjust`).

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
    valid = _validated(profile, knowledge)
    candidates = gather(valid, knowledge, _validated_logs(logs, knowledge))
    decisions = decide(candidates, engine)
    return compose(decisions, weeks=weeks)


def adjust(
    plan: Plan,
    logs: Iterable[SessionLog | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    engine: EngineChoice = "auto",
) -> Plan:
    """The plan made again from its own profile and knowledge with the session ``logs`` as more
    facts: items stepped back or up their ladders, dropped, a referral, a shorter routine, each
    listed in ``plan.changes`` (item, before, after, rule, source, the log dates) and in its
    item's ``why``. The same weeks as ``plan``; with no logs, the same plan as ``recommend``.
    ``plan.changes`` names only items ``plan`` held (``recommend(profile, logs=logs)`` names every
    item a rule on the logs moved or left out, in the plan or not).

    ``knowledge`` is the knowledge base the plan was made from (its fingerprint is
    ``plan.knowledge``); without it, the shipped one or one alive in this process with that
    fingerprint, else a :class:`footmap.FootmapError` says to pass it.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "back", "severity": 4}]})
    >>> logs = [{"date": "2027-01-05", "new_symptoms": ["saddle_numbness"]}]
    >>> footmap.adjust(plan, logs).triage
    'urgent'
    """
    if plan.profile is None:
        raise FootmapError(
            "this plan does not carry the profile it was made from (an older footmap made it):"
            " recommend(profile, logs=logs) instead"
        )
    knowledge = knowledge if knowledge is not None else knowledge_of(plan.knowledge)
    if knowledge is None or knowledge.fingerprint != plan.knowledge:
        raise FootmapError(
            f"this plan was made with knowledge {plan.knowledge}, which is not the shipped knowledge"
            " nor one loaded in this process: pass it, adjust(plan, logs, knowledge=KnowledgeBase.load(DIR))"
        )
    weeks = plan.schedule.weeks or DEFAULT_WEEKS
    adjusted = recommend(plan.profile, knowledge=knowledge, engine=engine, weeks=weeks, logs=logs)
    held = {item.id for item in plan.items}
    changes = [c for c in adjusted.changes if c.change == "referred" or c.item in held]
    return adjusted if changes == adjusted.changes else adjusted.model_copy(update={"changes": changes})


def _validated(profile: Profile | Mapping[str, Any], knowledge: KnowledgeBase) -> Profile:
    data = profile.model_dump(exclude_defaults=True) if isinstance(profile, Profile) else profile
    return Profile.model_validate(data, context={"knowledge": knowledge})


def _validated_logs(
    logs: Iterable[SessionLog | Mapping[str, Any]], knowledge: KnowledgeBase
) -> list[SessionLog]:
    """Each log validated against the knowledge (a ``SessionLog`` made with other knowledge too)."""
    context = {"knowledge": knowledge}
    return [
        SessionLog.model_validate(
            log.model_dump(exclude_defaults=True) if isinstance(log, SessionLog) else log, context=context
        )
        for log in logs
    ]
