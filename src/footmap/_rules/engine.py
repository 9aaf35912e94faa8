"""Which engine runs the rules: durable-rules where it is installed, the compiled twin elsewhere.

Two engines, one meaning (``docs/knowledge.md``, "What a rule means"), one network of alphas and
joins per knowledge base (:mod:`footmap._rules.network`):

- ``"durable"``: durable-rules 2.0.28 runs the alphas (:class:`~footmap._rules.durable.DurableEngine`).
  It is the engine of record where it is installed: Python 3.11 and 3.12 (an environment
  marker in ``pyproject.toml`` leaves it out on 3.13, where it builds but cannot be imported).
- ``"python"``: the compiled twin (:class:`~footmap._rules.python.PythonEngine`) runs them as
  Python closures. The engine on 3.13 and later, and wherever durable-rules cannot hold the
  rules (its limits: 512 children under one network node, error 106 at 4,140 rules).

``"auto"`` picks the first that can run. Where durable-rules is not installed, by design, the
twin is simply the engine: no warning. Where it is installed but fails (its import, or the rules
it cannot hold), one :class:`EngineFallbackWarning` per process says so. Property tests over
generated profiles and generated rule sets hold both to the independent reference evaluator
(:mod:`footmap._rules.reference`), so the plans are the same byte for byte.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal, Protocol

from footmap._errors import EngineFallbackWarning, RuleEngineError
from footmap._facts import Candidates, Fact
from footmap._knowledge import schema
from footmap._knowledge.base import KnowledgeBase, PerKnowledge
from footmap._rules.compile import knowledge_rules
from footmap._rules.durable import DURABLE_IMPORT_ERROR, DurableEngine, ruleset_json
from footmap._rules.effects import Effect
from footmap._rules.network import Network, build_network
from footmap._rules.python import PythonEngine

#: What ``recommend(..., engine=...)`` takes: ``"auto"`` or an engine's name.
EngineChoice = Literal["auto", "durable", "python"]
#: The engines by name.
EngineName = Literal["durable", "python"]
ENGINE_CHOICES: tuple[EngineChoice, ...] = ("auto", "durable", "python")

_warned: list[bool] = []
_warned_lock = threading.Lock()


class Engine(Protocol):
    """Anything that runs a knowledge base's rules over facts: the effects, sorted."""

    name: str

    def run(self, facts: Sequence[Fact], known: int = 0) -> list[Effect]:
        """Every effect the rules produce over the facts, sorted; the last ``known`` facts depend
        on the knowledge alone, so the engine may remember what its alphas said of them."""
        ...


@dataclass(frozen=True)
class Decisions:
    """The rule stage's output: the candidates, and every effect the rules produced over them."""

    candidates: Candidates
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class EngineInfo:
    """Which rule engine runs, and why.

    >>> import footmap
    >>> footmap.engine_info("python").engine
    'python'
    """

    engine: EngineName
    """The engine that runs the rules: ``"durable"`` or ``"python"``."""
    requested: EngineChoice
    reason: str
    """Why this engine, in a sentence."""
    durable_installed: bool
    """Whether the durable-rules distribution is installed in this environment."""
    durable_importable: bool
    durable_version: str | None
    python: str

    def __str__(self) -> str:
        return f"{self.engine} ({self.reason})"


def decide(candidates: Candidates, engine: EngineChoice = "auto") -> Decisions:
    """Run the knowledge's rules over the candidates' facts."""
    effects = engine_for(candidates.knowledge, engine).run(candidates.facts, candidates.known)
    return Decisions(candidates, tuple(effects))


def engine_for(knowledge: KnowledgeBase, engine: EngineChoice = "auto") -> Engine:
    """The rule engine of a knowledge base, built on first use and kept while it lives."""
    if engine not in ENGINE_CHOICES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINE_CHOICES))}, not {engine!r}")
    engine_of = _engines(knowledge).get(engine)
    return engine_of if engine_of is not None else _built(knowledge, engine)


def knowledge_network(knowledge: KnowledgeBase) -> Network:
    """The network of a knowledge base's rules (precautions and ``forbids`` included), built once."""
    return _networks(knowledge)


def engine_info(engine: EngineChoice = "auto", knowledge: KnowledgeBase | None = None) -> EngineInfo:
    """Which engine ``recommend(..., engine=engine)`` runs on this interpreter, and why.

    With ``knowledge``, for that knowledge base (durable-rules may be unable to hold its rules);
    without it, for the shipped knowledge.
    """
    from footmap._knowledge.base import shipped_knowledge

    chosen = engine_for(knowledge if knowledge is not None else shipped_knowledge(), engine)
    name: EngineName = "durable" if isinstance(chosen, DurableEngine) else "python"
    return EngineInfo(
        engine=name,
        requested=engine,
        reason=_reason(engine, name),
        durable_installed=durable_version() is not None,
        durable_importable=durable_available(),
        durable_version=durable_version(),
        python=sys.version.split()[0],
    )


