"""What the renderers share: the sections in reading order, and how a dosage and a path read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from footmap._kinds import SECTIONS

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import DosagePlan, Plan, PlanItem, Reason


def dosage_line(dosage: DosagePlan | None, wording: Wording) -> str:
    """The dosage in one line: what to do in words (the source's wording in a plan made before
    there were words), then any adjustment."""
    if dosage is None:
        return ""
    parts = [dosage.words or dosage.text]
    parts += [wording.markdown.adjusted.format(note=note) for note in dosage.notes]
    return " ".join(parts)


def path_line(reason: Reason) -> str:
    """A graph path as ``a → b → c``, by name where the plan has the names."""
    return " → ".join(reason.path_names or reason.path)


def section_items(plan: Plan, wording: Wording) -> list[tuple[str, list[PlanItem]]]:
    """The plan's sections, titled, in reading order."""
    titles = wording.sections.model_dump()
    return [(titles[section], getattr(plan, section)) for section in SECTIONS]


def headline(plan: Plan, wording: Wording) -> str:
    """The plan's headline, by its triage level."""
    headlines: dict[str, str] = wording.triage.model_dump()
    return headlines[plan.triage]


def graded_paths(item: PlanItem, wording: Wording) -> list[str]:
    """Each distinct path of more than one link behind an item, every step with its own grade:
    ``Back pain → Tight ankles [no evidence] → Ankle circles [moderate evidence]``, so that a weak
    link in the middle is as visible as the last one. A report that names its own factor ("poor
    balance" → poor balance) is one step, not two."""
    words = wording.steps
    grades: dict[str, str] = words.model_dump()
    lines: list[str] = []
    for reason in item.why:
        names = reason.path_names
        if len(reason.step_evidence) < 2 or len(names) != len(reason.step_evidence) + 1:
            continue
        if not reason.path[-1].endswith(f":{item.id}"):
            continue  # the path of the item this one stands in for: its swap reason says so
        steps = [
            words.step.format(name=name, grade=grades[grade or "reported"])
            for before, name, grade in zip(names, names[1:], reason.step_evidence, strict=False)
            if not (grade is None and name == before)  # "you said poor balance" → poor balance
        ]
        line = " → ".join([names[0], *steps])
        if line not in lines:
            lines.append(line)
    return lines


def distinct_reasons(item: PlanItem) -> list[tuple[str, list[str]]]:
    """Each distinct reason of an item once, with the names of the reported facts it answers."""
    facts: dict[str, list[str]] = {}
    for reason in item.why:
        name = reason.fact_name or (reason.path_names[0] if reason.path_names else "")
        named = facts.setdefault(reason.summary, [])
        if name and name not in named:
            named.append(name)
    return list(facts.items())
