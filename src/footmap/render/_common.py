"""Wording shared by the renderers."""

from __future__ import annotations

from footmap._plan import DosagePlan, Plan, PlanItem, Reason

TRIAGE_HEADLINES: dict[str, str] = {
    "self_care": "Self-care: a routine you can start today.",
    "see_clinician": "See a clinician: get assessed soon; start only the gentle items below.",
    "urgent": "Urgent: get medical care now. No exercise routine until you have been seen.",
}


def dosage_line(dosage: DosagePlan | None) -> str:
    """The dosage in one line: the source's wording, then any adjustment."""
    if dosage is None:
        return ""
    parts = [dosage.text]
    parts += [f"Adjusted: {note}" for note in dosage.notes]
    return " ".join(parts)


def path_line(reason: Reason) -> str:
    """A graph path as ``a → b → c``, by name where the plan has the names."""
    return " → ".join(reason.path_names or reason.path)


def section_items(plan: Plan) -> list[tuple[str, list[PlanItem]]]:
    """The plan's sections, titled, in reading order."""
    return [
        ("Routine", plan.routine),
        ("Reflexology and acupressure (optional, unproven)", plan.reflexology),
        ("Advice", plan.advice),
    ]
