"""The compose stage: the rules' decisions become a ``Plan``. Pure and deterministic.

``select`` keeps, swaps and holds back items; ``dose`` makes each kept item a plan item;
``moves`` steps items back or up their ladders on the session logs and lists what the logs
changed; ``budget`` fits the timed items into the minutes a day; ``order`` sorts each section;
``safety`` writes the safety messages; ``parts`` holds the plan's typed parts and what they take
from the knowledge alone; ``schedule`` lays the routine out over the weeks.
"""

from __future__ import annotations

from collections.abc import Collection

from footmap._compose.budget import ROUTINE, fit_budget, over_budget
from footmap._compose.dose import known_dose_words, plan_item
from footmap._compose.moves import LogDates, Moves, dropped, move, referrals, shortened
from footmap._compose.order import grouped_left_out, ordered
from footmap._compose.parts import ItemData, KnowledgeParts, knowledge_parts
from footmap._compose.safety import safety_messages, safety_net
from footmap._compose.schedule import ScheduleData, lay_out
from footmap._compose.select import (
    by_effect,
    by_target,
    choose,
    hold_back_for_assessment,
    triage,
    withhold_all,
)
from footmap._compose.tables import plan_tables
from footmap._kinds import SECTIONS, Section, item_kind
from footmap._knowledge import schema
from footmap._plan import DEFAULT_WEEKS, Plan, Schedule
from footmap._rules.engine import Decisions


def compose(decisions: Decisions, *, weeks: int = DEFAULT_WEEKS) -> Plan:
    """Drop or swap excluded items, apply adjustments and cautions, fit the time budget, order, and
    lay the routine out over ``weeks`` weeks."""
    candidates = decisions.candidates
    knowledge, budget = candidates.knowledge, candidates.profile.minutes_per_day
    parts = knowledge_parts(knowledge)
    effects = by_effect(decisions.effects)
    level = triage(effects["refer"])
    excluded_by = by_target(effects["exclude"])
    if level == "see_clinician":
        hold_back_for_assessment(excluded_by, parts, candidates.items, effects["refer"])
    drafts, left_out = choose(parts, candidates.paths, excluded_by)
    dates = LogDates(candidates.logs, candidates.profile.symptoms)
    allowed = [ident for ident in candidates.items if ident not in excluded_by]
    moving = level != "urgent"  # an urgent plan keeps no items to move
    regress, progress = (by_target(effects[kind]) if moving else {} for kind in ("regress", "progress"))
    moves = move(drafts, parts, allowed, regress, progress, dates)
    left_out += moves.left_out
    if level == "urgent":
        left_out += withhold_all(parts, drafts, effects["refer"])
        drafts = {}
    if level != "self_care":  # never reassure beside a red flag
        effects["caution"] = [c for c in effects["caution"] if c.rule not in parts.reassuring_rules]
    cautions, adjusts = by_target(effects["caution"]), by_target(effects["adjust"])
    reassure = level == "self_care"
    items = [
        plan_item(
            draft,
            parts,
            cautions.get(ident, []),
            adjusts.get(ident, []),
            reassure=reassure,
            start=start.dose if (start := moves.starts.get(ident)) else None,
            start_minutes=start.minutes if start else None,
        )
        for ident, draft in sorted(drafts.items())
    ]
    timed, untimed = fit_budget([item for item in items if _timed(item)], budget)
    left_out += [over_budget(item, budget, parts.wording.compose) for item in untimed]
    kept = [*timed, *(item for item in items if not _timed(item))]
    in_plan = {item["id"] for item in kept}
    changes = [
        *referrals(effects["refer"], parts, dates),
        *moves.changes,
        *dropped(left_out, effects["exclude"], parts, dates),
        *shortened(
            kept, adjusts, _own_words([i for i in kept if i["id"] in adjusts], parts, moves), dates, parts
        ),
    ]
    by_section: dict[Section, list[ItemData]] = {section: [] for section in SECTIONS}
    for item in kept:
        by_section[item_kind(item["kind"]).section].append(item)
    sections = {section: ordered(section, section_items) for section, section_items in by_section.items()}
    nets = safety_net(parts, effects["safety_net"]) if level != "urgent" else []
    messages = safety_messages(parts, effects["refer"], effects["caution"], in_plan)
    schedule, validated_schedule = _schedule(
        parts,
        sections[ROUTINE],
        other_minutes=sum(item["minutes"] for item in timed if item not in sections[ROUTINE]),
        budget=budget,
        weeks=weeks,
        progress=level == "self_care",
        positions={ident: start.position for ident, start in moves.starts.items()},
        held=moves.held,
    )
    cited = [*(m["source"] for m in [*nets, *messages, *changes]), *(e["source"] for e in left_out)]
    cited += [note["source"] for note in schedule["notes"]]
    shared = parts.shared
    return Plan.model_validate(
        {
            "triage": level,
            "safety_net": list(map(shared.safety_net_sign, nets)),
            "safety": list(map(shared.safety_message, messages)),
            **{section: list(map(parts.validated_item, items)) for section, items in sections.items()},
            "left_out": list(map(shared.left_out, grouped_left_out(left_out))),
            "schedule": validated_schedule,
            "minutes_per_day": round(sum(item["minutes"] for item in timed), 2),
            "budget_minutes": budget,
            "disclaimer": parts.wording.disclaimer,
            "knowledge": knowledge.fingerprint,
            "profile": candidates.profile.model_dump(mode="json", exclude_defaults=True),
            "changes": sorted(changes, key=lambda c: (c["item"] or "", c["change"], c["rule"])),
            **plan_tables(parts, kept, cited),
        }
    )


