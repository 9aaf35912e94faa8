"""Moves along the ladders that the session logs ask for, and the list of what the logs changed.

An item with a ``regress`` effect starts one step down its ladder (``knowledge/progressions.yaml``):
the next easier step's dose, or its variant when that variant is a candidate no rule excludes; an
item without an easier step it may take is dropped, and its first allowed alternative offered in
its place (as an exclusion swaps), with the rule's message as the reason. An item with a
``progress`` effect and no ``regress`` starts one step up. Regress always wins.

Every such move, every referral the logs caused and every dose a log rule shortened becomes a
``Change`` with the dates of the log entries behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from footmap._compose.dose import known_dose_words
from footmap._compose.parts import SWAP_EVIDENCE, ExcludedData, ItemData, KnowledgeParts, ReasonData, excluded
from footmap._compose.select import Draft, triage
from footmap._facts import logs_doing
from footmap._input.logs import SessionLog
from footmap._kinds import COMPLAINT_LOG_FACT, ITEM_LOG_FACT, LOG_FACTS, PROGRAMME_FACT
from footmap._knowledge import schema
from footmap._knowledge.base import Item
from footmap._plan import ChangeKind
from footmap._rules.effects import Effect, reported


class ChangeData(TypedDict):
    """A ``Change``."""

    item: str | None
    change: ChangeKind
    before: str
    after: str
    rule: str
    source: str
    dates: list[str]


@dataclass(frozen=True)
class Start:
    """Where an item moved along its own ladder starts: its position, whole dose, minutes a day."""

    position: int
    dose: dict[str, int]
    minutes: float


@dataclass
class Moves:
    """What the moves decided: each item's new start on its own ladder, the items whose
    progression is not planned on (stepped back, or standing in for one that was), the items left
    out, and the changes."""

    starts: dict[str, Start]
    held: set[str]
    left_out: list[ExcludedData]
    changes: list[ChangeData]


class LogDates:
    """The dates of the log entries behind a rule's matched facts."""

    def __init__(self, logs: Sequence[SessionLog], profile_symptoms: Iterable[str]) -> None:
        self._logs = logs
        self._profile_symptoms = frozenset(profile_symptoms)
        #: Whether there are logs at all (without, no fact comes from them).
        self.logged = bool(logs)

    def from_logs(self, description: str) -> bool:
        """Whether a matched fact comes from the logs (a log fact, or a symptom only a log has)."""
        if not self.logged:
            return False
        kind, _, key = description.partition(":")
        if kind in LOG_FACTS:
            return True
        return kind == "symptom" and key not in self._profile_symptoms and self.of(description) != []

    def of(self, description: str) -> list[str]:
        """The dates a matched fact comes from (none for a fact of the profile alone)."""
        kind, _, key = description.partition(":")
        if kind == ITEM_LOG_FACT:
            logs = logs_doing(key, self._logs)
        elif kind == COMPLAINT_LOG_FACT:
            logs = [log for log in self._logs if any(pain.area == key for pain in log.pain)]
        elif kind == PROGRAMME_FACT:
            logs = list(self._logs)
        elif kind == "symptom" and key not in self._profile_symptoms:
            logs = [log for log in self._logs if key in log.new_symptoms]
        else:
            logs = []
        return [log.date.isoformat() for log in logs]

    def behind(self, effect: Effect) -> list[str]:
        """Every date behind an effect's matched facts, sorted, each once."""
        return sorted({day for fact in effect.matched for day in self.of(fact)})


def move(
    drafts: dict[str, Draft],
    parts: KnowledgeParts,
    allowed: Iterable[str],
    regress_by: Mapping[str, Sequence[Effect]],
    progress_by: Mapping[str, Sequence[Effect]],
    dates: LogDates,
) -> Moves:
    """Move each item the logs ask to move, in place in ``drafts`` (a swap replaces the draft)."""
    exercises = parts.exercises
    free = set(allowed)
    moves = Moves({}, set(), [], [])
    if not regress_by and not progress_by:  # nothing asks to move
        return moves
    for ident in sorted(drafts):
        draft = drafts.get(ident)
        exercise = exercises.get(ident)
        if draft is None or exercise is None or ident in moves.held:
            continue
        if regress_by.get(ident):
            _step(
                drafts, draft, exercise, exercises, parts, free, min(regress_by[ident]), "down", dates, moves
            )
        elif progress_by.get(ident):
            _step(
                drafts, draft, exercise, exercises, parts, free, min(progress_by[ident]), "up", dates, moves
            )
    return moves


