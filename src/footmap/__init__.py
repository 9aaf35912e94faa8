"""footmap: personalised, explained and safe foot-exercise routines.

>>> import footmap
>>> footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}).triage
'self_care'
"""

from footmap.batch import recommend_many
from footmap.errors import (
    Finding,
    FindingCode,
    FootmapError,
    KnowledgeError,
    ResumeError,
    RuleEngineError,
)
from footmap.knowledge.base import KnowledgeBase
from footmap.pipeline import recommend
from footmap.plan import Caution, DosagePlan, Excluded, Plan, PlanItem, Reason, SafetyMessage
from footmap.profile import Pain, Profile
from footmap.rules.backend import EngineFallbackWarning

__version__ = "0.1.0"

__all__ = [
    "Caution",
    "DosagePlan",
    "EngineFallbackWarning",
    "Excluded",
    "Finding",
    "FindingCode",
    "FootmapError",
    "KnowledgeBase",
    "KnowledgeError",
    "Pain",
    "Plan",
    "PlanItem",
    "Profile",
    "Reason",
    "ResumeError",
    "RuleEngineError",
    "SafetyMessage",
    "__version__",
    "recommend",
    "recommend_many",
]
