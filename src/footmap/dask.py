"""footmap on Dask: plans for a ``dask.bag.Bag`` of profiles, on as many machines as the cluster has.

>>> import dask.bag as db
>>> import footmap.dask
>>> bag = db.from_sequence([{"pains": [{"area": "knee", "severity": 4}]}] * 4, npartitions=2)
>>> plans = footmap.dask.recommend_bag(bag, output="plan").compute(scheduler="sync")
>>> [plan.triage for plan in plans]
['self_care', 'self_care', 'self_care', 'self_care']

By default the bag holds each plan's JSON text (``output="json"``): a ``Plan`` object costs about
twice as much to move between processes and machines as its JSON, and JSON is what a cohort's
results are stored as (``bag.to_textfiles(...)``). ``output="plan"`` gives ``footmap.Plan``
objects, and ``footmap.Plan.model_validate_json`` reads any of the JSON back.

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

__all__ = ["INSTALL_HINT", "Output", "recommend_bag"]

INSTALL_HINT = "footmap.dask needs Dask: pip install 'footmap[dask]'"

#: What each element of the bag ``recommend_bag`` returns is: a plan's JSON text, or the ``Plan``.
Output = Literal["json", "plan"]


def recommend_bag(
    bag: Bag,
    knowledge: KnowledgeBase | None = None,
    *,
    errors: Literal["raise", "return"] = "raise",
    output: Output = "json",
) -> Bag:
    """A bag of plans, one per profile of ``bag`` (``Profile`` objects or dicts), in its order.

    ``output="json"`` (the default) gives each plan's JSON text, ``Plan.model_dump_json()``: what
    ``Bag.to_textfiles`` writes, and half the cost of a ``Plan`` object to move between
    processes. ``output="plan"`` gives :class:`~footmap.Plan` objects. ``errors``: an invalid
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
    if errors not in ("raise", "return"):
        raise ValueError(f"errors must be 'raise' or 'return', not {errors!r}")
    if output not in ("json", "plan"):
        raise ValueError(f"output must be 'json' or 'plan', not {output!r}")
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
