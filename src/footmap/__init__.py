"""footmap: personalised, explained and safe foot-exercise routines.

>>> import footmap
>>> footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}).triage
'self_care'

Everything public is listed in ``__all__``; every module whose name starts with ``_`` is
private. The public modules are :mod:`footmap.render` (the renderer registry),
:mod:`footmap.dask` and :mod:`footmap.testing` (the scenario runner and its pytest plugin).
"""

import gc as _gc
import importlib as _importlib
import sys as _sys
import typing as _typing

# The import makes a hundred thousand objects (pydantic's model classes and their schemas) and
# frees few: the collections their allocations would set off find nothing, and took a tenth of a
# new process's ``import footmap`` and first plan. The collector is paused while it runs and
# restored after, even on an error; the objects made are then moved to the oldest generation
# (``gc.freeze`` and ``gc.unfreeze``: no object is scanned to do so), where a young collection
# does not scan them again. The same objects stay collectable, by the next full collection.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from importlib import metadata as _metadata

    from footmap import render as _render  # noqa: F401 - installs the registry plans show themselves through
    from footmap._errors import (
        BatchError,
        CompactPlanError,
        EngineFallbackWarning,
        Finding,
        FindingCode,
        FootmapError,
        InputError,
        InvalidLogError,
        KnowledgeError,
        LogProblem,
        MissingDependencyError,
        OutputError,
        ResumeError,
        RuleEngineError,
        WorkerError,
    )
    from footmap._input.profile import Pain, Profile, profile_json_schema
    from footmap._knowledge.base import KnowledgeBase
    from footmap._pipeline import adjust, recommend
    from footmap._plan import (
        Caution,
        Change,
        CitedSource,
        DosagePlan,
        Excluded,
        ImmutableList,
        LeftOut,
        LeftOutItem,
        Plan,
        PlanItem,
        PlanTables,
        Reason,
        SafetyMessage,
        SafetyNetSign,
        Schedule,
        ScheduleDay,
        ScheduledItem,
        ScheduledStep,
        ScheduleNote,
        ScheduleWeek,
    )
    from footmap._rules.engine import EngineInfo, engine_info
finally:
    _gc.freeze()
    _gc.unfreeze()
    if _collecting:
        _gc.enable()
    del _collecting

if _typing.TYPE_CHECKING:
    from footmap._batch import recommend_many, stop_workers
    from footmap._compact import PlanCatalog, compact_plan, expand_plan, plan_catalog
    from footmap._input.log_files import read_logs, write_logs
    from footmap._input.logs import LoggedItem, LoggedPain, SessionLog
    from footmap._programme.progress import (
        Adherence,
        ComplaintProgress,
        ItemProgress,
        LoggedSymptom,
        PainPoint,
        Progress,
        progress,
    )

#: The public names a first plan does not need, by the private module that defines them: each
#: module is imported on first use of one of its names (``import footmap`` stays quick).
_LAZY: dict[str, tuple[str, ...]] = {
    "footmap._batch": ("recommend_many", "stop_workers"),
    "footmap._compact": ("PlanCatalog", "compact_plan", "expand_plan", "plan_catalog"),
    "footmap._input.log_files": ("read_logs", "write_logs"),
    "footmap._input.logs": ("LoggedItem", "LoggedPain", "SessionLog"),
    "footmap._programme.progress": (
        "Adherence",
        "ComplaintProgress",
        "ItemProgress",
        "LoggedSymptom",
        "PainPoint",
        "Progress",
        "progress",
    ),
}
_LAZY_MODULE = {name: module for module, names in _LAZY.items() for name in names}


def _installed_version() -> str:
    """The version of the installed distribution (pyproject.toml holds the one version string).

    A source tree that was never installed (``PYTHONPATH=src``) has no metadata: it reports
    ``0+unknown``, a valid PEP 440 version that sorts before every release.
    """
    try:
        return _metadata.version("footmap")
    except _metadata.PackageNotFoundError:
        return "0+unknown"


def __getattr__(name: str) -> _typing.Any:
    """A public name whose module is imported on first use (``_LAZY``), and ``__version__`` (read
    on first use: looking the distribution up takes milliseconds)."""
    if name == "__version__":
        value: _typing.Any = globals().setdefault("__version__", _installed_version())
        return value
    module_name = _LAZY_MODULE.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _importlib.import_module(module_name)
    for public in _LAZY[module_name]:
        globals()[public] = _public(getattr(module, public))
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _public(value: _typing.Any) -> _typing.Any:
    """The value, shown as ``footmap.<name>`` rather than the private module that defines it."""
    if hasattr(value, "__module__"):
        value.__module__ = __name__
    return value


__all__ = [
    "Adherence",
    "BatchError",
    "Caution",
    "Change",
    "CitedSource",
    "CompactPlanError",
    "ComplaintProgress",
    "DosagePlan",
    "EngineFallbackWarning",
    "EngineInfo",
    "Excluded",
    "Finding",
    "FindingCode",
    "FootmapError",
    "ImmutableList",
    "InputError",
    "InvalidLogError",
    "ItemProgress",
    "KnowledgeBase",
    "KnowledgeError",
    "LeftOut",
    "LeftOutItem",
    "LogProblem",
    "LoggedItem",
    "LoggedPain",
    "LoggedSymptom",
    "MissingDependencyError",
    "OutputError",
    "Pain",
    "PainPoint",
    "Plan",
    "PlanCatalog",
    "PlanItem",
    "PlanTables",
    "Profile",
    "Progress",
    "Reason",
    "ResumeError",
    "RuleEngineError",
    "SafetyMessage",
    "SafetyNetSign",
    "Schedule",
    "ScheduleDay",
    "ScheduleNote",
    "ScheduleWeek",
    "ScheduledItem",
    "ScheduledStep",
    "SessionLog",
    "WorkerError",
    "__version__",
    "adjust",
    "compact_plan",
    "engine_info",
    "expand_plan",
    "plan_catalog",
    "profile_json_schema",
    "progress",
    "read_logs",
    "recommend",
    "recommend_many",
    "stop_workers",
    "write_logs",
]

# Public names show as ``footmap.Plan``, not as the private module that defines them; a lazy
# module that the eager ones imported anyway has its names bound now.
for _name in __all__:
    if _name in globals() and _name != "__version__":
        _public(globals()[_name])
    elif _LAZY_MODULE.get(_name) in _sys.modules:
        __getattr__(_name)
del _name
