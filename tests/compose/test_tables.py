"""The plan's tables: each source cited once, in full; names and evidence labels said once; the
JSON without empty fields, read back as the same plan; an older plan's JSON still read."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pydantic
import pytest
from hypothesis import given, settings

import footmap
from footmap._knowledge.base import shipped_knowledge
from tests.strategies import profile_dicts

KB = shipped_knowledge()
BACK = {"pains": [{"area": "back", "severity": 5, "weeks": 3}], "symptoms": ["stiffness"], "age": 60}
RULE_REASON_FACT_NONE = "knowledge"


def cited(plan: footmap.Plan, *, notes: bool = True) -> set[str]:
    """Every source id a plan's parts cite (with its schedule's ``notes`` or without)."""
    sources = {reason.source for item in plan.items for reason in item.why}
    sources |= {caution.source for item in plan.items for caution in item.cautions}
    sources |= {entry.source for entry in [*plan.safety, *plan.safety_net, *plan.changes]}
    sources |= {entry.source for entry in plan.excluded if entry.source is not None}
    return sources | ({note.source for note in plan.schedule.notes} if notes else set())


def named(plan: footmap.Plan) -> set[str]:
    """Every fact and graph node the plan's reasons name."""
    keys: set[str] = set()
    for reason in (reason for item in plan.items for reason in item.why):
        if reason.path:
            keys.update(reason.path)
        elif reason.fact != RULE_REASON_FACT_NONE:
            keys.update(reason.fact.split(", "))
    return keys


def empty_fields(value: Any, where: str = "") -> list[str]:
    """Where JSON holds a field with nothing in it (null, empty text, list or object)."""
    if isinstance(value, list):
        return [
            found for index, entry in enumerate(value) for found in empty_fields(entry, f"{where}[{index}]")
        ]
    if not isinstance(value, dict):
        return []
    found = [f"{where}.{key}" for key, entry in value.items() if entry in (None, "", [], {})]
    return found + [hit for key, entry in value.items() for hit in empty_fields(entry, f"{where}.{key}")]


@settings(max_examples=60, deadline=None)
@given(profile_dicts())
def test_the_sources_table_holds_exactly_the_sources_cited_each_in_full(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    assert set(plan.sources) == cited(plan)
    for ident, source in plan.sources.items():
        known = KB.sources[ident]
        assert (source.citation, source.url, source.verified) == (known.citation, known.url, known.verified)
        assert plan.citation(ident) == known.citation


@settings(max_examples=60, deadline=None)
@given(profile_dicts())
def test_names_and_evidence_labels_are_said_once_for_what_the_plan_uses(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    assert set(plan.names) == named(plan)
    assert all(plan.names.values())
    assert set(plan.evidence_labels) == {item.evidence for item in plan.items}
    labels = KB.wording.evidence.model_dump()
    assert all(item.evidence_label == labels[item.evidence] for item in plan.items)


@settings(max_examples=40, deadline=None)
@given(profile_dicts())
def test_the_json_holds_no_empty_field_and_reads_back_as_the_same_plan(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    text = plan.model_dump_json()
    assert empty_fields(json.loads(text)) == []
    again = footmap.Plan.model_validate_json(text)
    assert again == plan
    assert again.model_dump_json() == text


def test_a_reason_is_named_from_the_plan_tables() -> None:
    plan = footmap.recommend(BACK)
    reasons = [reason for item in plan.items for reason in item.why]
    by_path = next(reason for reason in reasons if len(reason.path) >= 2)
    assert plan.path_names(by_path) == [KB.graph.nodes[node]["name"] for node in by_path.path]
    assert plan.fact_name(by_path) == KB.graph.nodes[by_path.path[0]]["name"]
    assert plan.name_of("no such node") == "no such node"


def test_the_json_schema_describes_the_json_written() -> None:
    plan = footmap.recommend(BACK)
    for mode in ("validation", "serialization"):
        schema = footmap.Plan.model_json_schema(mode=mode)
        jsonschema.validate(json.loads(plan.model_dump_json()), schema)
        reason = schema["$defs"]["Reason"]
        assert reason["required"] == ["summary", "fact", "evidence", "source"], mode


def test_an_item_keeps_its_plan_tables_without_them_changing_its_value() -> None:
    plan = footmap.recommend(BACK)
    item = plan.routine[0]
    alone = footmap.PlanItem.model_validate_json(item.model_dump_json())
    assert alone == item
    assert item.tables.citation(item.why[0].source) == KB.sources[item.why[0].source].citation
    assert alone.tables.citation(item.why[0].source) == item.why[0].source  # no plan: the id


def older_json(plan: footmap.Plan) -> str:
    """The plan as a plan made before plans had tables wrote it: names, labels and citations in
    every reason, every source field holding the citation."""
    data = json.loads(plan.model_dump_json())

    def cite(entry: dict[str, Any]) -> dict[str, Any]:
        if "source" in entry:
            entry["source"] = plan.citation(entry["source"])
        return entry

    for section in ("routine", "reflexology", "acupressure", "advice"):
        for entry, item in zip(data.get(section, []), getattr(plan, section), strict=True):
            entry["evidence_label"] = item.evidence_label
            for reason_data, reason in zip(entry["why"], item.why, strict=True):
                reason_data["fact_name"] = plan.fact_name(reason)
                reason_data["path_names"] = plan.path_names(reason)
                cite(reason_data)
            for caution in entry.get("cautions", []):
                cite(caution)
    data["excluded"] = [entry.model_dump(mode="json") for entry in plan.excluded]  # item by item
    for section in ("safety_net", "safety", "excluded", "changes"):
        for entry in data.get(section, []):
            cite(entry)
    for key in ("sources", "names", "evidence_labels", "left_out"):
        data.pop(key, None)
    return json.dumps(data)


def test_an_older_plan_json_reads_with_its_citations_in_full() -> None:
    plan = footmap.recommend(BACK)
    older = footmap.Plan.model_validate_json(older_json(plan))
    # An older plan's schedule notes held source ids already: they stay ids, out of the table.
    assert set(older.sources) == {plan.citation(ident) for ident in cited(plan, notes=False)}
    assert older.names == plan.names
    assert older.evidence_labels == plan.evidence_labels
    assert [entry.id for entry in older.excluded] == [entry.id for entry in plan.excluded]
    assert older.to_markdown() == plan.to_markdown()


def test_text_that_is_not_a_plan_is_pydantic_s_error_not_an_upgrade() -> None:
    for text in ("{not json", '{"triage": "self_care"}', "[]"):
        with pytest.raises(pydantic.ValidationError):
            footmap.Plan.model_validate_json(text)
