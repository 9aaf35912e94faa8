"""The profile's JSON schema: every vocabulary field lists the knowledge's ids as an enum, with a
description and an example; no doctest text in any description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import footmap
from footmap._kinds import PAIN_AREAS, PROFILE_VOCABULARIES


def vocabulary_fields(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each vocabulary field's property schema, by the vocabulary it takes ids from."""
    fields = {kind.vocabulary: schema["properties"][kind.field] for kind in PROFILE_VOCABULARIES}
    return {**fields, PAIN_AREAS: schema["$defs"]["Pain"]["properties"]["area"]}


def descriptions(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["description"]] if isinstance(schema.get("description"), str) else []
        return own + [text for value in schema.values() for text in descriptions(value)]
    if isinstance(schema, list):
        return [text for value in schema for text in descriptions(value)]
    return []


def test_every_vocabulary_field_has_the_knowledges_ids_as_its_enum(kb: footmap.KnowledgeBase) -> None:
    for vocabulary, prop in vocabulary_fields(footmap.profile_json_schema()).items():
        ids = sorted(kb.vocabulary[vocabulary])
        target = prop["items"] if prop.get("type") == "array" else prop
        assert target["enum"] == ids, vocabulary
        examples = prop["examples"] if prop is target else prop["examples"][0]
        assert set(examples) <= set(ids) and examples, vocabulary
        assert all(f"{ident} (" in prop["description"] for ident in ids), vocabulary


def test_a_given_knowledge_gives_its_own_vocabulary(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "equipment:\n  - id: step_stool\n    name: Step stool\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    schema = footmap.profile_json_schema(kb)
    assert "step_stool" in schema["properties"]["equipment"]["items"]["enum"]
    assert "step_stool" not in footmap.profile_json_schema()["properties"]["equipment"]["items"]["enum"]


def test_the_model_schema_that_fastapi_reads_is_the_same() -> None:
    assert footmap.Profile.model_json_schema() == footmap.profile_json_schema()


def test_no_description_holds_doctest_text() -> None:
    texts = descriptions(footmap.profile_json_schema())
    assert texts and not any(">>>" in text for text in texts)
    assert footmap.profile_json_schema()["description"].startswith("What a person reports")
