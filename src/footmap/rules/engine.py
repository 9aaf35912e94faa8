"""An isolated durable-rules engine: one private ruleset per knowledge base, one clean session.

durable-rules keeps rulesets in a process-wide host that refuses a second registration of a name,
starts timer threads that race callers for pending actions, holds at most 1,024 live sessions and
swallows exceptions raised in actions (see NOTES-durable-rules.md). This module sidesteps each:
it builds its ``Ruleset`` directly (no host, no timer threads, any number of knowledge bases in
one process), serialises calls with a lock (the C extension holds the GIL anyway), and records
matches in Python instead of the session state, so an action is a single list append.

Sessions: ``delete_state`` on a session that holds a partly matched rule (a join still waiting
for its second fact, which almost every profile leaves) corrupts durable-rules' heap: "free():
invalid pointer" or a segfault, measured here on 2.0.28. So each run asserts its facts into one
long-lived session and retracts exactly those facts afterwards, which leaves the session empty
(checked over 12,000 runs) and never approaches the 1,024-session limit. A run that fails half
way moves on to a fresh session id, so a dirty session is never reused.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine
from durable.engine import Ruleset

from footmap.errors import RuleEngineError
from footmap.knowledge import schema
from footmap.rules.compile import CompiledRule, durable_definition
from footmap.rules.facts import Fact
from footmap.rules.match import Bindings, no_fact_fits

__all__ = ["Effect", "RuleEngine"]

_ruleset_names = itertools.count(1)
_durable_lock = threading.Lock()


@dataclass(frozen=True, order=True)
class Effect:
    """What one rule decided for one match: the trace an explanation reads."""

    rule: str
    effect: schema.Effect
    target: str | None
    level: schema.TriageLevel | None
    message: str
    source: str
    scale: float | None
    matched: tuple[str, ...]


def describe_fact(fact: dict[str, Any]) -> str:
    """A short, stable description of a matched fact, such as ``pain:back`` or ``person``."""
    fact_type = fact.get("t", "?")
    if fact_type == "need":
        return f"need:{fact.get('item')}:{fact.get('equipment')}"
    key = fact.get("key")
    return f"{fact_type}:{key}" if key is not None else str(fact_type)


class RuleEngine:
    """Runs compiled rules over facts and returns the effects, sorted."""

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self.rules = tuple(rules)
        self._lock = threading.Lock()
        self._matches: list[tuple[int, tuple[str, ...], str | None, Bindings]] = []
        self._errors: list[str] = []
        self._sessions = itertools.count(1)
        self._sid = str(next(self._sessions))
        actions = [self._action(index, rule) for index, rule in enumerate(self.rules)]
        definition = durable_definition(list(self.rules), actions)
        with _durable_lock:
            self._ruleset = Ruleset(f"footmap_{next(_ruleset_names)}", None, definition)
        # The C ruleset is never freed by durable-rules itself.
        weakref.finalize(self, durable_rules_engine.delete_ruleset, self._ruleset._handle)

    def _action(self, index: int, rule: CompiledRule) -> Any:
        target = rule.target

        def record(closure: Any) -> None:
            try:
                bindings = closure._m or {}
                matched = tuple(sorted(describe_fact(fact) for fact in bindings.values()))
                item = bindings[target]["key"] if target is not None else None
                kept = dict(bindings) if rule.absent else {}
                self._matches.append((index, matched, item, kept))
            except Exception as error:  # durable-rules would swallow it: keep it to raise later
                self._errors.append(f"rule {rule.id!r}: {error!r}")

        return record

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """Assert the facts, collect every rule match, retract the facts; effects come sorted."""
        if not facts:
            return []
        with self._lock:
            batch = [{**fact, "sid": self._sid, "id": number} for number, fact in enumerate(facts)]
            self._matches, self._errors = [], []
            try:
                self._apply(self._ruleset.assert_facts, batch)
                matches, errors = self._matches, self._errors
            finally:
                self._clear(batch)
        if errors:
            raise RuleEngineError("a rule action failed: " + "; ".join(errors))
        return sorted({
            self._effect(index, matched, item)
            for index, matched, item, bound in matches
            if all(no_fact_fits(p, facts, bound) for p in self.rules[index].absent)
        })

    def _clear(self, batch: list[Fact]) -> None:
        """Retract the run's facts; if that fails, never use this session again."""
        try:
            self._apply(self._ruleset.retract_facts, batch)
        except RuleEngineError:
            self._sid = str(next(self._sessions))
        self._matches, self._errors = [], []

    def _apply(self, operation: Any, batch: list[Fact]) -> None:
        outcome: list[Any] = []
        try:
            handle = operation(batch)
            self._ruleset.do_actions(handle, lambda error, state: outcome.append(error))
        except Exception as error:
            raise RuleEngineError(f"the rule engine rejected the facts: {error!r}") from error
        if outcome and outcome[0] is not None:
            raise RuleEngineError(f"the rule engine failed: {outcome[0]!r}")

    def _effect(self, index: int, matched: tuple[str, ...], item: str | None) -> Effect:
        rule = self.rules[index]
        return Effect(rule.id, rule.effect, item, rule.level, rule.message, rule.source,
                      rule.scale, matched)
