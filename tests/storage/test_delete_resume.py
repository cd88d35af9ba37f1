"""A cursor that deleted an entry from a leaf in place resumes from the
path it left (BTreeCursor._resume_at, SQLite's BTREE_SAVEPOSITION) instead
of seeking its saved key: next() and prev() must land exactly where the
seek would, and any change to the tree through another cursor, or a
rewrite of a page on the path, must send the cursor back to the seek."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pyrite import values
from pyrite.storage.btree import INDEX, INTKEY, BTree, BTreeCursor
from pyrite.storage.pager import Pager
from pyrite.storage.record import decode_record, encode_record


def _tree(tmp_path: Path, index: bool, n: int, width: int = 40):
    p = Pager.open(None, str(tmp_path / "r.db"))
    p.begin_read()
    p.begin_write()
    bt = BTree(p)
    ki = values.KeyInfo([None, None]) if index else None
    root = bt.create_table(INDEX if index else INTKEY)
    c = bt.cursor(root, write=True, key_info=ki)
    for i in range(1, n + 1):
        if index:
            c.insert(None, encode_record([f"k{i:05d}" + "x" * (i % width), i]))
        else:
            c.insert(i, encode_record([i, "v" * (i % width)]))
    return bt, root, ki


def _key(c: BTreeCursor, index: bool):
    return decode_record(c.payload())[-1] if index else c.rowid()


@pytest.fixture
def resumes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each _resume_at answer."""
    seen: list[bool] = []
    original = BTreeCursor._resume_at

    def counting(self: BTreeCursor, path: list) -> bool:
        ok = original(self, path)
        seen.append(ok)
        return ok

    monkeypatch.setattr(BTreeCursor, "_resume_at", counting)
    return seen


@pytest.mark.parametrize("index", [False, True])
def test_scan_deleting_entries_visits_every_other_entry(tmp_path: Path, index: bool,
                                                        resumes: list[bool]) -> None:
    n = 1500
    bt, root, ki = _tree(tmp_path, index, n)
    rng = random.Random(7)
    doomed = {i for i in range(1, n + 1) if rng.random() < 0.6}
    c = bt.cursor(root, write=True, key_info=ki)
    seen = []
    ok = not c.first()
    while ok:
        k = _key(c, index)
        seen.append(k)
        if k in doomed:
            c.delete()
        ok = c.next()
    assert seen == list(range(1, n + 1))
    assert len(resumes) > len(doomed) // 2 and all(resumes)
    left = []
    ok = not c.first()
    while ok:
        left.append(_key(c, index))
        ok = c.next()
    assert left == [i for i in range(1, n + 1) if i not in doomed]


@pytest.mark.parametrize("index", [False, True])
def test_backward_scan_deleting_entries(tmp_path: Path, index: bool,
                                        resumes: list[bool]) -> None:
    n = 900
    bt, root, ki = _tree(tmp_path, index, n)
    c = bt.cursor(root, write=True, key_info=ki)
    seen = []
    ok = not c.last()
    while ok:
        k = _key(c, index)
        seen.append(k)
        if k % 3:
            c.delete()
        ok = c.prev()
    assert seen == list(range(n, 0, -1))
    assert any(resumes)


@pytest.mark.parametrize("index", [False, True])
def test_a_write_through_another_cursor_drops_the_hint(tmp_path: Path, index: bool,
                                                       resumes: list[bool]) -> None:
    bt, root, ki = _tree(tmp_path, index, 400)
    a = bt.cursor(root, write=True, key_info=ki)
    b = bt.cursor(root, write=True, key_info=ki)
    assert a.first() is False
    for _ in range(100):
        assert a.next()
    at = _key(a, index)
    a.delete()
    assert a.hint is not None
    # b deletes the entry after a's (on the same leaf): a must skip it
    if index:
        assert b.index_move_to([f"k{at + 1:05d}" + "x" * ((at + 1) % 40), at + 1], 0) == 0
    else:
        assert b.table_move_to(at + 1) == 0
    b.delete()
    assert a.hint is None
    assert a.next() and _key(a, index) == at + 2
    assert resumes == [True] * len(resumes)     # (b's own resumes, if any)


def test_a_rewritten_leaf_sends_the_cursor_back_to_the_seek(tmp_path: Path,
                                                            resumes: list[bool]) -> None:
    bt, root, _ = _tree(tmp_path, False, 400)
    a = bt.cursor(root, write=True)
    assert a.table_move_to(150) == 0
    a.delete()
    page = a.hint[-1][0]
    bt.pager.make_writable(page)          # (as a page rewrite leaves it: parsed again)
    assert a.next() and a.rowid() == 151
    assert resumes == [False]
