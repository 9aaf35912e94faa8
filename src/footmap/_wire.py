"""How a worker's results cross the pipe to the parent: pickles that send each shared part once.

Plans made with one knowledge base share their parts: a ``PlanItem`` equal to one made before is
that same object (``footmap._compose.parts``), and so is each ``CitedSource``, item left out,
safety message and schedule part (``footmap._compose.shared``; the kinds are ``SHARED_PARTS``).
A plain pickle writes every part of every plan in full, and the parent rebuilds each one: two
thirds of what a ``Plan`` costs to cross. Here each worker's :class:`Sender` writes a shared part
in full the first time only, and after that its number, and the parent's :class:`Receiver` for
that worker keeps every part it was sent, by number, so its plans share them as the worker's do.

One message is three pickles, one after the other, with one memo:

1. whether the receiver starts its table again (the sender's table is full: it starts again too);
2. the message, each shared part sent before as a call ``_part(number)``, which the receiver
   reads as its own table's entry (it finds ``_part`` as its table's ``__getitem__``);
3. the shared parts sent in full in 2, in the order they are numbered (memo references: no
   part is written twice).

A shared part is found with ``reducer_override``, which pickle calls for each object but strings,
numbers, lists, dicts and tuples: about a sixth of a plan's objects (a ``persistent_id`` is asked
of every one, and made a dump take 1.7 times as long).

A receiver must read every message of its sender, in order: the numbers are the sender's alone
(a new worker has a new receiver).

A worker forked from the parent starts with the parent's own plan parts, the same objects at the
same addresses: a :class:`Sender` and its :class:`Receiver` given the same ``seed`` (the parts the
parent held when it forked the worker, ``KnowledgeParts.held_shared_parts``) start with those
parts numbered already, on both sides, so not even the first plans send them in full, and the
parent's plans hold its own parts, as the plans it makes itself do.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Sequence
from typing import Any

from footmap._plan import SHARED_PARTS

#: How many shared parts a sender numbers before both sides start again (bounded memory: a
#: worker's plan parts are bounded too, ``KnowledgeParts.ITEM_LIMIT``).
TABLE_LIMIT = 65_536


def _part(number: int) -> object:
    """A shared part sent before, by number: what a message holds in its place. Never called: a
    :class:`Receiver` reads this name as its own table's lookup."""
    raise RuntimeError(f"shared plan part {number} read outside a footmap Receiver")


class _Pickler(pickle.Pickler):
    """A pickler that writes the shared parts its sender has sent before as their numbers, and
    collects those it has not (written in full, by pickle's own memo once each)."""

    def __init__(self, file: io.BytesIO, sent: dict[int, tuple[int, object]]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.sent = sent
        self.new: dict[int, object] = {}

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) in SHARED_PARTS:
            known = self.sent.get(id(obj))
            if known is not None:
                return _part, (known[0],)
            self.new[id(obj)] = obj
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    """An unpickler that reads ``_part`` as its receiver's table."""

    def __init__(self, data: bytes, parts: list[object]) -> None:
        super().__init__(io.BytesIO(data))
        self.parts = parts

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _part.__name__:
            return self.parts.__getitem__
        return super().find_class(module, name)


#: The most parts a ``seed`` numbers (the rest are sent once, as any other part).
SEED_LIMIT = TABLE_LIMIT // 2


class Sender:
    """A worker's side: each message as bytes, each shared part in full once.

    ``seed``: parts its receiver holds already, as the same objects (this process forked from the
    receiver's after the seed was made, and given that same seed): sent as numbers from the first.
    """

    def __init__(self, seed: Sequence[object] = ()) -> None:
        #: By ``id``: each shared part's number, and the part (held, so that its id stays its own).
        self._sent: dict[int, tuple[int, object]] = {
            id(part): (number, part) for number, part in enumerate(seed[:SEED_LIMIT])
        }

    def dumps(self, message: object) -> bytes:
        """The bytes of one message (see the module's docstring)."""
        restart = len(self._sent) >= TABLE_LIMIT
        if restart:
            self._sent.clear()
        buffer = io.BytesIO()
        pickler = _Pickler(buffer, self._sent)
        pickler.dump(restart)
        pickler.dump(message)
        new = list(pickler.new.values())
        pickler.dump(new)
        for part in new:
            self._sent[id(part)] = (len(self._sent), part)
        return buffer.getvalue()


class Receiver:
    """The parent's side for one sender: its messages, each shared part rebuilt once.

    ``seed``: the parts its sender was given as its own ``seed`` (see :class:`Sender`).
    """

    def __init__(self, seed: Sequence[object] = ()) -> None:
        #: The shared parts sent so far, by number.
        self._parts: list[object] = list(seed[:SEED_LIMIT])

    def loads(self, data: bytes) -> Any:
        """The message of ``data``, made by this receiver's sender (every earlier one read)."""
        unpickler = _Unpickler(data, self._parts)
        if unpickler.load():
            self._parts.clear()
        message = unpickler.load()
        self._parts += unpickler.load()
        return message