def _reason(requested: EngineChoice, name: EngineName) -> str:
    if requested != "auto":
        return f"asked for ({name!r})"
    if name == "durable":
        return "durable-rules is installed here, the engine of record"
    if durable_version() is None:
        return "durable-rules is not installed here (it is left out on Python 3.13 and later)"
    if not durable_available():
        return f"durable-rules is installed but cannot be imported ({DURABLE_IMPORT_ERROR})"
    return "durable-rules cannot hold these rules"


def durable_available() -> bool:
    """Whether durable-rules can be imported in this interpreter."""
    return DURABLE_IMPORT_ERROR is None


def durable_version() -> str | None:
    """The installed durable-rules version, or ``None`` where it is not installed."""
    try:
        return metadata.version("durable-rules")
    except metadata.PackageNotFoundError:
        return None


def create_engine(knowledge: KnowledgeBase, engine: EngineChoice = "auto") -> Engine:
    """A new rule engine for a knowledge base (see the module docstring for ``"auto"``).

    ``"durable"`` raises :class:`~footmap.RuleEngineError` where durable-rules cannot be imported
    or cannot hold the rules.
    """
    return network_engine(knowledge_network(knowledge), engine)


def rules_engine(rules: Sequence[schema.Rule], engine: EngineChoice = "auto") -> Engine:
    """A new rule engine for a list of rules (tests and tools; plans use a knowledge base's)."""
    return network_engine(build_network(rules), engine)


def network_engine(network: Network, engine: EngineChoice = "auto") -> Engine:
    """A new rule engine for a compiled network."""
    if engine == "python":
        return PythonEngine(network)
    if engine == "auto" and not durable_available():
        if durable_version() is not None:  # installed, and failing: say so
            _warn_once(f"durable-rules is installed but cannot be imported ({DURABLE_IMPORT_ERROR})")
        return PythonEngine(network)
    try:
        return DurableEngine(network)
    except RuleEngineError as error:
        if engine == "durable":
            raise
        _warn_once(f"durable-rules cannot run this knowledge's rules ({error})")
        return PythonEngine(network)


def warn_if_unavailable() -> None:
    """Give this process's one :class:`EngineFallbackWarning` now if durable-rules is installed but
    cannot be imported (for a process whose engines run elsewhere, such as ``recommend_many``'s
    workers)."""
    if not durable_available() and durable_version() is not None:
        _warn_once(f"durable-rules is installed but cannot be imported ({DURABLE_IMPORT_ERROR})")


def _warn_once(reason: str) -> None:
    with _warned_lock:
        if _warned:
            return
        _warned.append(True)
    warning = EngineFallbackWarning(
        f"{reason}; footmap runs its rules on its compiled-Python engine, which gives the same plans."
    )
    if sys.version_info >= (3, 12):  # point at the caller's line, outside footmap
        warnings.warn(warning, skip_file_prefixes=(str(Path(__file__).parents[1]),))
    else:
        warnings.warn(warning, stacklevel=4)


def _compiled_network(knowledge: KnowledgeBase) -> Network:
    """The knowledge's network, with durable-rules' ruleset written where it can be imported."""
    network = build_network(knowledge_rules(knowledge))
    if durable_available():
        # Written ahead only: rules durable-rules cannot take fail when its engine is made.
        with suppress(Exception):
            ruleset_json(network)
    return network


#: Each knowledge base's network, kept in the knowledge cache with the shipped knowledge (and so
#: the ruleset durable-rules is given, which takes longer to write than the network to build).
_networks: PerKnowledge[Network] = PerKnowledge(_compiled_network, cache_as="rules.network")
#: Each knowledge base's engines, by the choice that asked for them.
_engines: PerKnowledge[dict[EngineChoice, Engine]] = PerKnowledge(lambda knowledge: {})
_engines_lock = threading.Lock()

#: Engines by knowledge fingerprint and choice, most recently used last, shared by equal
#: knowledge bases. durable-rules 2.0.28 never frees a session's C frames (``delete_ruleset``
#: leaves them, and ``delete_state`` can corrupt its heap), about 3 MB an engine: knowledge
#: loaded again and again (a host reloading a clinic's files) reuses its engine instead of
#: leaking one each time.
_shared: OrderedDict[tuple[str, EngineChoice], Engine] = OrderedDict()
_shared_lock = threading.Lock()
#: How many distinct (knowledge, choice) pairs keep their engine after the knowledge is dropped.
SHARED_ENGINES = 16


def _built(knowledge: KnowledgeBase, engine: EngineChoice) -> Engine:
    """The engine of this knowledge for this choice, built (or shared) and kept."""
    built = _shared_engine(knowledge, engine)
    with _engines_lock:
        return _engines(knowledge).setdefault(engine, built)


def _shared_engine(knowledge: KnowledgeBase, choice: EngineChoice) -> Engine:
    """The engine of knowledge with this content: the one already built, or a new one."""
    key = (knowledge.fingerprint, choice)
    with _shared_lock:
        engine = _shared.get(key)
        if engine is not None:
            _shared.move_to_end(key)
            return engine
    engine = create_engine(knowledge, choice)
    with _shared_lock:
        engine = _shared.setdefault(key, engine)
        _shared.move_to_end(key)
        while len(_shared) > SHARED_ENGINES:
            _shared.popitem(last=False)
    return engine
