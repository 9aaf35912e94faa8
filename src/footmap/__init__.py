"""footmap: personalised, explained and safe foot-exercise routines.

>>> import footmap
>>> footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}).triage
'self_care'

Everything public is listed in ``__all__``; every module whose name starts with ``_`` is
private. The public modules are :mod:`footmap.render` (the renderer registry),
:mod:`footmap.dask` and :mod:`footmap.testing` (the scenario runner and its pytest plugin).
"""

from importlib import metadata as _metadata

from footmap import render as _render  # noqa: F401 - installs the registry plans show themselves through
from footmap._batch import recommend_many
from footmap._errors import (
    BatchError,
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
from footmap._input.log_files import read_logs, write_logs
from footmap._input.logs import LoggedItem, LoggedPain, SessionLog
from footmap._input.profile import Pain, Profile, profile_json_schema
from footmap._knowledge.base import KnowledgeBase
from footmap._pipeline import adjust, recommend
from footmap._plan import (
    Caution,
    Change,
    DosagePlan,
    Excluded,
    Plan,
    PlanItem,
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
from footmap._programme.progress import (
    Adherence,
    ComplaintProgress,
    ItemProgress,
    LoggedSymptom,
    PainPoint,
    Progress,
    progress,
)
from footmap._rules.engine import EngineInfo, engine_info


def _installed_version() -> str:
    """The version of the installed distribution (pyproject.toml holds the one version string).

    A source tree that was never installed (``PYTHONPATH=src``) has no metadata: it reports
    ``0+unknown``, a valid PEP 440 version that sorts before every release.
    """
    try:
        return _metadata.version("footmap")
    except _metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _installed_version()

__all__ = [
    "Adherence",
    "BatchError",
    "Caution",
    "Change",
    "ComplaintProgress",
    "DosagePlan",
    "EngineFallbackWarning",
    "EngineInfo",
    "Excluded",
    "Finding",
    "FindingCode",
    "FootmapError",
    "InputError",
    "InvalidLogError",
    "ItemProgress",
    "KnowledgeBase",
    "KnowledgeError",
    "LogProblem",
    "LoggedItem",
    "LoggedPain",
    "LoggedSymptom",
    "MissingDependencyError",
    "OutputError",
    "Pain",
    "PainPoint",
    "Plan",
    "PlanItem",
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
    "engine_info",
    "profile_json_schema",
    "progress",
    "read_logs",
    "recommend",
    "recommend_many",
    "write_logs",
]

# Public names show as ``footmap.Plan``, not as the private module that defines them.
for _name in __all__:
    _value = globals()[_name]
    if hasattr(_value, "__module__") and _name != "__version__":
        _value.__module__ = __name__
del _name, _value
