"""``KnowledgeBase``: validated knowledge, its vocabulary and its graph, loaded once."""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property
from html import escape
from importlib import resources
from pathlib import Path as FsPath
from typing import Generic, TypeVar

import networkx as nx

from footmap._errors import Finding, FindingCode, KnowledgeError
from footmap._knowledge import schema
from footmap._knowledge.check import cross_check
from footmap._knowledge.graph import Path, PathKey, build_graph, find_paths, path_key
from footmap._knowledge.loader import load_raw, merge_raw, parse, rule_files

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

        >>> KnowledgeBase.load().origin.endswith("knowledge")
        True
        """
        knowledge, findings, origin = cls._read(path, overlay)
        if findings or knowledge is None:
            raise KnowledgeError(findings)
        return cls(knowledge, origin)

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
        return build_graph(self.knowledge)

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the knowledge's content: equal knowledge, equal fingerprint."""
        text = json.dumps(self.knowledge.as_files(), sort_keys=True)
        fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
        with _fingerprinted_lock:
            _fingerprinted.setdefault(fingerprint, self)
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
                    (path_key(path), path) for path in find_paths(self.graph, [node])
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


def knowledge_of(fingerprint: str) -> KnowledgeBase | None:
    """The knowledge base with this fingerprint (a plan's ``knowledge``): the shipped one, or one
    that made a plan in this process and is still alive; ``None`` for any other.

    >>> knowledge_of(shipped_knowledge().fingerprint) is shipped_knowledge()
    True
    >>> knowledge_of("0000000000000000") is None
    True
    """
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

    def __init__(self, build: Callable[[KnowledgeBase], T]) -> None:
        self._build = build
        self._values: weakref.WeakKeyDictionary[KnowledgeBase, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, knowledge: KnowledgeBase) -> T:
        with self._lock:
            if knowledge not in self._values:
                self._values[knowledge] = self._build(knowledge)
            return self._values[knowledge]
