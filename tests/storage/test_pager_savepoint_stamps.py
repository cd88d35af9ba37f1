"""make_writable's shortcut for a page already dirty and held by every
open savepoint (pager.py, Page.sp_gen / Pager.sp_gen): a page written
again and again while savepoints open, roll back and release comes back
as a model of the savepoints says, and a page written before a savepoint
opened is saved in it on its next write."""

from __future__ import annotations

import random

from pyrite.io.memory import MemoryBackend
from pyrite.storage.pager import Pager


def _write(pager: Pager, pgno: int, byte: int) -> None:
    page = pager.get_page(pgno)
    pager.make_writable(page)
    page.data[0] = byte


def test_page_written_before_a_savepoint_is_saved_in_it() -> None:
    pager = Pager.open(MemoryBackend(), "s")
    pager.begin_write()
    for _ in range(3):
        pager.allocate_page()               # pages 2..4
    _write(pager, 2, 1)
    _write(pager, 2, 2)                     # (the shortcut: no savepoint open)
    pager.savepoint(1)
    _write(pager, 2, 3)                     # must be saved in the new savepoint
    _write(pager, 2, 4)                     # (the shortcut)
    pager.savepoint(2)
    _write(pager, 2, 5)
    pager.rollback_to(1)
    assert pager.get_page(2).data[0] == 4
    _write(pager, 2, 6)                     # saved again after the rollback
    pager.rollback_to(1)
    assert pager.get_page(2).data[0] == 4
    pager.rollback_to(0)
    assert pager.get_page(2).data[0] == 2
    pager.release(0)
    pager.commit()


def test_random_savepoint_sequences_match_a_model() -> None:
    rng = random.Random(11)
    for _ in range(40):
        pager = Pager.open(MemoryBackend(), "s")
        pager.begin_write()
        for _ in range(5):
            pager.allocate_page()           # pages 2..6
        state = {p: 0 for p in range(2, 7)}
        for p in state:
            _write(pager, p, 0)
        marks: list[dict[int, int]] = []    # the state when each savepoint opened
        for _ in range(120):
            k = rng.randrange(10)
            if k < 6:
                p = rng.randrange(2, 7)
                b = rng.randrange(1, 256)
                _write(pager, p, b)
                state[p] = b
            elif k < 8:
                marks.append(dict(state))
                pager.savepoint(len(marks))
            elif k < 9 and marks:
                d = rng.randrange(len(marks))
                pager.rollback_to(d)
                state = dict(marks[d])
                del marks[d + 1:]
            elif marks:
                d = rng.randrange(len(marks))
                pager.release(d)
                del marks[d:]
            for p, b in state.items():
                assert pager.get_page(p).data[0] == b
        pager.rollback()
