"""footmap.dask on a distributed LocalCluster of two worker processes: the same plans as local calls."""

from __future__ import annotations

import contextlib
import doctest
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import footmap
from tests.strategies import SAMPLE_PROFILES

db = pytest.importorskip("dask.bag", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

import footmap.dask  # noqa: E402  (after the skip: it needs Dask)

PROFILES = SAMPLE_PROFILES
MANY = [{**PROFILES[n % len(PROFILES)], "minutes_per_day": 5 + 3 * n} for n in range(36)]


#: The port distributed's scheduler takes for its HTTP server by default, dashboard or not.
DASHBOARD_PORT = 8787


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes, one thread each, as a cluster of two machines would have.

    The cluster binds no fixed port: ``dashboard_address=None`` only turns the dashboard off,
    and the scheduler still serves its HTTP routes (health, metrics) on 8787, which fails the
    suite (``filterwarnings = error``) wherever that port is busy. Port 8787 is held here while
    the cluster starts, to prove it.
    """
    with socket.socket() as held, contextlib.ExitStack() as stack:
        try:
            held.bind(("", DASHBOARD_PORT))
            held.listen()
        except OSError:
            pass  # already busy: the proof holds all the same
        cluster = stack.enter_context(
            distributed.LocalCluster(
                n_workers=2,
                processes=True,
                threads_per_worker=1,
                scheduler_port=0,
                dashboard_address=":0",
                worker_dashboard_address=":0",
            )
        )
        connected = stack.enter_context(distributed.Client(cluster))
        yield connected


def test_the_cluster_binds_no_fixed_port(client: Any) -> None:
    ports = {int(client.scheduler.address.rsplit(":", 1)[1])}
    ports |= {service.get("dashboard", 0) for service in [client.scheduler_info().get("services", {})]}
    assert DASHBOARD_PORT not in ports


def _local(profiles: list[dict[str, Any]], knowledge: footmap.KnowledgeBase | None = None) -> list[str]:
    return [footmap.recommend(p, knowledge=knowledge).model_dump_json() for p in profiles]


def test_the_cluster_gives_the_plans_json_by_default_in_order(client: Any) -> None:
    bag = db.from_sequence(MANY, npartitions=8)
    assert footmap.dask.recommend_bag(bag).compute() == _local(MANY)
    assert len(client.scheduler_info()["workers"]) == 2


def test_plan_output_gives_the_same_plans_as_plan_objects(client: Any) -> None:
    bag = db.from_sequence(PROFILES, npartitions=3)
    plans = footmap.dask.recommend_bag(bag, output="plan").compute()
    assert all(isinstance(plan, footmap.Plan) for plan in plans)
    assert [plan.model_dump_json() for plan in plans] == _local(PROFILES)


def test_an_unknown_output_is_refused_before_anything_runs() -> None:
    bag = db.from_sequence(PROFILES, npartitions=1)
    with pytest.raises(ValueError, match="output must be 'json' or 'plan', not 'dict'"):
        footmap.dask.recommend_bag(bag, output="dict")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> footmap.KnowledgeBase:
    directory: Path = tmp_path_factory.mktemp("overlay")
    entry = (
        footmap.KnowledgeBase.load()
        .items["toe_press"]
        .model_dump(mode="json", by_alias=True, exclude_defaults=True)
    )
    (directory / "exercises.yaml").write_text(
        yaml.safe_dump([{**entry, "name": "Clinic toe press"}]), encoding="utf-8"
    )
    return footmap.KnowledgeBase.load(directory, overlay=True)


def test_given_knowledge_is_used_by_the_workers(client: Any, custom: footmap.KnowledgeBase) -> None:
    bag = db.from_sequence(MANY, npartitions=8)
    plans = footmap.dask.recommend_bag(bag, custom, output="plan").compute()
    assert [plan.model_dump_json() for plan in plans] == _local(MANY, custom)
    assert {plan.knowledge for plan in plans} == {custom.fingerprint}
    assert "Clinic toe press" in {item.name for item in plans[0].items}


def test_the_knowledge_is_one_node_of_the_graph_that_every_partition_uses(
    custom: footmap.KnowledgeBase,
) -> None:
    bag = footmap.dask.recommend_bag(db.from_sequence(MANY, npartitions=8), custom)
    graph = dict(bag.__dask_graph__())
    key = f"footmap-knowledge-{custom.fingerprint}"
    holders = [name for name, task in graph.items() if _holds(task, custom)]
    assert holders == [key]
    partitions = [name for name in graph if isinstance(name, tuple) and name[0] == bag.name]
    assert len(partitions) == 8
    assert all(key in _dependencies(graph[name]) for name in partitions)


def _holds(task: Any, knowledge: footmap.KnowledgeBase) -> bool:
    """Whether a graph node carries the knowledge object itself."""
    if task is knowledge:
        return True
    value = getattr(task, "value", None)  # dask's DataNode / Alias task spec
    if value is knowledge:
        return True
    if isinstance(task, tuple | list):
        return any(_holds(part, knowledge) for part in task)
    return False


def _dependencies(task: Any) -> set[Any]:
    dependencies = getattr(task, "dependencies", None)
    if dependencies is not None:
        return set(dependencies)
    found: set[Any] = set()
    if isinstance(task, tuple | list):
        for part in task:
            if isinstance(part, str):
                found.add(part)
            else:
                found |= _dependencies(part)
    return found


def test_an_invalid_profile_raises_when_computed(client: Any) -> None:
    bag = db.from_sequence([PROFILES[0], {"symptoms": ["tinglng"]}], npartitions=2)
    with pytest.raises(ValidationError, match="Did you mean 'tingling'"):
        footmap.dask.recommend_bag(bag).compute()


def test_errors_return_keeps_the_error_in_place(client: Any) -> None:
    bag = db.from_sequence([PROFILES[0], {"symptoms": ["tinglng"]}, PROFILES[1]], npartitions=2)
    first, error, last = footmap.dask.recommend_bag(bag, errors="return").compute()
    assert isinstance(error, ValidationError) and "tingling" in str(error)
    assert [first, last] == _local([PROFILES[0], PROFILES[1]])


def test_without_dask_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    bag = db.from_sequence(PROFILES, npartitions=1)
    for name in [name for name in sys.modules if name == "dask" or name.startswith("dask.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install 'footmap\[dask\]'"):
        footmap.dask.recommend_bag(bag)


def test_the_docstring_example_runs() -> None:
    failures, tried = doctest.testmod(footmap.dask)
    assert failures == 0 and tried > 0


def test_a_profile_the_engine_raises_on_is_a_worker_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = footmap.recommend

    def failing(profile: Any, knowledge: Any = None) -> footmap.Plan:
        if profile.get("age") == 99:
            raise footmap.RuleEngineError("simulated")
        return real(profile, knowledge=knowledge)

    monkeypatch.setattr(footmap.dask, "recommend", failing)
    bag = db.from_sequence([PROFILES[0], {"age": 99}, PROFILES[1]], npartitions=1)
    first, error, last = footmap.dask.recommend_bag(bag, errors="return", output="plan").compute(
        scheduler="sync"
    )
    assert isinstance(error, footmap.WorkerError) and error.position == 1
    assert "RuleEngineError: simulated" in str(error)
    assert [first.model_dump_json(), last.model_dump_json()] == _local([PROFILES[0], PROFILES[1]])
    with pytest.raises(footmap.WorkerError, match="simulated"):
        footmap.dask.recommend_bag(bag).compute(scheduler="sync")
