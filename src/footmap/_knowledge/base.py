"""``KnowledgeBase``: validated knowledge, its vocabulary and its graph, loaded once.

The shipped knowledge is loaded from the knowledge cache when it holds it
(:mod:`footmap._knowledge.cache`, ``docs/knowledge.md``): the YAML reader, the knowledge check and
networkx are imported only by what needs them (a knowledge directory read from its files,
``KnowledgeBase.check``, ``KnowledgeBase.graph``).
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from importlib import resources
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Generic, TypeVar

from footmap._errors import Finding, FindingCode, KnowledgeError
from footmap._knowledge import cache, schema
from footmap._knowledge.graph import Adjacency, NodeData, Path, PathKey, adjacency, find_paths, path_key

if TYPE_CHECKING:
    import networkx as nx

Item = schema.Item


def shipped_knowledge_dir() -> FsPath:
    """The directory of the knowledge that ships with footmap.

    A wheel carries it as ``footmap/_data/knowledge``; an editable install or a source checkout
    reads the repository's top-level ``knowledge/``.
    """
    packaged = resources.files("footmap") / "_data" / "knowledge"
    if packaged.is_dir():
        return FsPath(str(packaged))
    source_tree = FsPath(__file__).resolve().parents[3] / "knowledge"
    if source_tree.is_dir():
        return source_tree
    raise KnowledgeError(
        [
            Finding(
                str(source_tree),
                "",
                "",
                FindingCode.MISSING_FILE,
                "the shipped knowledge is missing from this installation; reinstall footmap",
            )
        ]
    )


class KnowledgeBase:
    """Validated knowledge with its vocabulary and its graph.

    >>> kb = KnowledgeBase.load()
    >>> "back" in kb.vocabulary["pain_areas"]
    True
    """

    def __init__(self, knowledge: schema.Knowledge, origin: str) -> None:
        self.knowledge = knowledge
        self.origin = origin
        self.items: dict[str, Item] = {}
        self.item_kinds: dict[str, str] = {}
        for kind, item in knowledge.items_by_kind():
            self.items[item.id] = item
            self.item_kinds[item.id] = kind
        self.vocabulary: dict[str, tuple[str, ...]] = {
            name: tuple(term.id for term in getattr(knowledge.vocabulary, name))
            for name in schema.Vocabulary.model_fields
        }
        self.sources = {source.id: source for source in knowledge.sources}
        self._paths_from: dict[str, list[tuple[PathKey, Path]]] = {}
        #: Values derived from this knowledge that the knowledge cache held, by name.
        self._cached: dict[str, object] = {}
        self.terms = {
            (name, term.id): term
            for name in schema.Vocabulary.model_fields
            for term in getattr(knowledge.vocabulary, name)
        }

    @classmethod
    def load(cls, path: str | FsPath | None = None, *, overlay: bool = False) -> KnowledgeBase:
        """Load and validate a knowledge directory; no path loads the shipped knowledge.

        With ``overlay=True`` the files in ``path`` are laid over the shipped knowledge: an entry
        with the same id replaces the shipped one, a new id is added, and missing files are fine.
        Raises :class:`~footmap.KnowledgeError` listing every problem at once.

        The shipped knowledge comes from the knowledge cache when it holds it, and is written to
        it when it does not (``docs/knowledge.md``, "Knowledge cache"); a directory of one's own
        is read from its files each time.

        >>> KnowledgeBase.load().origin.endswith("knowledge")
        True
        """
        shipped = shipped_knowledge_dir() if path is None and not overlay else None
        with gc_paused():
            if shipped is not None:
                warm = cache.read(shipped)
                if warm is not None:
                    return cls._from_cache(warm, str(shipped))
            knowledge, findings, origin = cls._read(path, overlay)
            if findings or knowledge is None:
                raise KnowledgeError(findings)
            loaded = cls(knowledge, origin)
            if shipped is not None:
                cache.write(shipped, loaded._warm())
        return loaded

    @classmethod
    def _from_cache(cls, warm: cache.Warm, origin: str) -> KnowledgeBase:
        """The knowledge base the cache holds, with the values derived from it that it holds."""
        loaded = cls(warm.knowledge, origin)
        loaded.__dict__["fingerprint"] = warm.fingerprint  # ``fingerprint``'s cached value
        _remember(warm.fingerprint, loaded)
        loaded._cached = dict(warm.derived)
        return loaded

    def _warm(self) -> cache.Warm:
        """What the knowledge cache keeps of this knowledge base: the knowledge, its fingerprint,
        and each value derived from it that a :class:`PerKnowledge` with a ``cache_as`` builds."""
        derived = {name: derive(self) for name, derive in sorted(_cached_derivations.items())}
        return cache.Warm(self.knowledge, self.fingerprint, derived)

    @classmethod
    def check(
        cls, path: str | FsPath | None = None, *, overlay: bool = False, release: bool = False
    ) -> list[Finding]:
        """Every problem in a knowledge directory, sorted, without raising; empty when it is valid.

        All of them at once: a file that cannot be read, an entry that fails the schema, and the
        cross-checks (references, sources, safety reviews, rules) over every entry that passed.
        ``release`` also reports every source not yet verified (``unverified_source``).

        >>> KnowledgeBase.check()
        []
        """
        knowledge, findings, _ = cls._read(path, overlay)
        if release and knowledge is not None:
            findings += [
                Finding(
                    "sources.yaml",
                    source.id,
                    "verified",
                    FindingCode.UNVERIFIED_SOURCE,
                    f"not verified against its publication: {source.verification or 'no note'}",
                )
                for source in knowledge.sources
                if not source.verified
            ]
        return findings

    @staticmethod
    def _read(path: str | FsPath | None, overlay: bool) -> tuple[schema.Knowledge | None, list[Finding], str]:
        """The knowledge (``None`` if it has any problem), every problem found, and its origin."""
        from footmap._knowledge.check import cross_check  # imports networkx: only a read needs it
        from footmap._knowledge.loader import load_raw, merge_raw, parse, rule_files

        shipped = shipped_knowledge_dir()
        directory = FsPath(path) if path is not None else shipped
        if not directory.is_dir():
            finding = Finding(
                str(directory), "", "", FindingCode.MISSING_FILE, "not a directory of knowledge files"
            )
            return None, [finding], str(directory)
        raw, findings = load_raw(directory, require_all=not overlay)
        if overlay:
            base, base_findings = load_raw(shipped)
            raw, findings = merge_raw(base, raw), base_findings + findings
        # Cross-check what validated even when some entries did not, so that one pass reports all.
        parsed = parse(raw)
        findings += parsed.findings
        findings += cross_check(parsed.knowledge, rule_files(raw), parsed.gaps)
        knowledge = None if findings else parsed.knowledge
        return knowledge, sorted(set(findings)), str(directory)

    @property
    def wording(self) -> schema.Wording:
        """Every fixed word a plan and its renderers say (``wording.yaml``)."""
        wording = self.knowledge.wording
        if wording is None:  # KnowledgeBase.load raises first; only a hand-built base gets here
            raise KnowledgeError(
                [Finding("wording.yaml", "", "", FindingCode.MISSING_FILE, "no valid wording")]
            )
        return wording

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The knowledge as a ``networkx.MultiDiGraph`` (nodes ``kind:id``, edges are claims)."""
        from footmap._knowledge.graph import build_graph

        return build_graph(self.knowledge)

    @cached_property
    def nodes(self) -> Mapping[str, NodeData]:
        """The graph's nodes and their attributes (``kind``, ``name``), as ``graph.nodes`` has
        them, without networkx.

        >>> KnowledgeBase.load().nodes["pain:back"]["kind"]
        'pain'
        """
        return self._adjacency.nodes

    @cached_property
    def _adjacency(self) -> Adjacency:
        """The graph as the plain dictionaries the paths are found in."""
        return adjacency(self.knowledge)

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the knowledge's content: equal knowledge, equal fingerprint."""
        text = json.dumps(self.knowledge.as_files(), sort_keys=True)
        fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
        _remember(fingerprint, self)
        return fingerprint

    def candidates(self, fact_nodes: Iterable[str]) -> list[Path]:
        """Every graph path from the given fact nodes (``pain:back`` …) to an item, sorted.

        The graph never changes, so each node's paths are found once and kept; the result is
        the union of the nodes' paths in :func:`~footmap._knowledge.graph.find_paths` order.

        >>> paths = KnowledgeBase.load().candidates(["pain:back"])
        >>> paths[0].fact
        'pain:back'
        """
        keyed: list[tuple[PathKey, Path]] = []
        for node in sorted(set(fact_nodes)):
            found = self._paths_from.get(node)
            if found is None:
                found = self._paths_from[node] = [
                    (path_key(path), path) for path in find_paths(self._adjacency, [node])
                ]
            keyed += found
        keyed.sort(key=lambda pair: pair[0])
        return [path for _, path in keyed]

    def __repr__(self) -> str:
        return f"KnowledgeBase(origin={self.origin!r}, items={len(self.items)})"

    def _summary_lines(self) -> tuple[str, list[str]]:
        """The title and the lines of the notebook summary: counts of items by kind, sources,
        rules, and the fingerprint."""
        words = self.wording.display
        kinds = Counter(self.item_kinds.values())
        lines = [words.knowledge_items.format(count=len(self.items))]
        lines += [
            words.knowledge_kind.format(kind=kind.replace("_", " "), count=count)
            for kind, count in kinds.items()  # the kinds table's order
        ]
        lines += [
            words.knowledge_sources.format(count=len(self.sources)),
            words.knowledge_rules.format(count=len(self.knowledge.rules)),
            words.knowledge_fingerprint.format(fingerprint=self.fingerprint),
        ]
        return f"{words.knowledge}: {self.origin}", lines

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """The knowledge base for Jupyter: its counts as a small HTML table, and as text.

        >>> sorted(KnowledgeBase.load()._repr_mimebundle_())
        ['text/html', 'text/plain']
        """
        from html import escape

        title, lines = self._summary_lines()
        bundle = {
            "text/html": (
                '<div class="footmap-knowledge" style="font-family:system-ui,sans-serif;line-height:1.5">'
                f"<strong>{escape(title)}</strong><ul>"
                + "".join(f"<li>{escape(line)}</li>" for line in lines)
                + "</ul></div>"
            ),
            "text/plain": "\n".join([title, *(f"  {line}" for line in lines)]),
        }
        wanted = set(bundle) if include is None else set(include)
        return {media: text for media, text in bundle.items() if media in wanted - set(exclude or ())}

    def _repr_html_(self) -> str:
        """The notebook summary as HTML (for viewers that read only ``_repr_html_``)."""
        return self._repr_mimebundle_(include=["text/html"])["text/html"]


