"""Every code block of the README and the docs runs as written.

Each `` ```python `` block runs as a script (or, written as ``>>>`` sessions, all of a page's
together under ``doctest``), and each `` ```sh `` block as a shell script, in a
subprocess whose working directory is a fresh copy of what the pages assume from the repository
root (``examples/``, ``knowledge/``, ``docs/``, ``tests/scenarios/``), so nothing a block writes
reaches the repository. ``footmap``, ``python`` and ``.venv/bin/...`` run this interpreter, with
this tree's ``src`` on the path. The blocks run in parallel, one per core, while the tests wait.

A block that must not run (an install command, a run that takes minutes, a cluster) says so on
the line before its fence::

    <!-- not run: installs packages -->

Every other ``sh`` block must consist of commands that start with ``footmap``, ``python``,
``python3`` or ``.venv/bin/`` (or ``chromium``, where it is installed): a block that would run
anything else without saying so fails here. Blocks in other languages (``text``, ``yaml``,
``json``, ``toml``) are shown, not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

# One test process runs every block of this module (pytest-xdist): the blocks run once, on the
# module's own pool, not once in each test process.
pytestmark = pytest.mark.xdist_group("docs_blocks")

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
#: What the pages assume of the repository root, copied into each block's working directory.
COPIED = ("examples", "knowledge", "docs", "tests/scenarios")
NOT_RUN = re.compile(r"^<!-- not run: (?P<why>.+) -->$")
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<code>.*?)^```$", re.M | re.S)
#: How each command of an ``sh`` block may start (after ``NAME=value`` settings).
RUNNABLE = re.compile(
    r"^(?:\w+=\S*\s+)*(?:footmap|python3?|\.venv/bin/(?:footmap|python3?)|chromium)(?:\s|$)"
)
TIMEOUT = 180


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int
    lang: str
    code: str
    not_run: str | None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(REPO).as_posix()}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """Every ``python`` and ``sh`` block of a page, with the reason it is not run, if it says one.

    ``python`` blocks written as a doctest session (``>>>`` prompts) are one session per page,
    as ``doctest.testfile`` reads them: a ``pycon`` block at the first one's line.
    """
    text = page.read_text(encoding="utf-8")
    found, session = [], []
    for match in FENCE.finditer(text):
        if match["lang"] not in {"python", "sh"}:
            continue
        before = [line for line in text[: match.start()].splitlines() if line.strip()]
        why = NOT_RUN.match(before[-1].strip()) if before else None
        line = text.count("\n", 0, match.start()) + 1
        block = Block(page, line, match["lang"], match["code"], why["why"] if why else None)
        if block.lang == "python" and block.code.lstrip().startswith(">>>") and block.not_run is None:
            session.append(block)
        else:
            found.append(block)
    if session:
        found.append(Block(page, session[0].line, "pycon", "\n".join(b.code for b in session), None))
    return sorted(found, key=lambda block: block.line)


def commands(code: str) -> list[str]:
    """The commands of an ``sh`` block: its lines without comments, joined at a trailing ``\\``,
    split at ``&&``, ``||``, ``;`` and ``|``."""
    joined = re.sub(r"\\\n", " ", code)
    lines = (re.sub(r"(^|\s)#.*$", "", line) for line in joined.splitlines())
    return [part.strip() for line in lines for part in re.split(r"&&|\|\||;|\|", line) if part.strip()]


def unmarked_commands(block: Block) -> list[str]:
    """The commands of an ``sh`` block that this test may not run."""
    return [command for command in commands(block.code) if not RUNNABLE.match(command)]


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]


def _shims(where: Path) -> Path:
    """A folder of ``footmap``, ``python`` and ``python3`` that run this interpreter."""
    where.mkdir()
    for name, command in (
        ("footmap", f'exec "{sys.executable}" -m footmap "$@"'),
        ("python", f'exec "{sys.executable}" "$@"'),
        ("python3", f'exec "{sys.executable}" "$@"'),
    ):
        shim = where / name
        shim.write_text(f"#!/bin/sh\n{command}\n", encoding="utf-8")
        shim.chmod(0o755)
    return where


def _workdir(root: Path) -> Path:
    work = root / "repo"
    for name in COPIED:
        shutil.copytree(REPO / name, work / name)
    return work


def _run(block: Block, root: Path, shims: Path) -> subprocess.CompletedProcess[str]:
    here = Path(tempfile.mkdtemp(dir=root))
    work = _workdir(here)
    env = {
        **os.environ,
        "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])),
        "MPLBACKEND": "agg",
    }
    if block.lang == "python":
        script = here / "block.py"
        script.write_text(block.code, encoding="utf-8")
        argv = [sys.executable, "-W", "error", str(script)]
    elif block.lang == "pycon":
        session = here / "session.txt"
        session.write_text(block.code, encoding="utf-8")
        argv = [sys.executable, "-W", "error", "-m", "doctest", str(session)]
    else:
        code = block.code.replace(".venv/bin/", "")
        argv = ["bash", "-e", "-u", "-o", "pipefail", "-c", code]
    return subprocess.run(
        argv, cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[subprocess.CompletedProcess[str]]]]:
    """Every runnable block this session selected, started at once on a pool of one thread per core."""
    selected = {
        item.callspec.params["block"].name
        for item in request.session.items
        if isinstance(item, pytest.Function) and hasattr(item, "callspec") and "block" in item.callspec.params
    }
    runnable = [
        block
        for block in ALL_BLOCKS
        if block.name in selected
        and block.not_run is None
        and not _unavailable(block)
        and not (block.lang == "sh" and unmarked_commands(block))
    ]
    with tempfile.TemporaryDirectory() as root, ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        shims = _shims(Path(root) / "bin")
        # The longest first (shell blocks of several commands: each starts an interpreter).
        runnable.sort(key=lambda block: -len(commands(block.code)) if block.lang == "sh" else 0)
        yield {block.name: pool.submit(_run, block, Path(root), shims) for block in runnable}


def _unavailable(block: Block) -> str | None:
    uses_chromium = block.lang == "sh" and any(
        command.startswith("chromium") for command in commands(block.code)
    )
    return "chromium is not installed" if uses_chromium and shutil.which("chromium") is None else None


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=lambda block: block.name)
def test_the_block_runs(block: Block, results: dict[str, Future[subprocess.CompletedProcess[str]]]) -> None:
    if block.not_run is not None:
        pytest.skip(f"not run: {block.not_run}")
    if reason := _unavailable(block):
        pytest.skip(reason)
    if block.lang == "sh":
        others = unmarked_commands(block)
        assert not others, (
            f"{block.name} runs {others}: mark the block '<!-- not run: why -->' or run footmap or python"
        )
    result = results[block.name].result()
    assert result.returncode == 0, (
        f"{block.name} exits {result.returncode}:\n{block.code}\n--- stdout\n{result.stdout[-2000:]}"
        f"\n--- stderr\n{result.stderr[-4000:]}"
    )


def test_blocks_are_found_and_the_rule_is_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text.\n\n```python\nprint(1)\n```\n\n<!-- not run: installs packages -->\n\n"
        "```sh\npip install footmap\n```\n\n```text\nshown only\n```\n\n"
        "```python\n>>> x = 1\n```\n\n```python\n>>> x\n1\n```\n",
        encoding="utf-8",
    )
    found = blocks(page)
    assert [(block.line, block.lang, block.not_run) for block in found] == [
        (3, "python", None),
        (9, "sh", "installs packages"),
        (17, "pycon", None),
    ]
    assert found[-1].code == ">>> x = 1\n\n>>> x\n1\n"
    assert commands("footmap a \\\n  --b   # c | d\n# only a comment\npython x.py && pip install y\n") == [
        "footmap a    --b",
        "python x.py",
        "pip install y",
    ]
    assert RUNNABLE.match("HYPOTHESIS_PROFILE=ci .venv/bin/python -m pytest")
    assert not RUNNABLE.match("pip install 'footmap[dask]'")
    assert not RUNNABLE.match(".venv/bin/pip install .")


def test_every_page_with_code_has_a_runnable_block() -> None:
    """The collection is not empty by mistake: the README and most pages run something."""
    pages = {block.page for block in ALL_BLOCKS if block.not_run is None}
    assert REPO / "README.md" in pages
    assert len(pages) >= 5
