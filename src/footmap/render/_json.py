"""The ``json`` renderer: the plan as indented JSON, which ``Plan.model_validate_json`` reads back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import Plan


def to_json(plan: Plan, wording: Wording) -> str:
    """The plan as JSON (wording does not apply: the plan's own texts are already in it)."""
    del wording
    return plan.model_dump_json(indent=2)


def to_compact_json(plan: Plan, wording: Wording) -> str:
    """The plan as compact JSON (``footmap.compact_plan``): its knowledge's texts as numbers into
    the knowledge's catalog, which ``footmap.expand_plan`` reads it back with."""
    from footmap._compact import compact_plan  # only a compact plan needs the catalog

    del wording
    return compact_plan(plan)
