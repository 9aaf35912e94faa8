"""The nearest allowed value to a misspelt one: one helper for every "did you mean" footmap says."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

#: How alike two ids must be (``difflib`` ratio) for one to be suggested for the other.
CUTOFF = 0.6


def nearest(value: object, allowed: Iterable[str]) -> str | None:
    """The allowed value closest to ``value``, or ``None`` when none is close.

    >>> nearest("tinglng", ["stiffness", "tingling"])
    'tingling'
    >>> nearest("xyz", ["stiffness"]) is None
    True
    """
    if not isinstance(value, str):
        return None
    found = get_close_matches(value, sorted(allowed), n=1, cutoff=CUTOFF)
    return found[0] if found else None


def did_you_mean(value: object, allowed: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the nearest allowed value, or an empty string.

    >>> did_you_mean("tinglng", ["tingling"])
    " Did you mean 'tingling'?"
    """
    found = nearest(value, allowed)
    return f" Did you mean {found!r}?" if found is not None else ""
