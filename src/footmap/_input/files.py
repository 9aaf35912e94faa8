"""Bounded reading of a person's input file: never more than a limit, a regular file's size checked
before anything is read, and text that is not UTF-8 named by line and byte."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path


class Unreadable(ValueError):
    """An input file that is too large or not UTF-8 text; ``line`` is where (0: the whole file)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.line = line


def read_bounded(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the file (``-``: standard input); a regular file larger than
    ``limit`` is not read at all (``limit + 1`` spaces stand for it)."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read(limit + 1)
        return data.encode("utf-8") if isinstance(data, str) else data
    with path.open("rb") as file:
        status = os.fstat(file.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > limit:
            return b" " * (limit + 1)  # refused by size, unread
        return file.read(limit + 1)


def read_text(path: Path, limit: int, what: str) -> str:
    """The file as text: UTF-8, a leading byte-order mark dropped (spreadsheets write one).

    Raises :class:`Unreadable` when it is over ``limit`` bytes or not UTF-8, and ``OSError`` when
    it cannot be read at all.

    >>> read_text(Path(__file__), 10, "module")
    Traceback (most recent call last):
    ...
    footmap._input.files.Unreadable: over 10 bytes, the most a module may hold
    """
    raw = read_bounded(path, limit)
    if len(raw) > limit:
        raise Unreadable(f"over {limit:,} bytes, the most a {what} may hold")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start]
        raise Unreadable(f"not UTF-8 text (byte {byte:#04x} at offset {error.start})", line) from None
