"""The durable-rules peer: footmap's rules as one durable-rules ruleset, joins in durable-rules itself.

Each branch (:mod:`peers_rules`) is one durable-rules rule written as a user of durable-rules
writes it (the JSON ``durable.lang`` produces): ``all`` of one named pattern per bound pattern,
``{"t": ...}``, ``{"key": ...}`` and the checks as its tests, a ``ref`` as
``{field: {binding: field}}``, ``cap`` so a rule hands over all its matches in one action. It is
run through the C extension (``durable_rules_engine``) as ``durable.engine`` runs it, without
its host's timer threads: assert a run's facts (numbered by ``id``) in a new session, take every
pending action, read the matches' ``id`` s back.

durable-rules 2.0.28 cannot retract the facts of a completed join without corrupting its heap,
and ``delete_state`` on a session with a partial join does too (NOTES-durable-rules.md), so no
session is ever retracted or deleted; a ruleset holds at most 1,024 sessions, so a new copy of
the ruleset is made every 1,000 runs. All of it happens in a fresh process (``direct_peers``),
so that its leaked sessions and a crash stay out of the benchmark's process.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from peers_rules import Branch, Match, PeerPattern, branches, effects

from footmap._facts import Fact
from footmap._knowledge import schema
from footmap._rules.compile import durable_json
from footmap._rules.effects import Effect

_COMPARISONS = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
#: Sessions per copy of the ruleset (durable-rules refuses the 1,025th).
_SESSIONS_PER_RULESET = 1_000
_CAP = 1_000_000
#: The most patterns of a rule durable-rules 2.0.28 joins without corrupting its heap.
MOST_PATTERNS = 3
_NEVER = "__never__"
_TIMEOUT = 600


def pattern_json(pattern: PeerPattern, names: dict[str, str]) -> dict[str, Any]:
    """A pattern's tests as durable-rules' JSON; ``names``: each earlier binding's durable-rules
    name (an ``absent`` pattern is the same tests, named ``<name>$not``: see :func:`ruleset`)."""
    tests: list[dict[str, Any]] = [{"t": pattern.fact}]
    if pattern.key is not None:
        tests.append({"key": pattern.key})
    for name, operator, operand in pattern.checks:
        if operator == "eq":
            tests.append({name: operand})
        elif operator == "one_of":
            tests.append({"$or": [{name: one} for one in operand]})
        else:  # a missing field never holds: durable-rules' $neq holds on one
            tests += [{"$ex": {name: 1}}, {_COMPARISONS[operator]: {name: operand}}]
    tests += [{name: {names[binding]: field}} for name, binding, field in pattern.refs]
    return {"$and": tests}


def ruleset(all_branches: Sequence[Branch], fact_types: Sequence[str]) -> dict[str, Any]:
    """The ruleset definition: rule ``r<n>`` is branch ``n``, and a sentinel that never fires but
    mentions every fact type (durable-rules rejects a whole batch when one fact matches no rule).

    An ``absent`` pattern is durable-rules' own ``$not`` (what ``durable.lang``'s ``none`` writes),
    which it decides when the positive facts arrive: a fact that fits it later in the same batch
    does not stop the rule (NOTES-durable-rules.md), so the table times the rules without one.
    """
    definition: dict[str, Any] = {}
    for number, branch in enumerate(all_branches):
        if len(branch.patterns) > MOST_PATTERNS:
            raise ValueError(f"{branch.head.id}: durable-rules corrupts its heap on joins of more than 3")
        names = {pattern.name: f"b{place}" for place, pattern in enumerate(branch.patterns)}
        patterns = [
            {names[pattern.name] + ("$not" if pattern.absent else ""): pattern_json(pattern, names)}
            for pattern in branch.patterns
        ]
        definition[f"r{number}"] = {"all": patterns, "cap": _CAP}
    every_type = [{"t": fact_type} for fact_type in sorted(fact_types)]
    definition["sentinel"] = {"all": [{"m": {"$or": every_type}}, {"never": {"t": _NEVER}}]}
    return definition


class DirectDurable:
    """Runs one durable-rules ruleset holding the joins; a new session per run, never retracted."""

    def __init__(self, all_branches: Sequence[Branch], fact_types: Sequence[str]) -> None:
        import durable_rules_engine

        self.engine = durable_rules_engine
        self.branches = list(all_branches)
        self.text = durable_json(ruleset(self.branches, fact_types))
        self._copies = itertools.count()
        self._sessions = itertools.count()
        self._handle = self._new_copy()

    def _new_copy(self) -> Any:
        return self.engine.create_ruleset(f"peers_{next(self._copies)}", self.text)

    def matches(self, facts: Sequence[Fact]) -> list[Match]:
        """Every match of every branch over the facts."""
        if not facts:  # durable-rules 2.0.28 crashes on an empty batch (measured)
            return []
        session = next(self._sessions)
        if session and session % _SESSIONS_PER_RULESET == 0:
            self._handle = self._new_copy()
        sid = str(session)
        batch = (
            "[" + ", ".join(durable_json({"id": n, "sid": sid, **fact}) for n, fact in enumerate(facts)) + "]"
        )
        result = self.engine.assert_facts(self._handle, batch)
        if result[0] not in (0, 3):
            raise RuntimeError(f"durable-rules refused the facts (code {result[0]})")
        state = 0 if result[0] == 3 else result[1]
        found: list[Match] = []
        started = self.engine.start_action_for_state(self._handle, state)
        message = started[1] if started else None
        while message:
            found += self._read(json.loads(message), facts)
            message = self.engine.complete_and_start_action(self._handle, state)
        return found

    def _read(self, message: dict[str, Any], facts: Sequence[Fact]) -> list[Match]:
        """The matches of one action: ``{"r<n>": [{"b0": fact, ...}, ...]}``."""
        found: list[Match] = []
        for rule, bound in message.items():
            number = int(rule[1:])
            names = [
                (f"b{place}", p.name)
                for place, p in enumerate(self.branches[number].patterns)
                if not p.absent
            ]
            for one in bound if isinstance(bound, list) else [bound]:
                found.append((number, {name: facts[one[binding]["id"]] for binding, name in names}))
        return found

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """footmap's effects, sorted."""
        return effects(self.branches, self.matches(facts))


