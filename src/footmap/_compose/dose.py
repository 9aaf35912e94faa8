"""Each kept item as a plan item: its dosage after adjustments, minutes, evidence and cautions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from footmap._compose.parts import EVIDENCE_RANK, DosageData, ItemData, KnowledgeParts
from footmap._compose.select import Draft
from footmap._compose.words import dosage_words
from footmap._knowledge import schema
from footmap._knowledge.base import Item
from footmap._rules.effects import Effect


def plan_item(
    draft: Draft,
    parts: KnowledgeParts,
    cautions: Sequence[Effect],
    adjusts: Sequence[Effect],
    *,
    reassure: bool,
    start: Mapping[str, int] | None = None,
    start_minutes: float | None = None,
) -> ItemData:
    """The plan item of a draft: dosage, minutes a day, best evidence, reasons, cautions; its
    reassurance as a last step only where the plan may ``reassure`` (no referral). ``start`` is
    the whole dose of the ladder step it starts at (with its ``start_minutes`` a day), when the
    session logs moved it off its own dose.

    The same inputs give the same item, so an item whose reasons are all the knowledge's own
    (its graph paths', not a swap's or a log's) is worked out once per knowledge base and kept
    in its parts, which compose never changes.
    """
    inputs = (tuple(cautions), reassure, tuple(adjusts), start_minutes)
    key = None if start is not None else _kept_as(draft, parts, inputs)
    kept = parts.plan_items.get(key) if key is not None else None
    if kept is not None:
        return kept
    item = draft.item
    fields = parts.item(item.id)
    if reassure and item.reassurance is not None:
        fields = {**fields, "steps": [*fields["steps"], item.reassurance]}
    dosage = (
        _dosage(item, adjusts, parts.wording.dosage, start)
        if adjusts or start is not None
        else _unadjusted(parts, item)
    )
    reasons = sorted(draft.reasons, key=lambda r: (r["rule"] is not None, r["fact"], r["path"]))
    evidence = max(
        (r["evidence"] for r in reasons if r["rule"] is None),
        default=item.evidence,
        key=EVIDENCE_RANK.__getitem__,
    )
    scale = _scale(adjusts, floor=1) if adjusts else 1.0
    own_minutes = item.minutes * (dosage["times_per_day"] if dosage else 1)
    per_day = (start_minutes if start_minutes is not None else own_minutes) * scale
    distinct = {(c.rule, c.message, c.source) for c in cautions}
    made: ItemData = {
        **fields,
        "kind": draft.kind,
        "dosage": dosage,
        "minutes": round(per_day, 2),
        "evidence": evidence,
        "why": reasons,
        "cautions": [
            {"message": message, "rule": rule, "source": source} for rule, message, source in sorted(distinct)
        ],
        "replaces": draft.replaces,
    }
    return parts.keep_plan_item(key, made) if key is not None else made


def _kept_as(draft: Draft, parts: KnowledgeParts, inputs: tuple[object, ...]) -> tuple[object, ...] | None:
    """What a plan item is kept by: the draft (its reasons by identity) and the other ``inputs``
    (cautions, reassurance, adjustments, minutes); ``None`` when one of its reasons is not the
    knowledge's own (then it is not kept: it would never be found again)."""
    if not parts.own_reasons(draft.reasons):
        return None
    return (draft.item.id, draft.kind, draft.replaces, tuple(map(id, draft.reasons)), *inputs)


def _scale(adjusts: Sequence[Effect], floor: float = 0.0) -> float:
    scale = min((a.scale for a in adjusts if a.scale is not None), default=1.0)
    return max(scale, floor)


def dose_words(item: schema.Exercise, dose: Mapping[str, int], words: schema.DosageWording) -> str:
    """An exercise's dosage in words at a whole dose of its ladder (``schema.DOSE_FIELDS``)."""
    dosage = _dosage(item, (), words, dose)
    return dosage["words"] if dosage is not None else ""


def known_dose_words(parts: KnowledgeParts, item: schema.Exercise, dose: Mapping[str, int]) -> str:
    """:func:`dose_words` in the knowledge's own wording, worked out once per knowledge base for
    each exercise and dose (kept in its parts: the words depend on the knowledge alone)."""
    key = (item.id, tuple(sorted(dose.items())))
    known = parts.dose_words.get(key)
    if known is None:
        known = parts.dose_words.setdefault(key, dose_words(item, dose, parts.wording.dosage))
    return known


def _dosage(
    item: Item,
    adjusts: Sequence[Effect],
    words: schema.DosageWording,
    start: Mapping[str, int] | None = None,
) -> DosageData | None:
    if isinstance(item, schema.Advice):
        return None
    base = item.dosage if start is None else item.dosage.model_copy(update=_whole(start))
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


def _whole(dose: Mapping[str, int]) -> dict[str, int | None]:
    """A ladder step's whole dose as dosage fields: the fields it leaves out are not done."""
    whole: dict[str, int | None] = {name: dose.get(name) for name in schema.DOSE_FIELDS}
    whole["times_per_day"] = dose.get("times_per_day", 1)
    return whole


def _unadjusted(parts: KnowledgeParts, item: Item) -> DosageData | None:
    """An item's own dosage, worked out once per knowledge base (kept in its parts)."""
    dosages = parts.dosages
    if item.id not in dosages:
        dosages.setdefault(item.id, _dosage(item, (), parts.wording.dosage))
    return dosages[item.id]
