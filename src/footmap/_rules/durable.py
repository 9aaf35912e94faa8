"""durable-rules runs the alpha half of the rules: each distinct one-fact test is one of its rules.

durable-rules keeps rulesets in a process-wide host that refuses a second registration of a name,
starts timer threads that race callers for pending actions, holds at most 1,024 live sessions and
swallows exceptions raised in actions (see NOTES-durable-rules.md). This module sidesteps each:
it creates its ruleset through the C extension directly (no host, no timer threads, any number
of knowledge bases in one process) and serialises calls with a lock (the C extension holds the
GIL anyway).

**Alphas only.** Each :class:`~footmap._rules.network.Alpha` (a one-fact test shared by every
pattern alike) is one durable-rules rule of one pattern; the joins between facts run in Python
(:meth:`~footmap._rules.network.Network.effects`), the same code the compiled twin uses. A
durable-rules rule joining two facts is not safe to retract: completing its action frees the
match's frame but leaves both facts pointing at it, and retracting the second fact then reads
and can write past the frame (``deleteMessageFromFrame`` in 2.0.28's ``src/rules/state.c`` clears
a message without lowering ``messageCount``); valgrind shows it on every join that matched, and
it crashed long-running processes (``docs/reliability.md``). One-fact frames are cleared once
and cleanly: valgrind reports no error from durable-rules over the shipped rules.

**Lean runs.** A fact goes in with only the fields some alpha tests (and its key's flags only
when an alpha tests its key); each alpha's rule takes every match at once (``cap``), so a run
makes one C call per alpha that matched, and reads back only the facts' positions (``id``).

Sessions: ``delete_state`` can corrupt durable-rules' heap, so each run asserts its facts into
one long-lived session and retracts exactly those facts afterwards, which leaves the session
empty and never approaches the 1,024-session limit. A run that fails half way moves on to a
fresh session id, so a dirty session is never reused.

Numbers are written by :func:`~footmap._rules.compile.durable_json`: its JSON parser crashes on
``1e-05`` (an exponent without a decimal point), and it compares an integer with a float as two
doubles, so a run whose tested fields hold an integer beyond 2**53 (or infinity, NaN) has its
alphas run by the compiled twin instead, which has the same meaning (``docs/knowledge.md``).

durable-rules 2.0.28 cannot be imported on Python 3.13 or later (``PyEval_CallObject`` was
removed); :data:`DURABLE_IMPORT_ERROR` then says why, and :mod:`footmap._rules.engine` runs the
compiled twin (:class:`~footmap._rules.python.PythonEngine`).
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from footmap._errors import RuleEngineError
from footmap._facts import Fact
from footmap._rules.compile import (
    DURABLE_MAX_CHILDREN,
    alpha_definition,
    durable_fan_out,
    durable_json,
    key_flags,
    ordered_fields,
    typed_fields,
)
from footmap._rules.effects import Effect
from footmap._rules.network import Alpha, Content, KnownFits, Network, fact_content
from footmap._rules.python import PythonEngine

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
_SCALARS = (str, bool, int, float, type(None))
_UNKNOWN = object()
_NOTHING = "[]"
#: The name ``ruleset_json`` keeps its JSON under in ``Network.compiled``.
_RULESET = "durable"
#: How many distinct facts' JSON an engine remembers (then it starts again).
_REMEMBERED_BODIES = 4096
#: A match's fact as durable-rules hands it back: the ``id`` leads it, as the engine wrote it.
_MATCH_ID = re.compile(r'\{"m":\{"id": (\d+)')


class DurableEngine:
    """Runs a network's alphas with durable-rules and its joins in Python; the effects, sorted."""

    name = "durable"

    def __init__(self, network: Network) -> None:
        if _durable is None:
            raise RuleEngineError(f"durable-rules cannot be imported here ({DURABLE_IMPORT_ERROR})")
        self.network = network
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._sid = "1"
        self._twin: PythonEngine | None = None
        self._short_fields, self._short_keys = _shorthand(network)
        definition = alpha_definition(
            {index: self._shortened(alpha) for index, alpha in network.tested.items()}
        )
        fan_out = durable_fan_out(definition)
        if fan_out >= DURABLE_MAX_CHILDREN:
            raise RuleEngineError(
                f"these rules give a node of durable-rules' network {fan_out} children;"
                f" durable-rules 2.0.28 hangs at {DURABLE_MAX_CHILDREN}"
            )
        self._fields, self._keys, self._ordered = _tested(network)
        self._bodies: dict[Content, str | None] = {}
        self._known = KnownFits(self._alpha_fits, len(network.alphas))
        try:
            with _durable_lock:
                self._handle = _durable.create_ruleset(
                    f"footmap_{next(_ruleset_names)}", ruleset_json(network, definition)
                )
        except Exception as error:  # its limits: ERR_RULE_LIMIT_EXCEEDED (106) and others
            raise RuleEngineError(f"durable-rules cannot hold these rules: {error}") from error
        # The C ruleset is never freed by durable-rules itself.
        weakref.finalize(self, _durable.delete_ruleset, self._handle)

    def run(self, facts: Sequence[Fact], known: int = 0) -> list[Effect]:
        """Every effect the rules produce over the facts, sorted; the last ``known`` facts depend
        on the knowledge alone (durable-rules decides each such fact once: :class:`KnownFits`)."""
        return self.network.effects(facts, self.fits(facts, known))

    def fits(self, facts: Sequence[Fact], known: int = 0) -> list[Sequence[int]]:
        """For each alpha, the positions of the facts that pass it (durable-rules decides)."""
        return self._known.fits(facts, known)

    def _alpha_fits(self, facts: Sequence[Fact]) -> list[Sequence[int]]:
        fits = self.network.indexed_fits(facts)
        if not self.network.tested or not facts:
            return fits
        with self._lock:
            batch = self._batch(facts, self._sid)
            if batch is None:
                return self._exactly(facts)
            if batch == _NOTHING:  # no fact of a type whose fields an alpha tests
                return fits
            try:
                raw = self._drain(_durable.assert_facts(self._handle, batch))
            except Exception:
                self._sid = str(next(self._sessions))  # never reuse a session left dirty
                raise
            finally:
                self._retract(batch)
        return self._read(raw, fits)

    def _exactly(self, facts: Sequence[Fact]) -> list[Sequence[int]]:
        """The fits over facts holding a number durable-rules cannot hold exactly (an integer
        beyond 2**53, infinity, NaN) or a value it cannot compare: the compiled twin's."""
        if self._twin is None:
            self._twin = PythonEngine(self.network)
        return self._twin.fits(facts)

    def _batch(self, facts: Sequence[Fact], sid: str) -> str | None:
        """The run's facts as one JSON array, each numbered by its position (its ``id``, first, by
        which the matches are read back), in the session; ``None`` if a fact cannot be written."""
        parts = []
        tested = self._fields
        for number, fact in enumerate(facts):
            if fact.get("t") not in tested:  # no alpha tests its fields: nothing to ask
                continue
            body = self._body(fact)
            if body is None:
                return None
            parts.append(f'{{"id": {number}, "sid": "{sid}", {body}}}')
        return "[" + ", ".join(parts) + "]" if parts else _NOTHING

    def _body(self, fact: Fact) -> str | None:
        """The JSON text of what durable-rules needs of a fact (remembered for facts alike: item
        facts repeat from run to run); ``None`` if durable-rules cannot compare a value."""
        content = fact_content(fact)
        if content is None:  # an unhashable value: written, not remembered
            return self._written(fact)
        known = self._bodies.get(content, _UNKNOWN)
        if known is _UNKNOWN:
            if len(self._bodies) >= _REMEMBERED_BODIES:
                self._bodies.clear()
            known = self._bodies[content] = self._written(fact)
        return known if isinstance(known, str) else None

    def _written(self, fact: Fact) -> str | None:
        """The fields alphas test (each kind of value in its own field), and its key's flags if an
        alpha tests its key, as JSON text without the braces."""
        fact_type = str(fact.get("t"))
        asserted: dict[str, object] = {"t": fact_type}
        ordered = self._ordered.get(fact_type, frozenset())
        for name in self._fields.get(fact_type, ()):
            if name in fact:
                value = fact[name]  # type: ignore[literal-required]
                if not isinstance(value, _SCALARS):
                    return None
                asserted.update(typed_fields(self._short_fields[name], value, name in ordered))
        key = fact.get("key")
        if isinstance(key, str) and key in self._keys.get(fact_type, ()):
            asserted.update(dict.fromkeys(key_flags(self._short_keys[key]), True))
        try:
            return durable_json(asserted)[1:-1]
        except ValueError:  # a number it cannot hold exactly
            return None

    def _drain(self, result: Any) -> list[str]:
        """Every pending match of the session, as durable-rules' JSON (one string per alpha)."""
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

    def _shortened(self, alpha: Alpha) -> Alpha:
        """The alpha as durable-rules holds it: fields and keys by their short names."""
        return _short(alpha, self._short_fields, self._short_keys)

    def _read(self, raw: list[str], fits: list[Sequence[int]]) -> list[Sequence[int]]:
        """The fits from the matches' JSON, ``{"a<i>":[{"m":{"id": <position>, ...}}, ...]}``: the
        alpha's number and each match's ``id``, which leads each fact as it was written (text
        values cannot hide a match: their quotes come escaped)."""
        try:
            for message in raw:
                alpha = int(message[3 : message.index('"', 3)])
                fits[alpha] = list(map(int, _MATCH_ID.findall(message)))
        except (ValueError, IndexError) as error:
            raise RuleEngineError(f"a rule match could not be read: {error!r}") from error
        return fits


