"""Imported once by multiprocessing's fork server (``footmap._batch``): footmap and the shipped
knowledge loaded, so that every worker process forked from it starts with them in memory.

No rule engine is built here, and no thread started: durable-rules' C state and threads do not
survive a fork, so each worker builds its own engine after it (``_batch._start_worker``). A failure
here is left to the workers, which load the knowledge again and report what went wrong.
"""

from __future__ import annotations

import warnings
from contextlib import suppress


def _load() -> None:
    from footmap._errors import EngineFallbackWarning
    from footmap._knowledge.base import shipped_knowledge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EngineFallbackWarning)  # each run's process gives it
        with suppress(Exception):  # a worker that loads it again says what is wrong
            shipped_knowledge()


_load()
