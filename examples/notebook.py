"""What a notebook does: build a profile, get a plan, read why each item is there."""

import footmap

profile = footmap.Profile(
    pains=[{"area": "knee", "severity": 4, "side": "left", "weeks": 8}],
    observations=["stiff_ankles"],
    equipment=["towel", "chair"],
    age=68,
    minutes_per_day=15,
)
plan = footmap.recommend(profile)
print(plan.triage)
for item in plan.routine:
    print(f"{item.name}: {item.dosage.text if item.dosage else ''}")
    for reason in item.why:
        print(f"   because {reason.summary} ({' → '.join(reason.path)}; evidence {reason.evidence})")
print(plan.explain())
