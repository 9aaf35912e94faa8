"""The knowledge cache: the shipped knowledge, loaded, checked and compiled, kept on disk so that
the next process's first plan reads one file instead of the YAML (``docs/knowledge.md``,
"Knowledge cache").

One file per key, in the user's cache directory (``$XDG_CACHE_HOME/footmap``, else
``~/.cache/footmap``; ``FOOTMAP_CACHE_DIR`` moves it, ``FOOTMAP_CACHE=0`` turns the cache off). The
key hashes everything the cached values depend on: the bytes of every knowledge file, footmap's
version and the size and time of each of its modules, the Python and the pydantic versions. A
knowledge file edited, footmap upgraded or edited, another Python: another key, so a file is never
read across versions. The file starts with its key and a SHA-256 of its contents; one that is
missing, truncated, corrupt or made for another key is ignored (and written again), never an error.
A directory that cannot be written just means no cache. Deleting the directory is always safe.

Only the shipped knowledge is cached: a directory of one's own is read from its files at each
load (it is the knowledge being edited, and a cache would keep a copy of each version of it).

The file is a pickle, read only from the user's own cache directory: whoever can write there can
already change what Python runs for that user (its ``__pycache__``, its ``site-packages``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from footmap._knowledge.schema import Knowledge

#: Turns the cache off when set to one of ``OFF``.
CACHE_ENV = "FOOTMAP_CACHE"
OFF = frozenset({"0", "false", "no", "off"})
#: Where the cache lives, instead of the user's cache directory.
CACHE_DIR_ENV = "FOOTMAP_CACHE_DIR"
#: The layout of a cache file and of ``Warm``: raise it whenever either changes.
FORMAT = 1
MAGIC = b"footmap knowledge cache\n"
#: How many cache files a directory keeps (several Pythons or footmaps may share it): the
#: most recently written.
KEEP = 8
_PREFIX, _SUFFIX = "knowledge-", ".pickle"


@dataclass(frozen=True)
class Warm:
    """What the cache keeps: the validated knowledge, its fingerprint, and values derived from
    it by later stages (by the name their ``PerKnowledge`` gives, such as the rules' network)."""

    knowledge: Knowledge
    fingerprint: str
    derived: dict[str, object]


def cache_dir() -> Path | None:
    """The directory of the cache files; ``None`` when the cache is off (``FOOTMAP_CACHE=0``) or
    there is no home directory to hold it.

    >>> import os
    >>> os.environ["FOOTMAP_CACHE"] = "0"
    >>> cache_dir() is None
    True
    >>> del os.environ["FOOTMAP_CACHE"]
    """
    if os.environ.get(CACHE_ENV, "").strip().lower() in OFF:
        return None
    chosen = os.environ.get(CACHE_DIR_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not Path(base).is_absolute():  # the XDG spec: a relative path is to be ignored
        try:
            home = Path.home()
        except RuntimeError:
            return None
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        elif sys.platform == "darwin":
            base = str(home / "Library" / "Caches")
        else:
            base = str(home / ".cache")
    return Path(base) / "footmap"


def cache_key(directory: Path) -> str:
    """The key of a knowledge directory's cache file: a SHA-256 over every knowledge file's
    name and bytes, and the versions of the code that reads them."""
    digest = hashlib.sha256()
    for part in (f"format {FORMAT}", *_code_versions()):
        digest.update(part.encode() + b"\0")
    for path in _knowledge_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cache_path(directory: Path | None = None) -> Path | None:
    """Where the cache file of a knowledge directory (default: the shipped one) is, or would be;
    ``None`` when the cache is off or the knowledge cannot be read."""
    folder = cache_dir()
    if folder is None:
        return None
    if directory is None:
        from footmap._knowledge.base import shipped_knowledge_dir

        directory = shipped_knowledge_dir()
    try:
        return folder / f"{_PREFIX}{cache_key(directory)}{_SUFFIX}"
    except OSError:
        return None


def read(directory: Path) -> Warm | None:
    """What the cache holds for a knowledge directory; ``None`` when it holds nothing usable."""
    path = cache_path(directory)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _decoded(data, path.name.removeprefix(_PREFIX).removesuffix(_SUFFIX))


def write(directory: Path, warm: Warm) -> Path | None:
    """Write the cache file of a knowledge directory, atomically (a temporary file, then
    ``os.replace``); the file written, or ``None`` where it cannot be (never an error)."""
    path = cache_path(directory)
    if path is None:
        return None
    key = path.name.removeprefix(_PREFIX).removesuffix(_SUFFIX)
    try:
        payload = pickle.dumps(warm, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a derived value that does not pickle: no cache, the same plans
        return None
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".knowledge-", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as file:
            file.write(_header(key) + hashlib.sha256(payload).digest() + payload)
        Path(temporary).replace(path)  # atomic: a reader sees the old file or the new
        temporary = None
    except OSError:
        return None
    finally:
        if temporary is not None:
            _remove(Path(temporary))
    _prune(path.parent, keep=path)
    return path


def clear_cache() -> int:
    """Delete every knowledge cache file (the next load reads the YAML and writes one again);
    how many were deleted."""
    folder = cache_dir()
    if folder is None:
        return 0
    return sum(_remove(path) for path in _cache_files(folder))


def write_cache() -> Path | None:
    """Load the shipped knowledge from its files and write its cache file now (at install, or
    for a read-only installation's users); the file, or ``None`` where the cache is off or
    cannot be written."""
    from footmap._knowledge.base import KnowledgeBase, shipped_knowledge_dir

    path = cache_path(shipped_knowledge_dir())
    if path is None:
        return None
    _remove(path)
    KnowledgeBase.load()
    return path if path.is_file() else None


def _header(key: str) -> bytes:
    return MAGIC + key.encode() + b"\n"


def _decoded(data: bytes, key: str) -> Warm | None:
    """The ``Warm`` a cache file holds if it is whole and made for this key, else ``None``."""
    header = _header(key)
    digest_end = len(header) + hashlib.sha256().digest_size
    if not data.startswith(header) or len(data) <= digest_end:
        return None
    payload = data[digest_end:]
    if hashlib.sha256(payload).digest() != data[len(header) : digest_end]:
        return None
    try:
        warm = pickle.loads(payload)
    except Exception:  # written whole for this key, yet unreadable: ignored, and written again
        return None
    return warm if isinstance(warm, Warm) else None


def _knowledge_files(directory: Path) -> list[Path]:
    """The files a knowledge directory is read from: its YAML files and those of ``rules/``."""
    return sorted([*directory.glob("*.yaml"), *directory.glob("rules/*.yaml")])


@cache
def _code_versions() -> tuple[str, ...]:
    """What, besides the knowledge, the cached values depend on: footmap (its version, and the
    size and time of each module, for a source checkout whose version never changes), Python and
    pydantic (whose pickled models the file holds)."""
    import pydantic

    package = Path(__file__).resolve().parents[1]
    return (
        f"footmap {_distribution(package.parent)}",
        *_module_stamps(str(package)),
        f"python {sys.implementation.cache_tag} {sys.version}",
        f"pydantic {pydantic.VERSION}",
    )


def _distribution(site: Path) -> str:
    """The installed distribution's metadata directory beside the package (``footmap-0.1.0.dist-info``
    in ``site-packages``), or ``source`` for a checkout: its name says the version, and reading
    it takes a tenth of ``importlib.metadata.version``, which looks through every distribution."""
    try:
        with os.scandir(site) as entries:
            names = sorted(
                e.name for e in entries if e.name.startswith("footmap-") and e.name.endswith(".dist-info")
            )
    except OSError:
        names = []
    return " ".join(names) or "source"


def _module_stamps(package: str) -> list[str]:
    """``path:size:mtime`` of each module of the package, sorted (``os.scandir``: a tenth of
    ``Path.rglob``'s time, which a first plan would pay)."""
    stamps: list[str] = []
    folders = [("", package)]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.name.endswith(".py"):
                    status = entry.stat()
                    stamps.append(f"{prefix}{entry.name}:{status.st_size}:{status.st_mtime_ns}")
    return sorted(stamps)


def _cache_files(folder: Path) -> list[Path]:
    try:
        return sorted(folder.glob(f"{_PREFIX}*{_SUFFIX}"))
    except OSError:
        return []


def _prune(folder: Path, keep: Path) -> None:
    """Delete all but the ``KEEP`` most recently written cache files (always keeping ``keep``)."""

    def written(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    others = sorted((path for path in _cache_files(folder) if path != keep), key=written, reverse=True)
    for path in others[KEEP - 1 :]:
        _remove(path)


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True
