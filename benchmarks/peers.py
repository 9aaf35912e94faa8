"""The peers table: footmap's shipped rules run by other rule engines, same facts, same answers.

The rules are footmap's shipped ones (precautions and ``forbids`` included, as its engines run
them) **less those with an ``absent`` pattern**, which durable-rules cannot decide correctly
(its ``$not`` is decided when the positive facts arrive; NOTES-durable-rules.md): the subset
every peer can express, counted in the table. The facts are those footmap builds from each
profile of the realistic mix (``benchmarks/mix.py``), profile facts and candidate item facts.

The peers (each a module beside this one, translated generically from the rule data):

- plain Python, generated: one generated function per rule (``peers_python``), the baseline;
- footmap's reference evaluator (``footmap._rules.reference``), the test oracle;
- footmap's compiled twin (``engine="python"``): closures for the one-fact tests, joins in Python;
- footmap's durable-rules engine (``engine="durable"``): durable-rules runs the one-fact tests;
- durable-rules used directly: one ruleset with the joins in durable-rules itself
  (``peers_durable``, in a fresh process: its retract path corrupts its heap after joins);
- clipspy (``peers_clips``) and experta (``peers_experta``), when installed (the ``bench`` extra).

Every peer first runs every profile, and its effects (rule id, target, matched facts ...) must
equal the reference's on each; a peer that disagrees on any is reported so, and not timed. The
peers that agree are timed in this run, round by round (each round, each peer makes one pass
over the mix, so a drift of the machine touches all alike; durable-rules direct makes its passes
in its own process); the figure is the median pass per profile, the ratio is to the generated
plain Python. A second table runs every shipped rule, ``absent`` included, agreement only.

Usage (run.py's ``peers`` step runs the same)::

    PYTHONPATH=src .venv/bin/python benchmarks/peers.py           # 208 profiles, 5 rounds
    PYTHONPATH=src .venv/bin/python benchmarks/peers.py --quick   # 26 profiles, 3 rounds
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, time_call
from mix import realistic_mix
from peers_python import GeneratedPython
from peers_rules import Branch, branches, fact_fields, has_absent, rule_fields

import footmap
from footmap._facts import Fact, candidate_ids, fact_nodes, item_facts, profile_facts
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge
from footmap._rules.compile import knowledge_rules
from footmap._rules.effects import Effect
from footmap._rules.engine import durable_available, rules_engine
from footmap._rules.reference import ReferenceEngine

#: How to install each optional peer (experta: see pyproject.toml's bench extra).
CLIPS_HINT = "pip install 'footmap[bench]'"
EXPERTA_HINT = "pip install --no-deps experta==1.9.4 schema==0.6.7 && pip install 'frozendict>=2'"
#: A peer's run: the facts of one profile in, footmap's effects (sorted) out.
Run = Callable[[Sequence[Fact]], list[Effect]]


@dataclass
class Peer:
    """One row of the table: a name, what it runs, and its run (``None``: skipped, with why)."""

    name: str
    runs: str
    run: Run | None = None
    skipped: str = ""
    agreed: int = 0
    seconds: float | None = None
    outside: bool = False  # timed in its own process


def measure(quick: bool) -> list[Figure]:
    """The peers table over the realistic mix: agreement with the reference, then µs per profile.

    Then every shipped rule, ``absent`` included: agreement only, for the peers that translate it.
    """
    knowledge = shipped_knowledge()
    every_rule = knowledge_rules(knowledge)
    rules, left_out = common_rules(every_rule)
    facts = mix_facts(knowledge, quick)
    rounds = 3 if quick else 5
    peers = make_peers(rules, facts)
    agree(peers, rules, facts)
    time_peers([peer for peer in peers if peer.run is not None and peer.agreed == len(facts)], facts, rounds)
    from peers_durable import direct_peers  # a fresh process of its own

    direct, direct_every_rule = direct_peers(quick, rounds)
    peers.insert(4, direct)  # after footmap's engines
    untimed = make_peers(every_rule, facts)
    agree(untimed, every_rule, facts)
    untimed.insert(4, direct_every_rule)
    return table(peers, len(rules), left_out, len(facts)) + agreement_table(
        untimed, len(every_rule), len(facts)
    )


def common_rules(rules: Sequence[schema.Rule]) -> tuple[list[schema.Rule], int]:
    """The rules every peer runs as footmap means them, and how many are left out: those with an
    ``absent`` pattern, which durable-rules' own ``$not`` decides too early (the second table)."""
    kept = [rule for rule in rules if not has_absent(rule)]
    return kept, len(rules) - len(kept)


def mix_facts(knowledge: footmap.KnowledgeBase, quick: bool) -> list[list[Fact]]:
    """The facts footmap builds from each profile of the realistic mix (every eighth when quick)."""
    profiles = [profile for half in realistic_mix(knowledge).values() for profile in half]
    return [profile_run_facts(profile, knowledge) for profile in profiles[:: 8 if quick else 1]]


def profile_run_facts(data: dict[str, Any], knowledge: footmap.KnowledgeBase) -> list[Fact]:
    """A profile's facts as footmap's rule stage gets them (as ``benchmarks/run.py`` builds them)."""
    profile = footmap.Profile.model_validate(data, context={"knowledge": knowledge})
    paths = knowledge.candidates(fact_nodes(profile))
    return profile_facts(profile, knowledge) + item_facts(candidate_ids(paths, knowledge), knowledge)


