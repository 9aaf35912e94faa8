"""``Plan._repr_html_()``: the plan as an HTML fragment for notebooks."""

from __future__ import annotations

from html import escape

from footmap._plan import Plan, PlanItem
from footmap.render._common import TRIAGE_HEADLINES, dosage_line, section_items


def to_html(plan: Plan) -> str:
    """The plan as a self-contained HTML fragment (every text escaped)."""
    parts = [f'<div class="footmap-plan"><p><strong>{escape(TRIAGE_HEADLINES[plan.triage])}</strong></p>']
    if plan.safety:
        parts.append(
            "<ul>"
            + "".join(
                f"<li><strong>{escape(m.level)}</strong>: {escape(m.message)}</li>" for m in plan.safety
            )
            + "</ul>"
        )
    for title, items in section_items(plan):
        if items:
            parts.append(f"<h3>{escape(title)}</h3><ol>")
            parts += [_item(item) for item in items]
            parts.append("</ol>")
    if plan.excluded:
        parts.append(
            "<details><summary>Left out</summary><ul>"
            + "".join(f"<li>{escape(e.name)}: {escape(e.reason)}</li>" for e in plan.excluded)
            + "</ul></details>"
        )
    parts.append(f"<p><em>{escape(plan.disclaimer)}</em></p></div>")
    return "".join(parts)


def _item(item: PlanItem) -> str:
    why = "".join(f"<li>{escape(r.summary)}</li>" for r in item.why)
    cautions = "".join(f"<li>⚠ {escape(c.message)}</li>" for c in item.cautions)
    return (
        f"<li><strong>{escape(item.name)}</strong> — {escape(dosage_line(item.dosage))}"
        f" <small>({escape(item.evidence_label)})</small><ul>{why}{cautions}</ul></li>"
    )
