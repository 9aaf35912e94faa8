"""The ``html`` renderer: the plan as an HTML fragment for notebooks, every text escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from footmap.render._common import distinct_reasons, dosage_line, graded_paths, headline, section_items

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import Plan, PlanItem


def to_html(plan: Plan, wording: Wording) -> str:
    """The plan as a self-contained HTML fragment (every text escaped)."""
    parts = [f'<div class="footmap-plan"><p><strong>{escape(headline(plan, wording))}</strong></p>']
    if plan.safety_net:
        title = escape(wording.markdown.safety_net)
        parts.append(
            f'<div class="footmap-safety-net"><p><strong>{title}</strong></p><ul>'
            + "".join(f"<li>{escape(sign.message)}</li>" for sign in plan.safety_net)
            + "</ul></div>"
        )
    if plan.safety:
        parts.append(
            "<ul>"
            + "".join(
                f"<li><strong>{escape(m.level)}</strong>: {escape(m.message)}</li>" for m in plan.safety
            )
            + "</ul>"
        )
    for title, items in section_items(plan, wording):
        if items:
            parts.append(f"<h3>{escape(title)}</h3><ol>")
            parts += [_item(item, wording) for item in items]
            parts.append("</ol>")
    if plan.excluded:
        parts.append(
            f"<details><summary>{escape(wording.markdown.left_out)}</summary><ul>"
            + "".join(f"<li>{escape(e.name)}: {escape(e.reason)}</li>" for e in plan.excluded)
            + "</ul></details>"
        )
    parts.append(f"<p><em>{escape(plan.disclaimer)}</em></p></div>")
    return "".join(parts)


def _item(item: PlanItem, wording: Wording) -> str:
    why = "".join(f"<li>{escape(summary)}</li>" for summary, _ in distinct_reasons(item))
    why += "".join(
        f"<li><small>{escape(wording.markdown.why_path.format(path=path))}</small></li>"
        for path in graded_paths(item, wording)
    )
    cautions = "".join(f"<li>⚠ {escape(c.message)}</li>" for c in item.cautions)
    return (
        f"<li><strong>{escape(item.name)}</strong> — {escape(dosage_line(item.dosage, wording))}"
        f" <small>({escape(item.evidence_label)})</small><ul>{why}{cautions}</ul></li>"
    )