def make_peers(rules: Sequence[schema.Rule], facts: Sequence[Sequence[Fact]]) -> list[Peer]:
    """Every in-process peer of these rules, in table order; one that cannot be built is skipped,
    with why. The first is the baseline, the second the reference."""
    all_branches = branches(rules)
    every_fact = [fact for one in facts for fact in one]
    fields = sorted(set(fact_fields(every_fact)) | set(rule_fields(all_branches)))
    peers = [
        Peer("plain Python, generated", "a generated function per rule", GeneratedPython(all_branches).run),
        Peer("footmap reference evaluator", "the test oracle", ReferenceEngine(rules).run),
        Peer("footmap compiled twin", 'engine="python"', rules_engine(rules, "python").run),
    ]
    if durable_available():
        durable = rules_engine(rules, "durable").run
        peers.append(Peer("footmap durable-rules engine", 'engine="durable"', durable))
    else:
        skipped = "durable-rules cannot be imported here"
        peers.append(Peer("footmap durable-rules engine", 'engine="durable"', skipped=skipped))
    clips = _optional("clipspy", "a defrule per rule", lambda: _clips(all_branches, fields), CLIPS_HINT)
    experta = _optional("experta", "a @Rule per rule", lambda: _experta(all_branches), EXPERTA_HINT)
    return [*peers, clips, experta]


def _clips(all_branches: Sequence[Branch], fields: Sequence[str]) -> Run:
    from peers_clips import ClipsPeer

    return ClipsPeer(all_branches, fields).run


def _experta(all_branches: Sequence[Branch]) -> Run:
    from peers_experta import ExpertaPeer

    return ExpertaPeer(all_branches).run


def _optional(name: str, runs: str, build: Callable[[], Run], hint: str) -> Peer:
    """A peer from an optional package: skipped with a one-line reason when it does not import."""
    try:
        return Peer(name, runs, build())
    except ImportError as error:
        return Peer(name, runs, skipped=f"not installed ({error}): {hint}")
    except Exception as error:  # experta 1.9.4 with its pinned frozendict 1.2: AttributeError
        return Peer(name, runs, skipped=f"cannot be imported ({type(error).__name__}: {error}): {hint}")


def agree(peers: Sequence[Peer], rules: Sequence[schema.Rule], facts: Sequence[Sequence[Fact]]) -> None:
    """Each peer's count of profiles on which it gives exactly the reference's effects."""
    reference = ReferenceEngine(rules)
    expected = [reference.run(one) for one in facts]
    for peer in peers:
        check(peer, facts, expected)


def check(peer: Peer, facts: Sequence[Sequence[Fact]], expected: Sequence[list[Effect]]) -> None:
    """How many profiles the peer gives exactly the reference's effects on (a raise: none)."""
    if peer.run is None:
        return
    try:
        peer.agreed = sum(peer.run(one) == want for one, want in zip(facts, expected, strict=True))
    except Exception as error:  # a peer that fails is reported, and the table goes on
        peer.skipped = f"raised {type(error).__name__}: {error}"
        peer.agreed = 0


def time_peers(peers: Sequence[Peer], facts: Sequence[Sequence[Fact]], rounds: int) -> None:
    """Each peer's median over ``rounds`` of one pass over the facts, per profile, interleaved."""
    passes: dict[str, list[float]] = {peer.name: [] for peer in peers}
    for _ in range(rounds):
        for peer in peers:
            assert peer.run is not None
            passes[peer.name].append(time_call(partial(_one_pass, peer.run, facts)))
    for peer in peers:
        peer.seconds = statistics.median(passes[peer.name]) / len(facts)


def _one_pass(run: Run, facts: Sequence[Sequence[Fact]]) -> None:
    for one in facts:
        run(one)


def table(peers: Sequence[Peer], rules: int, left_out: int, profiles: int) -> list[Figure]:
    """The timed table: per peer, µs per profile, the ratio to plain Python, and agreement."""
    baseline = peers[0].seconds
    heading = f"peers: {rules} shipped rules (not the {left_out} with absent), {profiles} profiles"
    figures = [Figure(heading, "us/profile, ratio, agree")]
    for peer in peers:
        figures.append(Figure(f"  {peer.name} ({peer.runs})", _timed(peer, profiles, baseline)))
    return figures


def agreement_table(peers: Sequence[Peer], rules: int, profiles: int) -> list[Figure]:
    """Agreement only, on every shipped rule, absent included (not timed)."""
    figures = [Figure(f"peers: all {rules} shipped rules, absent included: agreement only", "agree")]
    for peer in peers:
        if peer.run is None and not peer.outside:
            figure = "skipped (see above)"
        else:
            figure = f"{peer.agreed}/{profiles}" + ("" if peer.agreed == profiles else " DISAGREES")
            figure += f" {peer.skipped}".rstrip()
        figures.append(Figure(f"  {peer.name}", figure))
    return figures


def _timed(peer: Peer, profiles: int, baseline: float | None) -> str:
    if peer.run is None and not peer.outside:
        return f"skipped: {peer.skipped}"
    agreement = f"{peer.agreed}/{profiles}"
    if peer.skipped:
        return f"{agreement}, {peer.skipped}"
    if peer.seconds is None:
        return f"{agreement} DISAGREES, not timed"
    ratio = f"{peer.seconds / baseline:.1f}x" if baseline else "-"
    where = " (own process)" if peer.outside else ""
    return f"{peer.seconds * 1e6:.0f} us, {ratio}, {agreement}{where}"


def main() -> int:
    """Print the table (``python benchmarks/peers.py [--quick]``)."""
    quick = "--quick" in sys.argv[1:]
    figures = measure(quick)
    width = max(len(figure.name) for figure in figures)
    for figure in figures:
        print(f"{figure.name:{width}}  {figure.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
