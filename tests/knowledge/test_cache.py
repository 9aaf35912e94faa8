"""The knowledge cache: the same plans from it as from the YAML, and any bad cache ignored."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import given, settings

import footmap
from footmap._knowledge import cache
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge_dir
from footmap._rules import engine
from footmap._rules.engine import EngineChoice, durable_available, engine_for, knowledge_network
from tests.strategies import profile_dicts

REPO = Path(__file__).resolve().parents[2]
ENGINES: list[EngineChoice] = ["python", "durable"] if durable_available() else ["python"]
PROFILES = [
    {"pains": [{"area": "back", "severity": 6, "weeks": 3}], "equipment": ["towel", "chair"]},
    {"pains": [{"area": "knee", "severity": 5, "side": "left"}], "age": 72, "can_get_on_floor": False},
    {"pains": [{"area": "heel", "severity": 4}], "conditions": ["diabetes"], "observations": ["dry_skin"]},
    {"pains": [{"area": "back", "severity": 9}], "symptoms": ["saddle_numbness"]},
]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory of this test's own."""
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return tmp_path / "cache"


@pytest.fixture
def fresh_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    """No engine shared between knowledge bases: each builds its own from its own network."""
    monkeypatch.setattr(engine, "_shared", OrderedDict())


def _cache_file(folder: Path) -> Path:
    path = cache.cache_path()
    assert path is not None and path.parent == folder
    return path


