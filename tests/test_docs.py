"""Generated documentation stays in step with the knowledge."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import footmap
from footmap._knowledge.report import describe_condition, safety_report
from footmap._knowledge.schema import Condition

SAFETY_PAGE = Path(__file__).resolve().parents[1] / "docs" / "safety.md"


def test_the_safety_page_matches_the_knowledge(kb: footmap.KnowledgeBase) -> None:
    expected = safety_report(kb)
    assert SAFETY_PAGE.read_text(encoding="utf-8") == expected, (
        "docs/safety.md is stale: run `footmap knowledge report > docs/safety.md`"
    )


def test_the_safety_page_names_every_red_flag_precaution_and_source(kb: footmap.KnowledgeBase) -> None:
    page = safety_report(kb)
    for rule in kb.knowledge.rules:
        assert f"`{rule.id}`" in page
    for item in kb.items.values():
        for precaution in item.precautions:
            assert f"`{precaution.id}`" in page
    for source in kb.sources:
        assert f"`{source}`" in page


def test_conditions_read_as_words() -> None:
    condition = Condition.model_validate(
        {
            "all": [
                {"fact": "symptom", "is": "saddle_numbness"},
                {"fact": "pain", "where": {"severity": {"gte": 8}, "key": {"one_of": ["back", "neck"]}}},
                {"fact": "condition", "is": "pregnancy", "absent": True},
            ]
        }
    )
    assert describe_condition(condition) == (
        "symptom saddle_numbness and pain (key in back, neck, severity ≥ 8) and no condition pregnancy"
    )


ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
SOURCE = Path(__file__).resolve().parents[1] / "src" / "footmap"


def test_the_architecture_page_names_every_module_and_only_real_ones() -> None:
    """docs/architecture.md stays true: every module path it names exists, and it names every
    module (by its path, or, inside a package it names, by its name)."""
    page = ARCHITECTURE.read_text(encoding="utf-8")
    paths = {path.removeprefix("footmap/") for path in re.findall(r"`([\w/]+\.py)", page)}
    missing = sorted(path for path in paths if not (SOURCE / path).is_file())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
    unnamed = []
    for path in sorted(SOURCE.rglob("*.py")):
        module = path.relative_to(SOURCE).as_posix()
        if path.name == "__init__.py" and path.parent == SOURCE:
            named = "__init__.py" in paths
        elif path.name == "__init__.py":
            named = f"{path.parent.name}/" in page
        elif path.parent != SOURCE:
            named = module in paths or f"`{path.parent.name}/{path.stem}`" in page or f"`{path.stem}`" in page
        else:
            named = module in paths
        if not named:
            unnamed.append(module)
    assert not unnamed, f"docs/architecture.md does not name {unnamed}"


REPO = Path(__file__).resolve().parents[1]
#: The pages whose references are checked: every page of the docs site and the README.
PAGES = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]
#: Where a relative path in a page is looked for: the page's own folder first, then the repo,
#: the package (``_rules/python.py``), the folder above it (``footmap/__init__.py``) and the
#: knowledge (``rules/triage.yaml``, ``zones.yaml``, ``triage.yaml``).
BASES = (REPO, REPO / "src" / "footmap", REPO / "src", REPO / "knowledge", REPO / "knowledge" / "rules")
#: Paths the pages name on purpose that are not files of this repository.
NOT_IN_THE_REPO = {
    "src/rules/events.c": "durable-rules' C source (docs/reliability.md)",
    "src/rules/state.c": "durable-rules' C source (docs/reliability.md)",
    "scenarios/*.yaml": "the pytest plugin's default pattern, matched in the user's project",
    "NOTES-durable-rules.md": "the team's shared notes, outside the repo (docs/architecture.md)",
    "conftest.py": "the user's own conftest.py (docs/knowledge.md)",
}
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
LINK = re.compile(r"\]\((?P<target>[^)\s#]*)(?:#[^)\s]*)?(?:\s+\"[^\"]*\")?\)")
#: A path in backticks: no spaces, not absolute, and either a file name with an extension
#: (``zones.yaml``, ``_rules/python.py``) or a folder with at least one ``/`` (``_compose/``);
#: placeholders (``knowledge/<file>.yaml``) and dotted names (``footmap.render``) are left alone.
TICKED_PATH = re.compile(
    r"`(?P<path>[\w*-][\w.*/-]*?(?:\.(?:py|md|yaml|json|jsonl|toml|svg|png|ipynb|c|gz|csv)|/))`"
)
#: A path in a code block: it starts with one of the repo's top-level folders.
CODE_PATH = re.compile(r"(?<![\w/.:-])(?P<path>(?:src|tests|docs|examples|knowledge|benchmarks)/[\w.*/-]*)")


def _exists(path: str, page: Path) -> bool:
    for base in (page.parent, *BASES):
        if "*" in path:
            if any(base.glob(path.rstrip("/"))):
                return True
        elif (base / path).exists():
            return True
    return False


def _references(page: Path) -> list[tuple[str, str]]:
    """Every relative link and every path a page names, as (what, path)."""
    text = page.read_text(encoding="utf-8")
    prose = FENCE.sub("", text)
    found = [("link", match["target"]) for match in LINK.finditer(prose)]
    found = [(kind, target) for kind, target in found if target and "://" not in target]
    found += [("path", match["path"]) for match in TICKED_PATH.finditer(prose)]
    for block in FENCE.findall(text):
        found += [("code path", match["path"].rstrip(".")) for match in CODE_PATH.finditer(block)]
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_every_file_a_page_names_exists(page: Path) -> None:
    missing = [
        f"{kind} {path}"
        for kind, path in _references(page)
        if path not in NOT_IN_THE_REPO and not _exists(path, page)
    ]
    assert not missing, f"{page.relative_to(REPO)} names files that do not exist: {missing}"


def test_the_reference_check_finds_a_missing_file(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "See [the map](gallery/nowhere.png), `_rules/gone.py` and `docs/safety.md`.\n\n"
        "```sh\npython benchmarks/absent.py examples/profiles/back_pain.yaml\n```\n",
        encoding="utf-8",
    )
    missing = sorted(path for _, path in _references(page) if not _exists(path, page))
    assert missing == ["_rules/gone.py", "benchmarks/absent.py", "gallery/nowhere.png"]


CLI_PAGE = REPO / "docs" / "cli.md"


def _commands(
    parser: argparse.ArgumentParser, prefix: str = "footmap"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from _commands(sub, f"{prefix} {name}")


def test_the_cli_page_documents_every_command_and_option() -> None:
    """docs/cli.md has a section for every command that runs something, naming each option."""
    from footmap._cli import _parser

    page = CLI_PAGE.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `(footmap [\w ]+)`\n(.*?)(?=^## |\Z)", page, re.M | re.S))
    leaves = [(name, sub) for name, sub in _commands(_parser()) if not sub._subparsers]
    assert sorted(sections) == sorted(name for name, _ in leaves)
    for name, sub in leaves:
        options = [
            opt for action in sub._actions for opt in action.option_strings if opt not in {"-h", "--help"}
        ]
        missing = [
            opt for opt in options if f"`{opt}" not in sections[name] and f" {opt}" not in sections[name]
        ]
        assert not missing, f"docs/cli.md, {name}: {missing}"
    for code in ("0", "1", "2", "3", "4", "5", "130"):
        assert f"| {code} |" in page


def test_the_api_reference_renders_every_public_name() -> None:
    """docs/api-reference.md has a ``::: footmap.NAME`` for each name of ``__all__`` (and the
    public modules), so mkdocstrings renders every docstring."""
    page = (REPO / "docs" / "api-reference.md").read_text(encoding="utf-8")
    rendered = re.findall(r"^::: footmap\.(\w+)$", page, re.M)
    assert len(rendered) == len(set(rendered))
    modules = {"render", "testing", "dask"}
    assert sorted(set(rendered) - modules) == sorted(set(footmap.__all__) - {"__version__"})
    assert modules <= set(rendered) and "__version__" in page


def test_doctest_examples_in_docstrings_read_as_code_on_the_site() -> None:
    """The mkdocs hook turns ``>>>`` runs into ``pycon`` blocks and Sphinx roles into code, and
    leaves fenced blocks alone."""
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "docstrings_hook", REPO / "docs" / "hooks" / "docstrings.py"
    )
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    lines = [
        "Raises :class:`~footmap.WorkerError`.",
        ">>> [plan.triage for plan in plans]",
        "['self_care']",
        "",
        "```python",
        ">>> kept",
        "```",
    ]
    assert hook.doctest_blocks(lines) == [
        "Raises `WorkerError`.",
        "",
        "```pycon",
        ">>> [plan.triage for plan in plans]",
        "['self_care']",
        "```",
        "",
        "```python",
        ">>> kept",
        "```",
    ]
    import markdown

    html = markdown.markdown("\n".join(lines), extensions=["fenced_code", hook.DocstringExtension()])
    assert "<blockquote>" not in html and '<code class="language-pycon">' in html
