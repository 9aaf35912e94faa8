"""The public API: one sorted ``__all__`` that matches what the package exports."""

from __future__ import annotations

import doctest

import footmap


def test_all_is_sorted_and_complete() -> None:
    assert footmap.__all__ == sorted(footmap.__all__)
    public = {name for name in vars(footmap) if not name.startswith("_") or name == "__version__"}
    modules = {name for name in public if type(getattr(footmap, name)).__name__ == "module"}
    assert set(footmap.__all__) == public - modules


def test_every_exported_name_has_a_docstring() -> None:
    for name in footmap.__all__:
        if name != "__version__":
            assert getattr(footmap, name).__doc__, name


def test_docstring_examples_run() -> None:
    import footmap.knowledge.base
    import footmap.pipeline
    import footmap.plan
    import footmap.profile

    for module in (footmap, footmap.knowledge.base, footmap.plan, footmap.profile,
                   footmap.pipeline):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__


def test_py_typed_ships() -> None:
    from importlib import resources

    assert (resources.files("footmap") / "py.typed").is_file()