def _step(
    drafts: dict[str, Draft],
    draft: Draft,
    exercise: schema.Exercise,
    exercises: Mapping[str, schema.Exercise],
    parts: KnowledgeParts,
    free: set[str],
    effect: Effect,
    way: schema.Move,
    dates: LogDates,
    moves: Moves,
) -> None:
    ladder = parts.knowledge.knowledge.progressions.ladder(exercise.id)
    rungs = schema.climb(ladder, exercises, way) if ladder is not None else []
    down = way == "down"
    kind: ChangeKind = "regressed" if down else "progressed"
    own = _words(parts, exercise, schema.own_dose(exercise))
    for rung in rungs if down else rungs[:1]:
        if rung.item == exercise.id:
            moves.starts[exercise.id] = Start(rung.position, dict(rung.dose), rung.minutes)
            if down:
                moves.held.add(exercise.id)
            draft.reasons.append(_reason(parts, effect))
            after = _words(parts, exercise, rung.dose)
            moves.changes.append(_change(exercise.id, kind, own, after, effect, dates))
            return
        if rung.item in free and rung.item not in drafts:
            variant = exercises[rung.item]
            _swap(drafts, draft, variant, parts, effect, moves)
            if down:
                moves.held.add(variant.id)
            words = _words(parts, variant, schema.own_dose(variant))
            after = f"{variant.name}: {words[:1].lower()}{words[1:]}"
            moves.changes.append(_change(exercise.id, kind, own, after, effect, dates))
            return
    if not down:
        return
    alternative = next((a for a in exercise.alternatives if a in free and a not in drafts), None)
    if alternative is not None:
        _swap(drafts, draft, parts.knowledge.items[alternative], parts, effect, moves)
        moves.held.add(alternative)
        after = parts.knowledge.items[alternative].name
    else:
        del drafts[exercise.id]
        moves.left_out.append(excluded(exercise, effect.message, effect.rule, effect.source))
        after = ""
    moves.changes.append(_change(exercise.id, "dropped", own, after, effect, dates))


def _swap(
    drafts: dict[str, Draft],
    draft: Draft,
    replacement: Item,
    parts: KnowledgeParts,
    effect: Effect,
    moves: Moves,
) -> None:
    """The replacement stands in for the draft's item, with the draft's reasons and the rule's."""
    item = draft.item
    ident = replacement.id
    del drafts[item.id]
    moves.left_out.append(excluded(item, effect.message, effect.rule, effect.source, ident))
    swapped: ReasonData = {
        **_reason(parts, effect),
        "summary": parts.wording.compose.swapped_in.format(name=item.name, reason=effect.message),
    }
    drafts[ident] = Draft(
        parts.knowledge.items[ident], parts.knowledge.item_kinds[ident], [*draft.reasons, swapped], item.id
    )


def _reason(parts: KnowledgeParts, effect: Effect) -> ReasonData:
    facts = reported(effect.matched)
    return {
        "summary": effect.message,
        "fact": ", ".join(facts) or "knowledge",
        "path": [],
        "links": [],
        "step_evidence": [],
        "rule": effect.rule,
        "evidence": SWAP_EVIDENCE,
        "source": effect.source,
    }


def _words(parts: KnowledgeParts, exercise: schema.Exercise, dose: Mapping[str, int]) -> str:
    return known_dose_words(parts, exercise, dose)


def _change(
    item: str | None,
    kind: ChangeKind,
    before: str,
    after: str,
    effect: Effect,
    dates: LogDates,
) -> ChangeData:
    return {
        "item": item,
        "change": kind,
        "before": before,
        "after": after,
        "rule": effect.rule,
        "source": effect.source,
        "dates": dates.behind(effect),
    }


def referrals(refers: Sequence[Effect], parts: KnowledgeParts, dates: LogDates) -> list[ChangeData]:
    """A ``referred`` change for each referral the logs caused: from the triage the plan would
    have without them to the referral's level; the complaint it names, if any."""
    if not dates.logged:
        return []
    from_logs = [e for e in refers if any(dates.from_logs(fact) for fact in e.matched)]
    if not from_logs:
        return []
    before = triage([e for e in refers if e not in from_logs])
    changes: dict[tuple[str, str | None], ChangeData] = {}
    for effect in sorted(from_logs):
        complaint = next(
            (f.partition(":")[2] for f in effect.matched if f.startswith(f"{COMPLAINT_LOG_FACT}:")), None
        )
        level = effect.level or "self_care"
        if schema.TRIAGE_ORDER.index(level) <= schema.TRIAGE_ORDER.index(before):
            continue
        changes.setdefault(
            (effect.rule, complaint), _change(complaint, "referred", before, level, effect, dates)
        )
    return list(changes.values())


def dropped(
    left_out: Iterable[ExcludedData], excludes: Sequence[Effect], parts: KnowledgeParts, dates: LogDates
) -> list[ChangeData]:
    """A ``dropped`` change for each item a rule on the logs left out (``exclude``)."""
    if not dates.logged:
        return []
    by_logs = {
        (e.target, e.rule): e for e in sorted(excludes) if any(dates.from_logs(fact) for fact in e.matched)
    }
    changes: list[ChangeData] = []
    for entry in left_out:
        effect = by_logs.get((entry["id"], entry["rule"] or ""))
        if effect is None:
            continue
        item = parts.knowledge.items[entry["id"]]
        before = (
            _words(parts, item, schema.own_dose(item)) if isinstance(item, schema.Exercise) else item.name
        )
        replacement = entry["replaced_by"]
        after = parts.knowledge.items[replacement].name if replacement else ""
        changes.append(_change(entry["id"], "dropped", before, after, effect, dates))
    return changes


def shortened(
    items: Iterable[ItemData],
    adjusts: Mapping[str, Sequence[Effect]],
    before: Mapping[str, str],
    dates: LogDates,
    parts: KnowledgeParts,
) -> list[ChangeData]:
    """A ``shortened`` change for each item whose dose a rule on the logs reduced."""
    if not dates.logged:
        return []
    changes: list[ChangeData] = []
    for item in items:
        dosage = item["dosage"]
        from_logs = [
            e for e in adjusts.get(item["id"], ()) if any(dates.from_logs(fact) for fact in e.matched)
        ]
        if dosage is None or not from_logs:
            continue
        effect = min(from_logs)
        changes.append(_change(item["id"], "shortened", before[item["id"]], dosage["words"], effect, dates))
    return changes
