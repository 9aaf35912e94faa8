"""footmap: personalised, explained and safe foot-exercise routines.

>>> import footmap
>>> footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}).triage
'self_care'

Everything public is listed in ``__all__``; every module whose name starts with ``_`` is
private. The public modules are :mod:`footmap.render` (the renderer registry),
:mod:`footmap.dask` and :mod:`footmap.testing` (the scenario runner and its pytest plugin).
"""

from footmap import render as _render  # noqa: F401 - installs the registry plans show themselves through
from footmap._batch import recommend_many
from footmap._errors import (
    BatchError,
    EngineFallbackWarning,
    Finding,
    FindingCode,
    FootmapError,
    InputError,
    KnowledgeError,
    MissingDependencyError,
    OutputError,
    ResumeError,
    RuleEngineError,
    WorkerError,
)
from footmap._input.profile import Pain, Profile, profile_json_schema
from footmap._knowledge.base import KnowledgeBase
from footmap._pipeline import recommend
from footmap._plan import (
    Caution,
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
from footmap._rules.engine import EngineInfo, engine_info

__version__ = "0.1.0"

__all__ = [
    "BatchError",
    "Caution",
    "DosagePlan",
    "EngineFallbackWarning",
    "EngineInfo",
    "Excluded",
    "Finding",
    "FindingCode",
    "FootmapError",
    "InputError",
    "KnowledgeBase",
    "KnowledgeError",
    "MissingDependencyError",
    "OutputError",
    "Pain",
    "Plan",
    "PlanItem",
    "Profile",
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
    "WorkerError",
    "__version__",
    "engine_info",
    "profile_json_schema",
    "recommend",
    "recommend_many",
]

# Public names show as ``footmap.Plan``, not as the private module that defines them.
for _name in __all__:
    _value = globals()[_name]
    if hasattr(_value, "__module__") and _name != "__version__":
        _value.__module__ = __name__
del _name, _value