_shipped_lock = threading.Lock()
_shipped: list[KnowledgeBase] = []

#: Every knowledge base of this process whose fingerprint was taken (every one that made a plan),
#: by fingerprint, held weakly: a plan names its knowledge by fingerprint only.
_fingerprinted: weakref.WeakValueDictionary[str, KnowledgeBase] = weakref.WeakValueDictionary()
_fingerprinted_lock = threading.Lock()


def _remember(fingerprint: str, knowledge: KnowledgeBase) -> None:
    with _fingerprinted_lock:
        _fingerprinted.setdefault(fingerprint, knowledge)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a knowledge base is loaded, and restore it after,
    even on an error: a load makes tens of thousands of objects and frees few, so the collections
    their allocations would set off find nothing and take time (more, the larger the knowledge)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def knowledge_of(fingerprint: str) -> KnowledgeBase | None:
    """The knowledge base with this fingerprint (a plan's ``knowledge``): the shipped one, or one
    that made a plan in this process and is still alive; ``None`` for any other.

    >>> knowledge_of(shipped_knowledge().fingerprint) is shipped_knowledge()
    True
    >>> knowledge_of("0000000000000000") is None
    True
    """
    if _shipped and _shipped[0].fingerprint == fingerprint:  # before a copy of it that made a plan
        return _shipped[0]
    with _fingerprinted_lock:
        found = _fingerprinted.get(fingerprint)
    if found is None and shipped_knowledge().fingerprint == fingerprint:
        return shipped_knowledge()
    return found


