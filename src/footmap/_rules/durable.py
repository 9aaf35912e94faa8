"""An isolated durable-rules engine: one private ruleset per knowledge base, one clean session.

durable-rules keeps rulesets in a process-wide host that refuses a second registration of a name,
starts timer threads that race callers for pending actions, holds at most 1,024 live sessions and
swallows exceptions raised in actions (see NOTES-durable-rules.md). This module sidesteps each:
it creates its ruleset through the C extension directly (no host, no timer threads, any number
of knowledge bases in one process) and serialises calls with a lock (the C extension holds the
GIL anyway).

The lean path: durable's own Python layer (``durable.engine.Ruleset.do_actions``) wraps every rule
match in a ``Closure`` and a ``Promise``, runs the action, then JSON-encodes the whole session
state back into C (``update_state``) before asking for the next match, which made actions cost
many times C matching (figures in ``docs/performance.md``). footmap's actions never change the
state, and the C side's ``complete_and_start_action`` does not need ``update_state`` (read in
``src/rules/events.c`` of 2.0.28), so :meth:`RuleEngine.run` drains the matches itself: each step
only appends the match's JSON to a list; the effects are built in Python after the run, where an
error is raised, not swallowed. The facts are JSON-encoded once, for both the assert and the
retract.

Sessions: ``delete_state`` on a session that holds a partly matched rule (a join still waiting
for its second fact, which almost every profile leaves) corrupts durable-rules' heap: "free():
invalid pointer" or a segfault, measured here on 2.0.28. So each run asserts its facts into one
long-lived session and retracts exactly those facts afterwards, which leaves the session empty
(checked over 12,000 runs) and never approaches the 1,024-session limit. A run that fails half
way moves on to a fresh session id, so a dirty session is never reused.

Facts and the definition are written by :func:`~footmap._rules.compile.durable_json`: its JSON
parser crashes on ``1e-05`` (an exponent without a decimal point), and it compares an integer
with a float as two doubles, so a fact holding an integer beyond 2**53 (or infinity, NaN) runs on
the reference evaluator instead, which has the same meaning (``docs/knowledge.md``, "What a rule
means"). Rules joining more than :data:`~footmap._rules.compile.DURABLE_MAX_JOIN` patterns are
refused: durable-rules corrupts its heap on them.

durable-rules 2.0.28 cannot be imported on Python 3.13 or later (``PyEval_CallObject`` was
removed); :data:`DURABLE_IMPORT_ERROR` then says why, and :mod:`footmap._rules.engine` falls back
to the plain-Python :class:`~footmap._rules.reference.ReferenceEngine`.
"""

from __future__ import annotations

import itertools
import json
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from footmap._errors import RuleEngineError
from footmap._facts import Fact
from footmap._rules.compile import (
    DURABLE_MAX_CHILDREN,
    DURABLE_MAX_JOIN,
    EXACT_INT_RANGE,
    CompiledRule,
    durable_conditions,
    durable_definition,
    durable_fan_out,
    durable_join_width,
    durable_json,
    durable_name,
    key_flags,
)
from footmap._rules.effects import Effect, describe_fact, sorted_effects
from footmap._rules.match import compile_pattern
from footmap._rules.reference import ReferenceEngine

try:  # durable-rules 2.0.28 builds on Python 3.13 but fails to import there
    import durable_rules_engine as _durable
except ImportError as error:
    _durable = None
    #: Why durable-rules cannot be imported here, or ``None`` when it can.
    DURABLE_IMPORT_ERROR: str | None = f"{type(error).__name__}: {error}"
else:
    DURABLE_IMPORT_ERROR = None

_ruleset_names = itertools.count(1)
_durable_lock = threading.Lock()
#: durable-rules' result codes for an assert or retract (``src/rules/rules.h``).
_NOT_HANDLED, _OBSERVED, _DEFERRED = 1, 2, 3


