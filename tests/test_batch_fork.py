"""Workers forked from the calling process itself, where it runs one thread (``_batch._context``).

Each test runs a script in a new interpreter: the test process itself may run threads (pytest-xdist's,
a thread pool a test left), and then workers come from the fork server instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks the caller on Linux only")

OVERLAY = Path(__file__).resolve().parents[1] / "examples" / "overlay"
KNEE = {"pains": [{"area": "knee", "severity": 4}], "observations": ["flat_arches"], "age": 70}
BACK = {"pains": [{"area": "back", "severity": 6}], "equipment": ["towel", "chair"]}


def _run(script: str, tmp_path: Path) -> list[str]:
    """The lines a script prints, run as ``__main__`` in a new interpreter."""
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_workers_are_forked_from_a_process_of_one_thread_and_from_the_server_beside_threads(
    tmp_path: Path,
) -> None:
    printed = _run(
        """
        import multiprocessing, threading
        from footmap import _batch

        print(_batch._context(multiprocessing).get_start_method())
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        print(_batch._context(multiprocessing).get_start_method())
        stop.set()
        thread.join()
        _batch.FORK_CALLER = False
        print(_batch._context(multiprocessing).get_start_method())
        """,
        tmp_path,
    )
    assert printed == ["fork", "forkserver", "forkserver"]


def test_forked_workers_give_the_plans_of_the_loop_with_the_shipped_and_other_knowledge(
    tmp_path: Path,
) -> None:
    printed = _run(
        f"""
        import json, multiprocessing
        import footmap
        from footmap import _batch

        profiles = [{KNEE!r}, {BACK!r}] * 40
        if __name__ == "__main__":
            assert _batch._context(multiprocessing).get_start_method() == "fork"
            loop = [footmap.recommend(p).model_dump_json() for p in profiles]  # an engine built here
            forked = list(footmap.recommend_many(profiles, workers=2, output="json"))
            plans = [p.model_dump_json() for p in footmap.recommend_many(profiles, workers=2)]
            print(json.dumps([forked == loop, plans == loop]))
            other = footmap.KnowledgeBase.load({str(OVERLAY)!r}, overlay=True)
            loop = [footmap.recommend(p, knowledge=other).model_dump_json() for p in profiles]
            forked = list(footmap.recommend_many(profiles, workers=2, output="json", knowledge=other))
            print(json.dumps([forked == loop]))
        """,
        tmp_path,
    )
    assert [json.loads(line) for line in printed] == [[True, True], [True]]


def test_a_forked_worker_kept_after_a_batch_does_not_hold_its_output_file_locked(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in [KNEE, BACK] * 20), encoding="utf-8")
    printed = _run(
        f"""
        import multiprocessing
        from pathlib import Path
        from footmap import _batch

        if __name__ == "__main__":
            source, target = Path({str(source)!r}), Path({str(target)!r})
            first = _batch.run_jsonl(source, target, workers=2, progress=False)
            assert _batch.KEPT.release() == 2, "the workers were not kept"
            first = _batch.run_jsonl(source, target, workers=2, progress=False)  # kept again
            second = _batch.run_jsonl(source, target, in_process=True, progress=False)
            print(first.plans, second.plans, _batch._context(multiprocessing).get_start_method())
        """,
        tmp_path,
    )
    assert printed == ["40 40 fork"]


def test_a_worker_replaced_after_the_caller_started_a_thread_comes_from_the_fork_server(
    tmp_path: Path,
) -> None:
    printed = _run(
        """
        import os, threading, warnings
        from footmap import _batch

        def task(item, knowledge):
            if item == "die":
                os._exit(3)
            return os.getppid()

        def items(stop):
            yield from range(64)
            threading.Thread(target=stop.wait, daemon=True).start()  # the caller has a thread now
            yield "die"
            yield from range(64, 256)

        if __name__ == "__main__":
            warnings.simplefilter("error")  # forking beside a thread warns on Python 3.12 and later
            stop = threading.Event()
            results = list(_batch._map(task, items(stop), knowledge=None, workers=2, progress=False,
                                       total=None, in_process=False))
            stop.set()
            failures = [r for r in results if isinstance(r, _batch._Failure)]
            parents = {r for r in results if not isinstance(r, _batch._Failure)}
            print(len(results), len(failures), os.getpid() in parents, len(parents - {os.getpid()}) >= 1)
        """,
        tmp_path,
    )
    assert printed == ["257 1 True True"]


def test_forking_workers_leaves_the_callers_warning_filters_as_they_were(tmp_path: Path) -> None:
    printed = _run(
        """
        import warnings
        import footmap

        if __name__ == "__main__":
            before = list(warnings.filters)
            list(footmap.recommend_many([{"pains": [{"area": "knee", "severity": 4}]}] * 40, workers=2))
            print(warnings.filters == before)
        """,
        tmp_path,
    )
    assert printed == ["True"]


def test_forked_workers_send_the_plan_parts_the_caller_holds_as_the_callers_own_objects(
    tmp_path: Path,
) -> None:
    printed = _run(
        f"""
        import json
        import footmap

        if __name__ == "__main__":
            profiles = [{KNEE!r}, {BACK!r}] * 40
            mine = [footmap.recommend(p) for p in profiles[:2]]  # the parts this process holds
            plans = list(footmap.recommend_many(profiles, workers=2))  # new workers: a first call
            same = all(
                a is b
                for plan, own in zip(plans, mine * 40)
                for a, b in zip([*plan.items, *plan.sources.values(), plan.schedule],
                                [*own.items, *own.sources.values(), own.schedule], strict=True)
            )
            texts = [p.model_dump_json() for p in plans]
            print(json.dumps([same, texts == [p.model_dump_json() for p in mine * 40]]))
        """,
        tmp_path,
    )
    assert [json.loads(line) for line in printed] == [[True, True]]


def test_a_kept_forked_worker_that_died_is_replaced_by_one_with_the_same_knowledge(tmp_path: Path) -> None:
    printed = _run(
        f"""
        import os
        import footmap
        from footmap import _batch

        def task(item, knowledge):
            if item == "die":
                os._exit(3)
            return knowledge.fingerprint

        def run(items, knowledge):
            return list(_batch._map(task, items, knowledge=knowledge, workers=2, progress=False,
                                    total=None, in_process=False))

        if __name__ == "__main__":
            other = footmap.KnowledgeBase.load({str(OVERLAY)!r}, overlay=True)
            run(range(64), other)  # its two workers kept after it, and taken by the next
            results = run([*range(64), "die", *range(64, 128)], other)
            found = {{r for r in results if not isinstance(r, _batch._Failure)}}
            print(len(results), found == {{other.fingerprint}})
        """,
        tmp_path,
    )
    assert printed == ["129 True"]
