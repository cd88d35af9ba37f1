"""B-tree insert/lookup/delete against a dict model, on an ephemeral tree."""

from __future__ import annotations

import random

from pyrite.storage.btree import INTKEY, BTree
from pyrite.storage.record import decode_record, encode_record


def test_table_random_against_dict() -> None:
    rng = random.Random(7)
    bt = BTree.ephemeral()
    root = bt.create_table(INTKEY)
    cur = bt.cursor(root, write=True)
    model: dict[int, list] = {}
    for _ in range(1500):
        k = rng.randrange(-500, 3000)
        row = [k, "x" * rng.choice([1, 50, 3000])]
        cur.insert(k, encode_record(row))
        model[k] = row
    for k in rng.sample(sorted(model), 600):
        assert cur.table_move_to(k) == 0
        cur.delete()
        del model[k]
    got = {}
    empty = cur.first()
    assert empty == (not model)
    while not cur.eof:
        got[cur.rowid()] = decode_record(cur.payload())
        cur.next()
    assert got == model
    assert list(got) == sorted(model)
    assert cur.count() == len(model)