def _from_cache(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, load by load, whether the cache held the knowledge."""
    hits: list[bool] = []
    read = cache.read

    def recorded(directory: Path) -> cache.Warm | None:
        warm = read(directory)
        hits.append(warm is not None)
        return warm

    monkeypatch.setattr(cache, "read", recorded)
    return hits


def _plans(knowledge: KnowledgeBase) -> list[str]:
    return [
        footmap.recommend(profile, knowledge=knowledge, engine=name).model_dump_json()
        for profile in PROFILES
        for name in ENGINES
    ]


def test_a_cache_hit_gives_the_same_plans_byte_for_byte(
    folder: Path, monkeypatch: pytest.MonkeyPatch, fresh_engines: None
) -> None:
    hits = _from_cache(monkeypatch)
    written = KnowledgeBase.load()
    assert _cache_file(folder).is_file()
    cached = KnowledgeBase.load()
    assert hits == [False, True]
    monkeypatch.setenv(cache.CACHE_ENV, "0")
    uncached = KnowledgeBase.load()
    assert cached is not written and cached.fingerprint == written.fingerprint == uncached.fingerprint
    assert knowledge_network(cached) == knowledge_network(uncached)
    # durable-rules' ruleset comes from the cache too, as written from the files.
    assert knowledge_network(cached).compiled == knowledge_network(uncached).compiled
    assert bool(knowledge_network(cached).compiled) is durable_available()
    assert _plans(cached) == _plans(uncached) == _plans(written)
    assert cached.items == uncached.items and cached.vocabulary == uncached.vocabulary
    assert dict(cached.nodes) == dict(uncached.graph.nodes(data=True))


@pytest.fixture(scope="module")
def cached_and_uncached() -> tuple[KnowledgeBase, KnowledgeBase]:
    """The shipped knowledge from this suite's cache and from its files, each with engines built
    from its own network."""
    KnowledgeBase.load()  # the cache is written, if it was not yet
    cached = KnowledgeBase.load()
    assert "rules.network" in cached._cached  # it came from the cache, network included
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.CACHE_ENV, "0")
        uncached = KnowledgeBase.load()
        for knowledge in (cached, uncached):
            for name in ENGINES:
                patch.setattr(engine, "_shared", OrderedDict())
                engine_for(knowledge, name)
    assert not cached._cached  # the engines took the cached network
    return cached, uncached


@settings(max_examples=30, deadline=None)
@given(profile=profile_dicts())
def test_generated_profiles_plan_the_same_from_the_cache(
    cached_and_uncached: tuple[KnowledgeBase, KnowledgeBase], profile: dict[str, object]
) -> None:
    cached, uncached = cached_and_uncached
    for name in ENGINES:
        from_cache = footmap.recommend(profile, knowledge=cached, engine=name).model_dump_json()
        assert from_cache == footmap.recommend(profile, knowledge=uncached, engine=name).model_dump_json()


def test_a_new_process_plans_the_same_from_the_cache(folder: Path) -> None:
    code = (
        "import sys, footmap;"
        "sys.stdout.write(footmap.recommend({'pains': [{'area': 'back', 'severity': 6}]}).model_dump_json())"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=environment, check=True, capture_output=True, text=True
        ).stdout
        for _ in range(2)
    ]
    assert _cache_file(folder).is_file()
    in_process = footmap.recommend({"pains": [{"area": "back", "severity": 6}]}).model_dump_json()
    assert runs[0] == runs[1] == in_process


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 1]), id="one-bit-flipped"),
        pytest.param(lambda data: b"not a cache at all\n" * 100, id="garbage"),
        pytest.param(lambda data: data.replace(cache.MAGIC, b"footmap knowledge cachf\n"), id="bad-magic"),
    ],
)
def test_a_spoilt_cache_file_is_ignored_and_written_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch, spoil: object
) -> None:
    KnowledgeBase.load()
    path = _cache_file(folder)
    good = path.read_bytes()
    path.write_bytes(spoil(good))  # type: ignore[operator]
    hits = _from_cache(monkeypatch)
    knowledge = KnowledgeBase.load()
    assert hits == [False]
    assert knowledge.fingerprint == KnowledgeBase.load().fingerprint
    assert hits == [False, True]
    assert path.read_bytes()[: len(cache.MAGIC)] == cache.MAGIC


def test_a_file_made_for_another_key_is_ignored(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole, valid file of other knowledge (or another footmap) under this key's name."""
    KnowledgeBase.load()
    path = _cache_file(folder)
    key = path.name.removeprefix("knowledge-").removesuffix(".pickle")
    path.write_bytes(path.read_bytes().replace(key.encode(), b"0" * len(key), 1))
    hits = _from_cache(monkeypatch)
    KnowledgeBase.load()
    assert hits == [False]


def test_a_payload_that_is_no_cache_is_ignored(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole file for this key whose pickle holds something else, or cannot be read."""
    import hashlib
    import pickle

    KnowledgeBase.load()
    path = _cache_file(folder)
    header = cache._header(path.name.removeprefix("knowledge-").removesuffix(".pickle"))
    hits = _from_cache(monkeypatch)
    for payload in (pickle.dumps({"not": "a cache"}), b"\x80\x05not a pickle."):
        path.write_bytes(header + hashlib.sha256(payload).digest() + payload)
        KnowledgeBase.load()
    assert hits == [False, False]


def test_another_version_of_footmap_python_or_pydantic_has_another_key(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    KnowledgeBase.load()
    before = _cache_file(folder)
    versions = cache._code_versions()
    for changed in range(len(versions)):
        other = (*versions[:changed], versions[changed] + " (other)", *versions[changed + 1 :])
        monkeypatch.setattr(cache, "_code_versions", lambda other=other: other)
        assert cache.cache_path() != before
    hits = _from_cache(monkeypatch)
    KnowledgeBase.load()
    assert hits == [False]
    assert before.is_file() and cache.cache_path() != before and cache.cache_path().is_file()  # type: ignore[union-attr]


def test_a_change_to_the_knowledge_changes_the_key(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    keys = {cache.cache_key(directory)}
    assert cache.cache_key(directory) in keys  # the same files, the same key
    with (directory / "exercises.yaml").open("a", encoding="utf-8") as file:
        file.write("\n# a comment is a change too\n")
    keys.add(cache.cache_key(directory))
    (directory / "rules" / "more.yaml").write_text("[]\n", encoding="utf-8")
    keys.add(cache.cache_key(directory))
    (directory / "rules" / "more.yaml").rename(directory / "rules" / "renamed.yaml")
    keys.add(cache.cache_key(directory))
    (directory / "zones.yaml").unlink()
    keys.add(cache.cache_key(directory))
    assert len(keys) == 5


def test_an_unwritable_cache_directory_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_engines: None
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(blocker / "cache"))  # no directory can be made here
    hits = _from_cache(monkeypatch)
    knowledge = KnowledgeBase.load()
    assert hits == [False] and not (blocker / "cache").exists()
    assert _plans(knowledge) == _plans(KnowledgeBase.load())


def test_a_failed_write_leaves_no_temporary_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(source: object, target: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(cache.os, "replace", refuse)
    KnowledgeBase.load()
    assert list(folder.iterdir()) == []


def test_the_cache_can_be_turned_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for off in ("0", "false", "OFF", "no"):
        monkeypatch.setenv(cache.CACHE_ENV, off)
        assert cache.cache_dir() is None and cache.cache_path() is None
        KnowledgeBase.load()
    assert not folder.exists()


def test_the_cache_lives_in_the_users_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "footmap"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # to be ignored, says the XDG spec
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ("Library/Caches" if sys.platform == "darwin" else ".cache")
    if sys.platform != "win32":
        assert cache.cache_dir() == expected / "footmap"


def test_deleting_the_cache_is_safe(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    KnowledgeBase.load()
    assert cache.clear_cache() == 1 and cache.clear_cache() == 0
    KnowledgeBase.load()
    shutil.rmtree(folder)
    hits = _from_cache(monkeypatch)
    first, second = KnowledgeBase.load(), KnowledgeBase.load()
    assert hits == [False, True] and first.fingerprint == second.fingerprint


def test_write_cache_writes_the_shipped_knowledges_file(folder: Path) -> None:
    path = cache.write_cache()
    assert path is not None and path == cache.cache_path() and path.is_file()
    assert [entry.name for entry in folder.iterdir()] == [path.name]


def test_only_the_newest_files_are_kept(folder: Path) -> None:
    folder.mkdir()
    for number in range(2 * cache.KEEP):
        old = folder / f"knowledge-{number:064x}.pickle"
        old.write_bytes(b"old")
        os.utime(old, (number, number))
    path = cache.write_cache()
    kept = sorted(entry.name for entry in folder.iterdir())
    assert len(kept) == cache.KEEP and path is not None and path.name in kept
    assert f"knowledge-{2 * cache.KEEP - 1:064x}.pickle" in kept and f"knowledge-{0:064x}.pickle" not in kept


def test_custom_knowledge_is_not_cached(folder: Path, tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    KnowledgeBase.load(directory)
    KnowledgeBase.load(directory, overlay=True)
    assert not folder.exists()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_restored_after_a_load(tmp_path: Path, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        _set_collector(enabled)
        KnowledgeBase.load()
        assert gc.isenabled() is enabled
        with pytest.raises(footmap.KnowledgeError):
            KnowledgeBase.load(tmp_path)  # no knowledge files: an error half way
        assert gc.isenabled() is enabled
    finally:
        _set_collector(was)


def _set_collector(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


# --- footmap knowledge cache ---------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from footmap._cli import main

    code = main(["knowledge", "cache", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cache_command_shows_writes_and_clears_the_cache_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cache.cache_path()
    assert path is not None
    assert _cli(capsys) == (0, f"{path} (not written yet)\n", "")
    assert _cli(capsys, "write") == (0, f"{path}: written\n", "")
    assert path.is_file() and cache.read(shipped_knowledge_dir()) is not None
    assert _cli(capsys, "path") == (0, f"{path} (written)\n", "")
    assert _cli(capsys, "clear") == (0, f"{folder}: 1 cache file deleted\n", "")
    assert not path.exists()
    assert _cli(capsys, "clear") == (0, f"{folder}: 0 cache files deleted\n", "")


def test_the_cache_command_says_when_the_cache_is_off(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "0")
    assert _cli(capsys) == (0, "the knowledge cache is off (FOOTMAP_CACHE=0)\n", "")
    code, out, err = _cli(capsys, "write")
    assert (code, out) == (4, "") and "cannot write the knowledge cache" in err and "FOOTMAP_CACHE=0" in err
    assert _cli(capsys, "clear") == (
        0,
        "the knowledge cache is off (FOOTMAP_CACHE=0): nothing to clear\n",
        "",
    )
    assert not folder.exists()


def test_the_cache_command_fails_with_4_where_the_cache_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(blocked / "cache"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    code, out, err = _cli(capsys, "write")
    assert (code, out) == (4, "") and f"cannot write the knowledge cache in {blocked / 'cache'}" in err
