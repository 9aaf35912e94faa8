"""Hypothesis strategies: the one place generated profiles, rule sets and fact lists come from."""

from __future__ import annotations

import datetime
import os
import random
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from footmap._input.logs import MAX_COUNT, MAX_LIST, MAX_NOTE, MAX_SECONDS, MAX_SESSIONS, SessionLog
from footmap._kinds import FACT_TYPES
from footmap._knowledge.base import shipped_knowledge

_KNOWLEDGE = shipped_knowledge()

#: Under ``HYPOTHESIS_PROFILE=thorough`` every property runs the profile's full count (10,000).
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


def costly(examples: int) -> settings:
    """Settings for a property whose examples are costly (a plan, logs and an adjusted plan, a
    corrupted knowledge base): ``examples`` of them in everyday and CI runs (fewer if the profile
    asks for fewer), the profile's full count in thorough runs (``docs/reliability.md``)."""
    count = settings.default.max_examples
    return settings(max_examples=count if THOROUGH else min(examples, count), deadline=None)


_VOCABULARY = _KNOWLEDGE.vocabulary


def _referral_symptoms() -> set[str]:
    """Symptoms that some referral rule names: most profiles with one are not self-care."""
    named: set[str] = set()
    for rule in _KNOWLEDGE.knowledge.rules:
        if rule.effect == "refer":
            for pattern in rule.when.patterns:
                if pattern.fact == "symptom" and pattern.is_ is not None:
                    named.add(pattern.is_)
    return named


def _some(
    vocabulary: str, max_size: int = 20, without: frozenset[str] = frozenset()
) -> st.SearchStrategy[list[str]]:
    allowed = sorted(set(_VOCABULARY[vocabulary]) - without)
    return st.lists(st.sampled_from(allowed), max_size=min(max_size, len(allowed)), unique=True)


# Half the generated profiles report no referral symptom, so self-care plans are well covered too.
_symptoms = st.one_of(_some("symptoms"), _some("symptoms", without=frozenset(_referral_symptoms())))


#: Weeks as a profile may hold them: any float in [0, 520], the tiniest and the whole ones too.
weeks: st.SearchStrategy[float | int] = st.one_of(
    st.floats(0, 520),
    st.sampled_from([0.0, 5e-324, 1e-300, 1e-05, 0.5, 6.0, 12.0, 520.0]),
    st.integers(0, 520),
)

pains = st.fixed_dictionaries(
    {"area": st.sampled_from(sorted(_VOCABULARY["pain_areas"])), "severity": st.integers(0, 10)},
    optional={
        "side": st.sampled_from(["left", "right", "both"]),
        "weeks": weeks,
        "assessed": st.booleans(),
        "trend": st.sampled_from(["better", "same", "worse"]),
    },
)


