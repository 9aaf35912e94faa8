"""The public API: one sorted ``__all__`` that matches what the package exports, and private
modules everywhere else."""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import footmap

#: The modules a user imports; every other module's name starts with ``_``.
PUBLIC_MODULES = {"footmap.dask", "footmap.render", "footmap.testing"}
REPO = Path(__file__).resolve().parents[1]


def test_all_is_sorted_and_complete() -> None:
    assert footmap.__all__ == sorted(footmap.__all__)
    # dir(), not vars(): a name whose module is imported on first use is bound on first use.
    public = {name for name in dir(footmap) if not name.startswith("_") or name == "__version__"}
    modules = {name for name in public if type(getattr(footmap, name)).__name__ == "module"}
    assert {f"footmap.{name}" for name in modules} <= PUBLIC_MODULES
    assert set(footmap.__all__) == public - modules


def test_every_public_name_imports() -> None:
    """``from footmap import X`` works for every name, those imported on first use included, and
    an unknown name is an ``AttributeError`` (an ``ImportError`` for ``from footmap import``)."""
    for name in footmap.__all__:
        namespace: dict[str, object] = {}
        exec(f"from footmap import {name}", namespace)
        assert namespace[name] is getattr(footmap, name)
    with pytest.raises(AttributeError, match="no attribute 'recomend'"):
        footmap.recomend  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        exec("from footmap import recomend", {})


def test_import_leaves_out_what_a_first_plan_does_not_need() -> None:
    """``import footmap`` and a plan from the knowledge cache import neither networkx, the YAML
    reader, the knowledge check, nor any renderer's module (``docs/knowledge.md``)."""
    code = (
        "import sys, footmap; footmap.recommend({'pains': [{'area': 'back', 'severity': 5}]});"
        "footmap.recommend({'pains': [{'area': 'back', 'severity': 5}]}).to_markdown();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'networkx', 'yaml', 'icalendar'}"
        " or m.startswith(('footmap._knowledge.loader', 'footmap._knowledge.check', 'footmap._batch'))"
        " or m.startswith('footmap.render._') and m[15:] not in {'_markdown', '_common'}))"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    subprocess.run([sys.executable, "-c", code], check=True, env=environment, capture_output=True)
    # The first run writes the cache (the suite's own: tests/conftest.py); the second reads it.
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, env=environment, capture_output=True, text=True
    )
    assert result.stdout.strip() == "[]"


def test_public_names_belong_to_the_package() -> None:
    for name in footmap.__all__:
        value = getattr(footmap, name)
        if name != "__version__":
            assert value.__module__ == "footmap", name


def test_only_the_public_modules_are_public() -> None:
    found = {
        info.name
        for info in pkgutil.walk_packages(footmap.__path__, "footmap.")
        if not any(part.startswith("_") for part in info.name.split(".")[1:])
    }
    assert found == PUBLIC_MODULES


def test_every_exported_name_has_a_docstring() -> None:
    for name in footmap.__all__:
        if name != "__version__":
            assert getattr(footmap, name).__doc__, name


def test_the_docs_list_the_public_api() -> None:
    """docs/api.md lists exactly ``__all__``, each as a heading."""
    listed = re.findall(r"^### `footmap\.(\w+)`", (REPO / "docs" / "api.md").read_text("utf-8"), re.M)
    assert sorted(listed) == sorted(set(footmap.__all__) - {"__version__"})


def test_docstring_examples_run() -> None:
    names = [info.name for info in pkgutil.walk_packages(footmap.__path__, "footmap.")]
    for name in ["footmap", *sorted(names)]:
        if name in {"footmap.__main__", "footmap.dask"}:
            continue  # runs the CLI on import; needs the dask extra (tests/test_dask.py)
        module = importlib.import_module(name)
        failures, _ = doctest.testmod(module)
        assert failures == 0, name


def test_py_typed_ships() -> None:
    from importlib import resources

    assert (resources.files("footmap") / "py.typed").is_file()


def test_every_lazy_name_is_imported_for_type_checkers_and_the_docs() -> None:
    """A name imported on first use is also imported under ``TYPE_CHECKING``: mypy and the API
    reference (mkdocstrings reads the source, not the module) find it there."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(footmap))
    checked = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    ]
    imported = {
        alias.name
        for block in checked
        for node in ast.walk(block)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert set(footmap._LAZY_MODULE) <= imported