def _schedule(
    parts: KnowledgeParts,
    routine: list[ItemData],
    *,
    other_minutes: float,
    budget: int,
    weeks: int,
    progress: bool,
    positions: dict[str, int],
    held: Collection[str],
) -> tuple[ScheduleData, Schedule]:
    """The schedule (``lay_out``) and its ``Schedule``, validated, its parts shared: worked out
    once for the same routine items (the same dicts: kept items recur from plan to plan),
    minutes, budget, weeks and ladder positions, and kept in the knowledge's parts (bounded)."""
    key = (
        len(routine),
        *map(id, routine),
        other_minutes,
        budget,
        weeks,
        progress,
        *sorted(positions.items()),
        None,
        *sorted(held),
    )
    known = parts.schedules.get(key)
    if known is not None and all(a is b for a, b in zip(known[0], routine, strict=True)):
        return known[1], known[2]
    schedule = lay_out(
        routine,
        other_minutes=other_minutes,
        budget=budget,
        weeks=weeks,
        progressions=parts.knowledge.knowledge.progressions,
        exercises=parts.exercises,
        progress=progress,
        positions=positions,
        held=held,
        ladders=parts.ladders,
    )
    fields = parts.shared.schedule(schedule)
    if len(parts.schedules) >= parts.ITEM_LIMIT:
        parts.schedules.clear()
    parts.schedules[key] = (list(routine), schedule, fields)
    return schedule, fields


def _own_words(items: list[ItemData], parts: KnowledgeParts, moves: Moves) -> dict[str, str]:
    """Each exercise's dose in words before any adjustment (at the step it starts at): what a
    ``shortened`` change says it was (so only the items a rule adjusted need it)."""
    words: dict[str, str] = {}
    for item in items:
        exercise = parts.knowledge.items[item["id"]]
        if isinstance(exercise, schema.Exercise):
            start = moves.starts.get(item["id"])
            words[item["id"]] = known_dose_words(
                parts, exercise, start.dose if start else schema.own_dose(exercise)
            )
    return words


def _timed(item: ItemData) -> bool:
    return item_kind(item["kind"]).timed
