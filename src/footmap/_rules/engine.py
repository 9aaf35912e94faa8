"""Which engine runs the rules: durable-rules where it imports, the plain-Python reference elsewhere.

durable-rules 2.0.28 is installed only on Python < 3.13 (an environment marker in
``pyproject.toml``): on 3.13 it builds but cannot be imported. There, and wherever else the import
fails, footmap evaluates the same rules with :class:`~footmap._rules.reference.ReferenceEngine`,
which a property test holds to the same effects as durable-rules on every generated profile, so
the plans are the same; one :class:`EngineFallbackWarning` per process says so.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from footmap._errors import EngineFallbackWarning, RuleEngineError
from footmap._facts import Candidates, Fact
from footmap._knowledge.base import KnowledgeBase, PerKnowledge
from footmap._rules.compile import compile_rules, knowledge_rules
from footmap._rules.durable import DURABLE_IMPORT_ERROR, RuleEngine
from footmap._rules.effects import Effect
from footmap._rules.reference import ReferenceEngine

Backend = Literal["auto", "durable", "reference"]

_warned: list[bool] = []
_warned_lock = threading.Lock()


class Engine(Protocol):
    """Anything that runs a knowledge base's rules over facts: the effects, sorted."""

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """Every effect the rules produce over the facts, sorted."""
        ...


@dataclass(frozen=True)
class Decisions:
    """The rule stage's output: the candidates, and every effect the rules produced over them."""

    candidates: Candidates
    effects: tuple[Effect, ...]


def decide(candidates: Candidates) -> Decisions:
    """Run the knowledge's rules over the candidates' facts."""
    effects = engine_for(candidates.knowledge).run(candidates.facts)
    return Decisions(candidates, tuple(effects))


def engine_for(knowledge: KnowledgeBase) -> Engine:
    """The rule engine of a knowledge base, built on first use and kept while it lives.

    durable-rules where it can be imported, else the plain-Python reference evaluator.
    """
    return _engines(knowledge)


def durable_available() -> bool:
    """Whether durable-rules can be imported in this interpreter."""
    return DURABLE_IMPORT_ERROR is None


def create_engine(knowledge: KnowledgeBase, backend: Backend = "auto") -> Engine:
    """A rule engine for a knowledge base.

    ``"auto"`` is durable-rules where it can be imported and can hold the rules, else the
    reference evaluator, with one :class:`EngineFallbackWarning` per process. ``"durable"`` and
    ``"reference"`` choose one (``"durable"`` raises :class:`~footmap.RuleEngineError` where it
    cannot be imported or cannot hold the rules).
    """
    if backend == "reference":
        return ReferenceEngine(knowledge_rules(knowledge))
    if backend == "auto" and not durable_available():
        _warn_once(f"durable-rules cannot be imported here ({DURABLE_IMPORT_ERROR})")
        return ReferenceEngine(knowledge_rules(knowledge))
    try:
        return RuleEngine(compile_rules(knowledge))
    except RuleEngineError as error:
        if backend == "durable":
            raise
        _warn_once(f"durable-rules cannot run this knowledge's rules ({error})")
        return ReferenceEngine(knowledge_rules(knowledge))


def warn_if_unavailable() -> None:
    """Give this process's one :class:`EngineFallbackWarning` now if durable-rules cannot be
    imported (for a process whose engines run elsewhere, such as ``recommend_many``'s workers)."""
    if not durable_available():
        _warn_once(f"durable-rules cannot be imported here ({DURABLE_IMPORT_ERROR})")


def _warn_once(reason: str) -> None:
    with _warned_lock:
        if _warned:
            return
        _warned.append(True)
    warning = EngineFallbackWarning(
        f"{reason}; footmap evaluates its rules with its plain-Python reference evaluator,"
        " which gives the same plans. durable-rules 2.0.28 imports on Python 3.11 and 3.12 only."
    )
    if sys.version_info >= (3, 12):  # point at the caller's line, outside footmap
        warnings.warn(warning, skip_file_prefixes=(str(Path(__file__).parents[1]),))
    else:
        warnings.warn(warning, stacklevel=4)


_engines: PerKnowledge[Engine] = PerKnowledge(lambda knowledge: _shared_engine(knowledge))

#: Engines by knowledge fingerprint, most recently used last, shared by equal knowledge bases.
#: durable-rules 2.0.28 never frees a session's C frames (``delete_ruleset`` leaves them, and
#: ``delete_state`` can corrupt its heap), about 3 MB an engine: knowledge loaded again and again
#: (a host reloading a clinic's files) reuses its engine instead of leaking one each time.
_shared: OrderedDict[str, Engine] = OrderedDict()
_shared_lock = threading.Lock()
#: How many distinct knowledge bases keep their engine after they are dropped.
SHARED_ENGINES = 16


def _shared_engine(knowledge: KnowledgeBase) -> Engine:
    """The engine of knowledge with this content: the one already built, or a new one."""
    key = knowledge.fingerprint
    with _shared_lock:
        engine = _shared.get(key)
        if engine is not None:
            _shared.move_to_end(key)
            return engine
    engine = create_engine(knowledge)
    with _shared_lock:
        engine = _shared.setdefault(key, engine)
        _shared.move_to_end(key)
        while len(_shared) > SHARED_ENGINES:
            _shared.popitem(last=False)
    return engine