def ruleset_json(network: Network, definition: Any = None) -> str:
    """The durable-rules ruleset of the network's alphas, as the JSON ``create_ruleset`` reads:
    written once per network and kept in ``network.compiled`` (so the knowledge cache keeps it
    with the shipped knowledge's network). ``definition`` is the alphas' definition, if made."""
    written = network.compiled.get(_RULESET)
    if written is None:
        if definition is None:
            fields, keys = _shorthand(network)
            definition = alpha_definition(
                {index: _short(alpha, fields, keys) for index, alpha in network.tested.items()}
            )
        written = network.compiled.setdefault(_RULESET, durable_json(definition))
    return written


def _short(alpha: Alpha, fields: dict[str, str], keys: dict[str, str]) -> Alpha:
    checks = tuple((fields[name], operator, operand) for name, operator, operand in alpha.checks)
    return Alpha(alpha.fact, keys[alpha.key] if alpha.key is not None else None, checks)


def _shorthand(network: Network) -> tuple[dict[str, str], dict[str, str]]:
    """Short names for the fields and keys the alphas test (``f0``, ``k0``, …): durable-rules
    parses every fact and hands each match back as text, so shorter text is less work both ways."""
    fields = sorted({name for alpha in network.tested.values() for name, _, _ in alpha.checks})
    keys = sorted({alpha.key for alpha in network.tested.values() if alpha.key is not None})
    return {name: f"f{n}" for n, name in enumerate(fields)}, {key: f"k{n}" for n, key in enumerate(keys)}


def _tested(
    network: Network,
) -> tuple[dict[str, tuple[str, ...]], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """By fact type: the fields the alphas test, the keys they test (``is``), and the fields
    they test with an order."""
    fields: dict[str, set[str]] = defaultdict(set)
    keys: dict[str, set[str]] = defaultdict(set)
    ordered: dict[str, set[str]] = defaultdict(set)
    for alpha in network.tested.values():
        fields[alpha.fact].update(name for name, _, _ in alpha.checks)
        ordered[alpha.fact].update(ordered_fields(alpha))
        if alpha.key is not None:
            keys[alpha.fact].add(alpha.key)
    return (
        {fact: tuple(sorted(names)) for fact, names in fields.items()},
        {fact: frozenset(names) for fact, names in keys.items()},
        {fact: frozenset(names) for fact, names in ordered.items()},
    )
