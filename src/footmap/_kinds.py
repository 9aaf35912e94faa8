"""The one table of kinds: node kinds, item kinds, fact types, profile vocabularies, node ids.

Every other module reads these tables; none lists kinds of its own. Adding an item kind is
knowledge data (a file of entries) plus one :class:`ItemKind` row here (and, if its entries have
fields no existing model has, their model in ``_knowledge/schema.py``); see
``docs/architecture.md``. This module imports nothing of footmap's: it is the leaf every stage
can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The node every profile starts from, for advice meant for everyone.
EVERYONE = "everyone"
#: The node kind of a mechanism between a complaint and a remedy.
FACTOR = "factor"

#: What a rule can decide: refer (triage), exclude an item, caution, adjust a dosage, safety-net,
#: and move an item along its ladder: one step up (``progress``) or down (``regress``).
EffectKind = Literal["refer", "exclude", "caution", "adjust", "safety_net", "progress", "regress"]
EFFECT_KINDS: tuple[EffectKind, ...] = (
    "refer",
    "exclude",
    "caution",
    "adjust",
    "safety_net",
    "progress",
    "regress",
)
#: The effect kinds that need a ``target`` (the binding of an item pattern).
TARGETED_EFFECTS: tuple[EffectKind, ...] = ("exclude", "adjust", "progress", "regress")

#: A section of a plan, in reading order (the ``Plan`` fields that hold items).
Section = Literal["routine", "reflexology", "acupressure", "advice"]
SECTIONS: tuple[Section, ...] = ("routine", "reflexology", "acupressure", "advice")


#: The vocabulary of ``Pain.area``.
PAIN_AREAS = "pain_areas"


@dataclass(frozen=True)
class ReportedKind:
    """Something a person reports that is a graph node and a fact type: a pain, a symptom …"""

    name: str
    """Node kind and fact type (``symptom``)."""
    vocabulary: str
    """The vocabulary list its ids come from (``symptoms``)."""
    profile_field: str
    """The ``Profile`` field that holds them (``symptoms``)."""


@dataclass(frozen=True)
class ItemKind:
    """A kind of item a plan can hold: where it is written, how it is read, where it goes."""

    name: str
    """Node kind, and ``PlanItem.kind`` (``exercise``)."""
    file: str
    """The knowledge file (without ``.yaml``) that lists the items, and ``Knowledge`` field."""
    model: str
    """The name of the entry model in ``_knowledge/schema.py``."""
    section: Section
    """The plan section the items go to."""
    timed: bool
    """Whether the items take minutes of the daily budget."""


@dataclass(frozen=True)
class ProfileVocabulary:
    """A list field of ``Profile`` whose values are ids of one vocabulary list."""

    field: str
    vocabulary: str
    label: str
    """How one value is named in an error message (``symptom``)."""


#: The kind of a reported pain (a ``Pain`` of the profile: an area with its severity and more).
PAIN_FACT = "pain"

REPORTED_KINDS: tuple[ReportedKind, ...] = (
    ReportedKind(PAIN_FACT, PAIN_AREAS, "pains"),
    ReportedKind("symptom", "symptoms", "symptoms"),
    ReportedKind("observation", "observations", "observations"),
    ReportedKind("condition", "conditions", "conditions"),
)

ITEM_KINDS: tuple[ItemKind, ...] = (
    ItemKind("exercise", "exercises", "Exercise", "routine", timed=True),
    ItemKind("reflex_area", "reflexology", "ReflexArea", "reflexology", timed=True),
    ItemKind("acupressure_point", "acupressure", "AcupressurePoint", "acupressure", timed=True),
    ItemKind("advice", "advice", "Advice", "advice", timed=False),
)

#: Every node kind of the knowledge graph, besides the one ``everyone`` node.
NODE_KINDS: tuple[str, ...] = (
    *(kind.name for kind in REPORTED_KINDS),
    FACTOR,
    *(kind.name for kind in ITEM_KINDS),
)

#: The profile's list fields of ids, and the vocabulary each one's ids come from.
PROFILE_VOCABULARIES: tuple[ProfileVocabulary, ...] = (
    ProfileVocabulary("symptoms", "symptoms", "symptom"),
    ProfileVocabulary("observations", "observations", "observation"),
    ProfileVocabulary("conditions", "conditions", "condition"),
    ProfileVocabulary("equipment", "equipment", "equipment"),
    ProfileVocabulary("exclude", "modalities", "modality"),
)

# --- facts --------------------------------------------------------------------------------------

PERSON_FACT = "person"
ITEM_FACT = "item"
NEED_FACT = "need"
#: The facts of the session logs: one per logged item, one per logged complaint, one in all.
ITEM_LOG_FACT = "item_log"
COMPLAINT_LOG_FACT = "complaint_log"
PROGRAMME_FACT = "programme"
#: The fact types only session logs give (a rule that matches one acts on the logs).
LOG_FACTS: tuple[str, ...] = (ITEM_LOG_FACT, COMPLAINT_LOG_FACT, PROGRAMME_FACT)
MISSING_EQUIPMENT_FACT = "missing_equipment"
EXCLUDED_MODALITY_FACT = "excluded_modality"
#: The vocabulary whose ids are item ids (for fact fields that name an item).
ITEMS = "items"

#: For each fact type: its fields, and the vocabulary a field's values come from (``None``: a free
#: value, a number or a flag). Rules may test exactly these fields.
FACT_TYPES: dict[str, dict[str, str | None]] = {
    PAIN_FACT: {
        "key": PAIN_AREAS,
        "severity": None,
        "side": None,
        "weeks": None,
        "assessed": None,
        "trend": None,
    },
    **{kind.name: {"key": kind.vocabulary} for kind in REPORTED_KINDS if kind.name != PAIN_FACT},
    MISSING_EQUIPMENT_FACT: {"key": "equipment"},
    EXCLUDED_MODALITY_FACT: {"key": "modalities"},
    PERSON_FACT: {"age": None, "can_get_on_floor": None, "can_stand_unaided": None, "minutes_per_day": None},
    ITEM_FACT: {
        "key": ITEMS,
        "kind": None,
        "modality": "modalities",
        "position": None,
        "phase": None,
        "weight_bearing": None,
    },
    NEED_FACT: {"item": ITEMS, "equipment": "equipment"},
    ITEM_LOG_FACT: {
        "key": ITEMS,
        "sessions": None,
        "skips": None,
        "max_after": None,
        "max_rise": None,
        "unsettled": None,
        "easy_weeks": None,
        "dates": None,
    },
    COMPLAINT_LOG_FACT: {"key": PAIN_AREAS, "weeks": None, "change": None},
    PROGRAMME_FACT: {"days": None, "adherence": None},
}

# --- node ids -----------------------------------------------------------------------------------


def node_id(kind: str, ident: str) -> str:
    """The graph node id of an entry: ``kind:id``.

    >>> node_id("exercise", "toe_curls")
    'exercise:toe_curls'
    """
    return f"{kind}:{ident}"


def split_node(node: str) -> tuple[str, str]:
    """A node id's kind and id; ``everyone`` is ``("everyone", "")``.

    >>> split_node("exercise:toe_curls")
    ('exercise', 'toe_curls')
    """
    kind, _, ident = node.partition(":")
    return kind, ident


def item_kind(name: str) -> ItemKind:
    """The row of an item kind, by its name."""
    return _ITEM_KINDS_BY_NAME[name]


_ITEM_KINDS_BY_NAME = {kind.name: kind for kind in ITEM_KINDS}