def profile_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Profiles as dicts over the whole valid domain: every vocabulary id, lists of up to 20
    entries, severities 0–10, weeks in [0, 520], ages 1–120 or none, abilities and budgets."""
    return st.fixed_dictionaries(
        {
            "pains": st.lists(pains, max_size=20),
            "symptoms": _symptoms,
            "observations": _some("observations"),
            "conditions": _some("conditions"),
            "equipment": _some("equipment"),
            "can_get_on_floor": st.booleans(),
            "can_stand_unaided": st.booleans(),
            "minutes_per_day": st.integers(5, 120),
            "exclude": _some("modalities"),
        },
        optional={"age": st.integers(1, 120)},
    )


#: A few fixed profiles that span the triage levels, for tests that compare ways of running.
SAMPLE_PROFILES: list[dict[str, Any]] = [
    {
        "pains": [{"area": "back", "severity": 6, "weeks": 3}],
        "symptoms": ["stiffness"],
        "equipment": ["towel", "tennis_ball", "chair", "wall"],
        "minutes_per_day": 15,
    },
    {"pains": [{"area": "knee", "severity": 5, "side": "left"}], "age": 72, "can_get_on_floor": False},
    {"pains": [{"area": "back", "severity": 9}], "conditions": ["pregnancy"]},
    {"symptoms": ["saddle_numbness"]},
    {"observations": ["dry_skin", "calluses"], "conditions": ["diabetes"], "age": 60},
    {},
]


# --- rule sets and facts ------------------------------------------------------------------------
#
# Built from one ``random.Random`` per example (drawn by hypothesis, so runs are reproducible and
# the ci profile derandomised): drawing each value through hypothesis made generation cost ten
# times the two engines' runs. Each example picks a few fact types and small pools of values, so
# that patterns, joins and facts meet often.

#: What each free fact field (no vocabulary in ``FACT_TYPES``) holds; a field not listed holds numbers.
_FREE_FIELD_KINDS = {
    "side": "text",
    "kind": "text",
    "position": "text",
    "phase": "text",
    "can_get_on_floor": "flag",
    "can_stand_unaided": "flag",
    "weight_bearing": "flag",
}
#: Numbers where exact comparison is easy to get wrong: tiny, huge, negative, signed zeros, whole
#: floats next to integers, and the edge of the integers durable-rules compares exactly.
EDGE_NUMBERS: list[float | int] = [
    0, 0.0, -0.0, 1, 1.0, 3, 3.0, -3, 0.5, 2.5, -2.5, 6, 520.0, 1e-05, 0.00001, 1e-300, 5e-324,
    -5e-324, 1e300, -1e300, 1.7976931348623157e308, 2**53, -(2**53), 2.0**53, 9.3e18, 0.1, 0.3,
]  # fmt: skip
_COMPARISONS = ["eq", "ne", "one_of", "gt", "gte", "lt", "lte"]


def _field_kind(fact_type: str, field: str) -> str:
    vocabulary = FACT_TYPES[fact_type][field]
    if vocabulary is not None:
        return f"vocabulary:{vocabulary}"
    return _FREE_FIELD_KINDS.get(field, "number")


class _Generator:
    """Well-typed rules and facts over a few fact types and small pools of values."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.types = rng.sample(sorted(FACT_TYPES), rng.randint(1, 3))
        numbers = rng.sample(EDGE_NUMBERS, 4)
        numbers += [rng.uniform(-1e3, 1e3), rng.randint(-20, 20), rng.choice(numbers) * -1]
        self.pools: dict[str, list[Any]] = {"number": numbers, "flag": [True, False], "text": ["a", "b"]}

    def values(self, kind: str) -> list[Any]:
        if kind not in self.pools:
            vocabulary = kind.partition(":")[2]
            ids = sorted(_VOCABULARY.get(vocabulary, _KNOWLEDGE.items))
            self.pools[kind] = self.rng.sample(ids, min(2, len(ids)))
        return self.pools[kind]

    def value(self, kind: str) -> Any:
        return self.rng.choice(self.values(kind))

    def comparison(self, kind: str, refs: list[str]) -> Any:
        operators = ["constant", *_COMPARISONS[: 7 if kind == "number" else 3]] + (["ref"] if refs else [])
        operator = self.rng.choice(operators)
        if operator == "constant":
            return self.value(kind)
        if operator == "ref":
            return {"ref": self.rng.choice(refs)}
        if operator == "one_of":
            return {"one_of": [self.value(kind) for _ in range(self.rng.randint(1, 3))]}
        return {operator: self.value(kind)}

    def pattern(self, number: int, bound: dict[str, str], absent: bool) -> dict[str, Any]:
        """A pattern; ``bound`` maps each earlier positive binding to its fact type."""
        fact_type = self.rng.choice(self.types)
        fields = sorted(FACT_TYPES[fact_type])
        pattern: dict[str, Any] = {"fact": fact_type}
        if "key" in fields and self.rng.random() < 0.4:
            pattern["is"] = self.value(_field_kind(fact_type, "key"))
        where: dict[str, Any] = {}
        for field in self.rng.sample(fields, self.rng.randint(0, min(2, len(fields)))):
            kind = _field_kind(fact_type, field)
            refs = [
                f"{binding}.{other}"
                for binding, other_type in bound.items()
                for other in sorted(FACT_TYPES[other_type])
                if _field_kind(other_type, other) == kind
            ]
            where[field] = self.comparison(kind, refs)
        if where:
            pattern["where"] = where
        if absent:
            pattern["absent"] = True
        else:
            pattern["as"] = f"b{number}"
        return pattern

    def rule(self, ident: str) -> dict[str, Any]:
        mode = self.rng.choice(["all", "any"])
        size = self.rng.randint(1, 4)
        patterns: list[dict[str, Any]] = []
        bound: dict[str, str] = {}
        for number in range(size):
            positive_yet = any("as" in p for p in patterns)
            may_be_absent = mode == "all" and (positive_yet or number < size - 1)
            pattern = self.pattern(
                number, bound if mode == "all" else {}, may_be_absent and self.rng.random() < 0.25
            )
            if "as" in pattern:
                bound[pattern["as"]] = pattern["fact"]
            patterns.append(pattern)
        return {"id": ident, "effect": "caution", "message": "m", "source": "s", "when": {mode: patterns}}

    def fact(self) -> dict[str, Any]:
        fact_type = self.rng.choice(self.types)
        fact: dict[str, Any] = {"t": fact_type}
        for field in sorted(FACT_TYPES[fact_type]):
            if field == "key" or self.rng.random() < 0.8:
                fact[field] = self.value(_field_kind(fact_type, field))
        return fact


