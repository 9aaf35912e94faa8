"""Each kept item as a plan item: its dosage after adjustments, minutes, evidence and cautions."""

from __future__ import annotations

from collections.abc import Sequence

from footmap._compose.parts import EVIDENCE_RANK, DosageData, ItemData, KnowledgeParts
from footmap._compose.select import Draft
from footmap._compose.words import dosage_words
from footmap._knowledge import schema
from footmap._knowledge.base import Item, KnowledgeBase, PerKnowledge
from footmap._rules.effects import Effect


def plan_item(
    draft: Draft,
    parts: KnowledgeParts,
    cautions: Sequence[Effect],
    adjusts: Sequence[Effect],
    *,
    reassure: bool,
) -> ItemData:
    """The plan item of a draft: dosage, minutes a day, best evidence, reasons, cautions; its
    reassurance as a last step only where the plan may ``reassure`` (no referral)."""
    item = draft.item
    fields = parts.item(item.id)
    if reassure and item.reassurance is not None:
        fields = {**fields, "steps": [*fields["steps"], item.reassurance]}
    dosage = (
        _dosage(item, adjusts, parts.wording.dosage) if adjusts else _unadjusted(parts.knowledge).get(item.id)
    )
    reasons = sorted(draft.reasons, key=lambda r: (r["rule"] is not None, r["fact"], r["path"]))
    evidence = max(
        (r["evidence"] for r in reasons if r["rule"] is None),
        default=item.evidence,
        key=EVIDENCE_RANK.__getitem__,
    )
    scale = _scale(adjusts, floor=1) if adjusts else 1.0
    per_day = item.minutes * (dosage["times_per_day"] if dosage else 1) * scale
    distinct = {(c.rule, c.message, parts.citation(c.source)) for c in cautions}
    return {
        **fields,
        "kind": draft.kind,
        "dosage": dosage,
        "minutes": round(per_day, 2),
        "evidence": evidence,
        "evidence_label": parts.evidence_labels[evidence],
        "why": reasons,
        "cautions": [
            {"message": message, "rule": rule, "source": source} for rule, message, source in sorted(distinct)
        ],
        "replaces": draft.replaces,
    }


def _scale(adjusts: Sequence[Effect], floor: float = 0.0) -> float:
    scale = min((a.scale for a in adjusts if a.scale is not None), default=1.0)
    return max(scale, floor)


def _dosage(item: Item, adjusts: Sequence[Effect], words: schema.DosageWording) -> DosageData | None:
    if isinstance(item, schema.Advice):
        return None
    base = item.dosage
    scale = _scale(adjusts)

    def scaled(value: int | None) -> int | None:
        return None if value is None else max(1, round(value * scale))

    dosage: DosageData = {
        "text": base.text,
        "words": "",
        "sets": base.sets,
        "reps": scaled(base.reps),
        "hold_seconds": scaled(base.hold_seconds),
        "rest_seconds": base.rest_seconds,
        "duration_seconds": scaled(base.duration_seconds),
        "times_per_day": base.times_per_day,
        "per_side": base.per_side,
        "adjusted_by": sorted({a.rule for a in adjusts}),
        "notes": sorted({a.message for a in adjusts}),
    }
    dosage["words"] = dosage_words(dosage, words, scale)
    return dosage


def _unadjusted_dosages(knowledge: KnowledgeBase) -> dict[str, DosageData | None]:
    words = knowledge.wording.dosage
    return {ident: _dosage(item, (), words) for ident, item in knowledge.items.items()}


_unadjusted = PerKnowledge(_unadjusted_dosages)