def shipped_knowledge() -> KnowledgeBase:
    """The shipped knowledge, loaded once per process."""
    with _shipped_lock:
        if not _shipped:
            _shipped.append(KnowledgeBase.load())
        return _shipped[0]


T = TypeVar("T")


class PerKnowledge(Generic[T]):
    """A value built once per knowledge base, on first use, and kept while the base lives.

    The value must not refer to its knowledge base, directly or through anything it holds: the
    values are held strongly, so such a value would keep its key, and itself, alive for ever
    (``tests/knowledge/test_limits.py`` drops a knowledge base and checks that it is freed). Take
    what the value needs from the knowledge base, or hold it by :func:`weakref.ref`.

    >>> sizes = PerKnowledge(lambda knowledge: len(knowledge.items))
    >>> sizes(shipped_knowledge()) == len(shipped_knowledge().items)
    True
    """

    def __init__(self, build: Callable[[KnowledgeBase], T], *, cache_as: str | None = None) -> None:
        """``cache_as`` names the value in the knowledge cache, which then keeps it with the
        shipped knowledge (it must pickle, and be the same whenever it is built from the same
        knowledge); a value without one is built in each process."""
        self._build = build
        self._values: weakref.WeakKeyDictionary[KnowledgeBase, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._cache_as = cache_as
        if cache_as is not None:
            _cached_derivations[cache_as] = self

    def __call__(self, knowledge: KnowledgeBase) -> T:
        with self._lock:
            if knowledge not in self._values:
                self._values[knowledge] = self._cached_or_built(knowledge)
            return self._values[knowledge]

    def _cached_or_built(self, knowledge: KnowledgeBase) -> T:
        if self._cache_as is not None and self._cache_as in knowledge._cached:
            value: T = knowledge._cached.pop(self._cache_as)  # type: ignore[assignment]
            return value
        return self._build(knowledge)


#: The values derived from a knowledge base that the knowledge cache keeps, by name.
_cached_derivations: dict[str, Callable[[KnowledgeBase], object]] = {}