def direct_peers(quick: bool, rounds: int) -> tuple[Any, Any]:
    """The rows of durable-rules used directly, measured in a fresh process: on the timed rules
    (agreement, then time), and on every shipped rule with ``absent`` as ``$not`` (agreement).

    The child builds the same rules and facts (``peers.common_rules``, ``peers.mix_facts``), and
    checks each profile against footmap's reference evaluator itself.
    """
    from peers import Peer

    timed = Peer("durable-rules direct", "one ruleset, joins in it", outside=True)
    every = Peer("durable-rules direct, absent as $not", "", outside=True)
    try:
        import durable_rules_engine  # noqa: F401 - only whether it imports here
    except ImportError as error:
        for peer in (timed, every):
            peer.outside, peer.skipped = False, f"durable-rules cannot be imported here ({error})"
        return timed, every
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__)), "--quick" if quick else "--full", str(rounds)],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        timed.skipped = every.skipped = f"did not finish in {_TIMEOUT} s"
        return timed, every
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        timed.skipped = every.skipped = f"its process died (exit {done.returncode}): {last}"
        return timed, every
    answer = json.loads(done.stdout)
    timed.agreed, timed.seconds, every.agreed = answer["agreed"], answer["seconds"], answer["every_agreed"]
    return timed, every


def _child(quick: bool, rounds: int) -> dict[str, Any]:
    """In the fresh process: agreement on every profile, the median time per profile if all
    agree, and agreement on every shipped rule (``absent`` as ``$not``)."""
    import statistics

    from figures import time_call
    from peers import common_rules, mix_facts

    from footmap._knowledge.base import shipped_knowledge
    from footmap._rules.compile import knowledge_rules

    knowledge = shipped_knowledge()
    every_rule = knowledge_rules(knowledge)
    rules, _ = common_rules(every_rule)
    facts = mix_facts(knowledge, quick)
    peer = _direct(rules, facts)
    agreed = _agreed(peer, rules, facts)
    seconds = None
    if agreed == len(facts):
        passes = [time_call(lambda: [peer.run(one) for one in facts]) for _ in range(rounds)]
        seconds = statistics.median(passes) / len(facts)
    every_agreed = _agreed(_direct(every_rule, facts), every_rule, facts)
    return {"agreed": agreed, "seconds": seconds, "every_agreed": every_agreed}


def _direct(rules: Sequence[schema.Rule], facts: Sequence[Sequence[Fact]]) -> DirectDurable:
    fact_types = {str(fact["t"]) for one in facts for fact in one}
    fact_types |= {pattern.fact for rule in rules for pattern in rule.when.patterns}
    return DirectDurable(branches(rules), sorted(fact_types))


def _agreed(peer: DirectDurable, rules: Sequence[schema.Rule], facts: Sequence[Sequence[Fact]]) -> int:
    from footmap._rules.reference import ReferenceEngine

    reference = ReferenceEngine(rules)
    return sum(peer.run(one) == reference.run(one) for one in facts)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(json.dumps(_child(sys.argv[1] == "--quick", int(sys.argv[2]))))
