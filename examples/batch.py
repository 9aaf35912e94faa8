"""What a script does: a plan for every profile file in examples/profiles, as JSON lines."""

import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

import footmap

knowledge = footmap.KnowledgeBase.load()
for path in sorted((Path(__file__).parent / "profiles").glob("*.yaml")):
    try:
        plan = footmap.recommend(yaml.safe_load(path.read_text()), knowledge=knowledge)
    except ValidationError as error:
        print(f"{path.name}: {error}", file=sys.stderr)
        continue
    print(plan.model_dump_json())