def _rule_set(
    rng: random.Random, max_rules: int, max_facts: int
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    generator = _Generator(rng)
    rules = [generator.rule(f"generated.r{number}") for number in range(rng.randint(1, max_rules))]
    facts = [[generator.fact() for _ in range(rng.randint(0, max_facts))] for _ in range(rng.randint(1, 3))]
    for one in facts:
        if one and rng.random() < 0.2:
            one.append(rng.choice(one))  # the same fact twice
    return rules, facts


def rule_sets_with_facts(
    max_rules: int = 8, max_facts: int = 8
) -> st.SearchStrategy[tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]]:
    """A generated rule set (1–``max_rules`` well-typed rules as data, distinct ids) and 1–3 lists
    of up to ``max_facts`` facts over the same fact types and values.

    Rules: ``all`` or ``any`` of 1–4 patterns over ``FACT_TYPES``, with ``is``, constants,
    ``eq``/``ne``/``one_of`` and, on numbers, ``gt``/``gte``/``lt``/``lte``, ``ref`` joins on
    earlier bindings of the same kind of field, ``absent`` (in ``all``), several patterns of one
    fact type; operands include :data:`EDGE_NUMBERS`. Facts miss fields now and then, and a list
    may hold the same fact twice.
    """
    return st.builds(lambda rng: _rule_set(rng, max_rules, max_facts), st.randoms(use_true_random=False))


# --- session logs -------------------------------------------------------------------------------

_ITEM_IDS = sorted(_KNOWLEDGE.items)
_SCORES = st.integers(0, 10)

#: An item of a session as a dict: done with any of its dose fields (or none), or skipped.
logged_items = st.one_of(
    st.fixed_dictionaries(
        {"id": st.sampled_from(_ITEM_IDS)},
        optional={
            "sets": st.integers(0, MAX_COUNT),
            "reps": st.integers(0, MAX_COUNT),
            "holds": st.integers(0, MAX_COUNT),
            "seconds": st.integers(0, MAX_SECONDS),
            "skipped": st.just(False),
        },
    ),
    st.fixed_dictionaries({"id": st.sampled_from(_ITEM_IDS), "skipped": st.just(True)}),
)

#: The pain of a complaint around a session as a dict: any area and side, scores 0–10.
logged_pains = st.fixed_dictionaries(
    {"area": st.sampled_from(sorted(_VOCABULARY["pain_areas"])), "before": _SCORES, "after": _SCORES},
    optional={"side": st.sampled_from(["left", "right", "both"]), "next_morning": _SCORES},
)

#: Dates of logs: any day of two centuries, and the edges of months and leap years often.
log_dates = st.one_of(
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2199, 12, 31)),
    st.sampled_from([datetime.date(2028, 2, 29), datetime.date(2027, 12, 31), datetime.date(2027, 1, 1)]),
)


def session_log_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Session logs as dicts over the whole valid domain: any item ids and pain areas of the
    shipped knowledge, every symptom (red flags too), scores 0–10, optional fields left out,
    lists up to their limits (as many unique items and pains as the knowledge has) and any note."""
    return st.fixed_dictionaries(
        {
            "date": st.one_of(log_dates, log_dates.map(datetime.date.isoformat)),
            "items": st.lists(logged_items, max_size=MAX_LIST, unique_by=lambda item: item["id"]),
            "pain": st.lists(
                logged_pains, max_size=MAX_LIST, unique_by=lambda pain: (pain["area"], pain.get("side"))
            ),
        },
        optional={
            "session": st.integers(1, MAX_SESSIONS),
            "difficulty": st.sampled_from(["easy", "ok", "hard"]),
            "new_symptoms": st.lists(st.sampled_from(sorted(_VOCABULARY["symptoms"])), max_size=MAX_LIST),
            "note": st.one_of(
                st.text(max_size=MAX_NOTE),
                st.sampled_from(["=1+1", "'=x", "''@y", "-2", 'a,b\n"c"', "\r\n", " spaced "]),
            ),
        },
    )


def session_logs() -> st.SearchStrategy[SessionLog]:
    """Validated ``SessionLog`` objects over the whole valid domain (see ``session_log_dicts``)."""
    return session_log_dicts().map(SessionLog.model_validate)


def log_files() -> st.SearchStrategy[list[SessionLog]]:
    """Lists of logs a file can hold: each date and session once, in any order."""
    return st.lists(session_logs(), max_size=12, unique_by=lambda log: log.key)
