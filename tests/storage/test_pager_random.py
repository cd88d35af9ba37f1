"""Randomised pager workload checked against a simple model and against sqlite3."""

from __future__ import annotations

import random
import sqlite3

import pytest

from pyrite.io.memory import MemoryBackend
from pyrite.io.osfile import OSBackend
from pyrite.storage.pager import Pager


def stamp(pager, pgno, tag):
    page = pager.get_page(pgno)
    pager.make_writable(page)
    page.data[:8] = tag


@pytest.mark.parametrize("seed", range(6))
def test_random_transactions_match_model(seed, tmp_path):
    rng = random.Random(seed)
    if seed % 2:
        backend, path = OSBackend(), str(tmp_path / "r.db")
    else:
        backend, path = MemoryBackend(), "r.db"
    pager = Pager.open(backend, path, page_size=512, cache_size=15)
    committed: dict[int, bytes] = {}     # live (non-free) page -> its 8-byte tag
    committed_free: set[int] = set()
    committed_count = 0
    for txn in range(25):
        pager.begin_write()
        live = dict(committed)
        free = set(committed_free)
        count = max(committed_count, 1)
        stack: list[tuple[dict, set, int]] = []
        for step in range(rng.randint(1, 30)):
            op = rng.random()
            if op < 0.35:
                page = pager.allocate_page()
                assert page.pgno not in live
                if page.pgno in free:
                    free.discard(page.pgno)
                else:
                    assert page.pgno == count + 1
                    count = page.pgno
                assert page.data == bytes(512)
                tag = f"{txn:03d}{step:04d}a".encode()
                page.data[:8] = tag
                live[page.pgno] = tag
            elif op < 0.55 and live:
                pgno = rng.choice(sorted(live))
                tag = f"{txn:03d}{step:04d}w".encode()
                stamp(pager, pgno, tag)
                live[pgno] = tag
            elif op < 0.7 and live:
                pgno = rng.choice(sorted(live))
                pager.free_page(pgno)
                del live[pgno]
                free.add(pgno)
            elif op < 0.8:
                stack.append((dict(live), set(free), count))
                pager.savepoint(len(stack))
            elif op < 0.9 and stack:
                i = rng.randrange(len(stack))
                pager.rollback_to(i)
                live, free, count = dict(stack[i][0]), set(stack[i][1]), stack[i][2]
                del stack[i + 1:]
            elif stack:
                i = rng.randrange(len(stack))
                pager.release(i)
                del stack[i:]
        assert pager.page_count == count
        if rng.random() < 0.25:
            pager.rollback()
        else:
            pager.commit()
            committed, committed_free, committed_count = live, free, count
        # Every committed page reads back; the freelist is exactly the model's.
        pager.begin_read()
        assert pager.page_count == committed_count
        for pgno, tag in committed.items():
            assert pager.get_page(pgno).data[:8] == tag, (txn, pgno)
        assert sorted(pager.freelist_pages()) == sorted(committed_free)
        assert pager.get_meta(0) == len(committed_free)
        pager.end_read()
    pager.close()
    if seed % 2:
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA freelist_count").fetchone() == (len(committed_free),)
        assert con.execute("PRAGMA page_count").fetchone() == (committed_count,)
        # Live pages belong to no b-tree, so they are the only complaints.
        report = "\n".join(r[0] for r in con.execute("PRAGMA integrity_check(100000)"))
        con.close()
        if not committed:
            assert report == "ok"
        else:
            lines = [ln for ln in report.splitlines() if not ln.startswith("***")]
            assert all(ln.endswith(" is never used") for ln in lines)
            assert sorted(int(ln.split()[1]) for ln in lines) == sorted(committed)
