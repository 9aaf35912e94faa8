"""footmap on Dask: plans for a ``dask.bag.Bag`` of profiles, on as many machines as the cluster has.

>>> import dask.bag as db
>>> import footmap.dask
>>> bag = db.from_sequence([{"pains": [{"area": "knee", "severity": 4}]}] * 4, npartitions=2)
>>> [plan.triage for plan in footmap.dask.recommend_bag(bag).compute(scheduler="sync")]
['self_care', 'self_care', 'self_care', 'self_care']

Needs the ``dask`` extra (``pip install 'footmap[dask]'``: ``dask[bag]`` and ``distributed``).
The knowledge travels once: it is one node of the task graph (``footmap-knowledge-<fingerprint>``)
that every partition depends on, so a distributed cluster sends it to each worker once and the
worker keeps it in memory; each worker process then builds its rule engine once, on first use.
Without ``knowledge`` every worker loads the shipped knowledge itself, once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from footmap._errors import WorkerError
from footmap._input.profile import Profile
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._pipeline import recommend

if TYPE_CHECKING:
    from dask.bag import Bag

__all__ = ["INSTALL_HINT", "recommend_bag"]

INSTALL_HINT = "footmap.dask needs Dask: pip install 'footmap[dask]'"

Output = Literal["plan", "json"]


def recommend_bag(
    bag: Bag,
    knowledge: KnowledgeBase | None = None,
    *,
    errors: Literal["raise", "return"] = "raise",
    output: Output = "plan",
) -> Bag:
    """A bag of plans, one per profile of ``bag`` (``Profile`` objects or dicts), in its order.

    ``output="plan"`` gives :class:`~footmap.Plan` objects, ``"json"`` their JSON text (what
    ``Bag.to_textfiles`` writes, and cheaper to move between machines). ``errors``: an invalid
    profile raises its :class:`pydantic.ValidationError` when the bag is computed (``"raise"``),
    or takes the plan's place (``"return"``); so does a :class:`~footmap.WorkerError` for a profile
    the rule engine raised on. (A profile that crashes a worker process is Dask's to retry; see
    ``docs/batch.md``.)
    """
    try:  # the bag API comes with the dask[bag] extra
        import dask.bag  # noqa: F401  (its import is the check)
        from dask.delayed import delayed
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    if errors not in ("raise", "return") or output not in ("plan", "json"):
        raise ValueError(
            f"errors must be 'raise' or 'return' and output 'plan' or 'json', not {errors!r} and {output!r}"
        )
    shipped = (
        delayed(knowledge, name=f"footmap-knowledge-{knowledge.fingerprint}")
        if knowledge is not None
        else None
    )
    result: Bag = bag.map_partitions(  # type: ignore[no-untyped-call]
        _plan_partition, shipped, errors, output
    )
    return result


def _plan_partition(profiles: Any, knowledge: KnowledgeBase | None, errors: str, output: Output) -> list[Any]:
    """Runs on a worker: the plans of one partition."""
    base = knowledge if knowledge is not None else shipped_knowledge()
    return [_plan(profile, n, base, errors, output) for n, profile in enumerate(profiles)]


def _plan(
    profile: Profile | Mapping[str, Any], index: int, knowledge: KnowledgeBase, errors: str, output: Output
) -> Any:
    """One profile's plan, or its error: a ``ValidationError``, or a ``WorkerError`` for any other
    failure (``position`` is the profile's index in its partition)."""
    try:
        plan = recommend(profile, knowledge=knowledge)
    except ValidationError as error:
        if errors == "raise":
            raise
        return error
    except Exception as error:  # the engine failed on it: this profile's error, in footmap's tree
        failure = WorkerError(f"{type(error).__name__}: {error} (index in its partition)", index)
        if errors == "raise":
            raise failure from error
        return failure
    return plan.model_dump_json() if output == "json" else plan