class RuleEngine:
    """Runs compiled rules over facts with durable-rules and returns the effects, sorted."""

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        if _durable is None:
            raise RuleEngineError(f"durable-rules cannot be imported here ({DURABLE_IMPORT_ERROR})")
        self.rules = tuple(rules)
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._sid = "1"
        self._index = {
            durable_name(index, branch): index
            for index, rule in enumerate(self.rules)
            for branch in range(len(durable_conditions(rule.condition)))
        }
        self._reference: ReferenceEngine | None = None
        self._absent = [tuple(compile_pattern(p) for p in rule.absent) for rule in self.rules]
        definition = durable_definition(list(self.rules))
        fan_out = durable_fan_out(definition)
        if fan_out >= DURABLE_MAX_CHILDREN:
            raise RuleEngineError(
                f"these rules give a node of durable-rules' network {fan_out} children;"
                f" durable-rules 2.0.28 hangs at {DURABLE_MAX_CHILDREN}"
            )
        width = durable_join_width({name: rule for name, rule in definition.items() if name != "sentinel"})
        if width > DURABLE_MAX_JOIN:
            raise RuleEngineError(
                f"a rule joins {width} patterns; durable-rules 2.0.28 corrupts its heap on joins"
                f" of more than {DURABLE_MAX_JOIN}"
            )
        self._flags: dict[str, dict[str, bool]] = {}
        try:
            with _durable_lock:
                self._handle = _durable.create_ruleset(
                    f"footmap_{next(_ruleset_names)}", durable_json(definition)
                )
        except Exception as error:  # its limits: ERR_RULE_LIMIT_EXCEEDED (106) and others
            raise RuleEngineError(f"durable-rules cannot hold these rules: {error}") from error
        # The C ruleset is never freed by durable-rules itself.
        weakref.finalize(self, _durable.delete_ruleset, self._handle)

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """Assert the facts, collect every rule match, retract the facts; effects come sorted."""
        if not facts:
            return []
        with self._lock:
            sid = self._sid
            batch = _batch_text([self._asserted(fact, sid, number) for number, fact in enumerate(facts)])
            if batch is None:
                return self._run_exactly(facts)
            try:
                raw = self._drain(_durable.assert_facts(self._handle, batch))
            except Exception:
                self._sid = str(next(self._sessions))  # never reuse a session left dirty
                raise
            finally:
                self._retract(batch)
        return self._effects(raw, facts)

    def _run_exactly(self, facts: Sequence[Fact]) -> list[Effect]:
        """The effects over facts holding a number durable-rules cannot hold exactly (an integer
        beyond 2**53, infinity, NaN): the reference evaluator's, which has the same semantics."""
        if self._reference is None:
            sources = [rule.rule for rule in self.rules]
            if any(source is None for source in sources):
                raise RuleEngineError("a fact holds a number durable-rules cannot compare exactly")
            self._reference = ReferenceEngine([source for source in sources if source is not None])
        return self._reference.run(facts)

    def _asserted(self, fact: Fact, sid: str, number: int) -> dict[str, object]:
        """The fact as durable-rules gets it: with its key's flags, in the session, and numbered
        by its position (its ``id``, by which a match finds the fact again)."""
        key = fact.get("key")
        if not isinstance(key, str):
            return {**fact, "sid": sid, "id": number}
        flags = self._flags.get(key)
        if flags is None:
            flags = self._flags[key] = dict.fromkeys(key_flags(key), True)
        return {**fact, **flags, "sid": sid, "id": number}

    def _drain(self, result: Any) -> list[str]:
        """Every pending match of the session, as durable-rules' JSON (one append per match)."""
        raw: list[str] = []
        try:
            state = self._state(result)
            started = _durable.start_action_for_state(self._handle, state)
            message = started[1] if started else None
            while message:
                raw.append(message)
                message = _durable.complete_and_start_action(self._handle, state)
        except RuleEngineError:
            raise
        except Exception as error:
            raise RuleEngineError(f"the rule engine failed: {error!r}") from error
        return raw

    @staticmethod
    def _state(result: Any) -> Any:
        """The session's state handle, as ``durable.engine.Ruleset._handle_result`` reads it."""
        code = result[0]
        if code == _NOT_HANDLED:
            raise RuleEngineError("the rule engine rejected the facts: a fact matched no rule")
        if code == _OBSERVED:
            raise RuleEngineError("the rule engine rejected the facts: a fact was already asserted")
        return 0 if code == _DEFERRED else result[1]

    def _retract(self, batch: str) -> None:
        """Retract the run's facts; if that fails, never use this session again."""
        try:
            self._drain(_durable.retract_facts(self._handle, batch))
        except Exception:
            self._sid = str(next(self._sessions))

    def _effects(self, raw: list[str], facts: Sequence[Fact]) -> list[Effect]:
        """Build the effects of the matches in Python, checking ``absent`` patterns here."""
        effects: set[Effect] = set()
        errors: list[str] = []
        described = [describe_fact(fact) for fact in facts]
        for message in json.loads("[" + ",".join(raw) + "]"):
            for name, bound in message.items():
                index = self._index[name]
                rule = self.rules[index]
                try:
                    ids = {binding: fact["id"] for binding, fact in bound.items()}
                    if self._absent[index]:
                        bindings = {binding: facts[i] for binding, i in ids.items()}
                        if not all(m.none_fits(facts, bindings) for m in self._absent[index]):
                            continue
                    head = rule.head
                    target = str(facts[ids[head.target]]["key"]) if head.target is not None else None
                    matched = tuple(sorted([described[i] for i in ids.values()]))
                    effects.add(head.effect_for(target, matched))
                except Exception as error:
                    errors.append(f"rule {rule.id!r}: {error!r}")
        if errors:
            raise RuleEngineError("a rule match could not be read: " + "; ".join(errors))
        return sorted_effects(effects)


def _batch_text(facts: list[dict[str, object]]) -> str | None:
    """The facts as one JSON array durable-rules reads back exactly (``None`` if none exists).

    A whole float is written as its integer (as :func:`~footmap._rules.compile.number_text`
    does), so that most runs hold no float and are encoded by one ``json.dumps`` call; the facts
    are the run's own copies (``_asserted``), so this changes nothing outside.
    """
    low, high = EXACT_INT_RANGE
    plain = True
    for fact in facts:
        for name, value in fact.items():
            if type(value) is float:
                if value.is_integer() and low <= value <= high:
                    fact[name] = int(value)
                else:
                    plain = False
            elif type(value) is int and not low <= value <= high:
                plain = False
    if plain:
        return json.dumps(facts, ensure_ascii=False)
    texts = [_fact_text(fact) for fact in facts]
    if None in texts:
        return None
    return "[" + ", ".join(text for text in texts if text is not None) + "]"


def _fact_text(fact: dict[str, object]) -> str | None:
    """A fact as JSON that durable-rules reads back exactly (``None`` if no such text exists).

    ``json.dumps`` writes ``1e-05`` for a float, which durable-rules' parser refuses or crashes on
    (see :func:`footmap._rules.compile.number_text`); facts with a float, or an integer beyond 2**53,
    are written by :func:`footmap._rules.compile.durable_json` instead.
    """
    low, high = EXACT_INT_RANGE
    for value in fact.values():
        if isinstance(value, float) or (isinstance(value, int) and not low <= value <= high):
            break
    else:
        return json.dumps(fact, ensure_ascii=False)
    try:
        return durable_json(fact)
    except ValueError:
        return None
