"""MakeRecord's compiled encoder (vdbe/recenc.py): the record it builds
is encode_record(record_values(...)) byte for byte, it declines (None,
registers untouched) every value whose affinity would change it, and
INSERTs of values it takes and values it declines store what sqlite3
stores under every executor."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import pyrite
from pyrite.storage.record import decode_record, encode_record
from pyrite.vdbe import jit
from pyrite.vdbe.recenc import long_header, record_encoder

VALUES = [None, 0, 1, 2, 127, 128, -1, -128, -129, 255, 32767, -32768, 32768, 8388607,
          -8388608, 8388608, 2**31 - 1, -2**31, 2**31, 2**47 - 1, -2**47, 2**47, 2**63 - 1,
          -2**63, 0.0, -0.0, 1.5, 3.0, float("inf"), "", "a", "12", " 7 ", "1e3", "x" * 56,
          "y" * 57, "z" * 58, "w" * 200, "é", "\udc80", b"", b"\x00\x01", b"b" * 60, True,
          False, "3.0", "-0"]


@pytest.fixture
def mode() -> Iterator[object]:
    saved = jit.MODE
    yield jit.set_mode
    jit.set_mode(saved)


def _check(values: list, aff: str | None) -> bool:
    """The encoder's answer for ``values`` under ``aff`` against the
    general path's; True when the encoder took them."""
    from pyrite.vdbe import opcodes
    opcodes._load()     # (the opcode modules load in their own order)
    from pyrite.vdbe.ops.data import record_values
    regs = [object(), *values, object()]
    enc = record_encoder(1, len(values), aff)
    assert enc is not None
    got = enc(regs)
    assert regs[1:-1] == values or values != values      # (NaN aside) untouched
    want_regs = list(regs)
    want = encode_record(record_values(want_regs, 1, len(values), aff) if aff
                         else want_regs[1:1 + len(values)])
    if got is None:
        return False
    assert got == want, (values, aff)
    assert want_regs == regs        # nothing the affinities would change
    back = decode_record(got)
    assert [type(v) for v in back] == [type(v) for v in values]
    assert back == values
    return True


@pytest.mark.parametrize("aff", [None, "", "A", "B", "C", "D", "E", "@"])
def test_each_value_under_each_affinity(aff: str | None) -> None:
    for v in VALUES:
        took = _check([v], aff)
        a = (aff or "@")[:1] or "@"
        t = type(v)
        if t is bool or v == "\udc80":
            assert not took
        elif v is None or t is bytes:
            assert took
        elif t is int:
            assert took == (a in "DCA@")
        elif t is str:
            assert took == (a in "BA@")
        elif t is float:
            assert took == (a in "A@")


def test_random_records_match_general_path() -> None:
    rng = random.Random(7)
    took = 0
    for _ in range(1000):
        n = rng.randrange(1, 12)
        values = [rng.choice(VALUES) for _ in range(n)]
        aff = "".join(rng.choice("ABCDE@") for _ in range(rng.randrange(0, n + 2)))
        took += _check(values, aff)
    assert took > 100


def test_long_headers() -> None:
    # Many long text fields: two-byte serial types and a header over 127 bytes.
    values = ["t" * (60 + i) for i in range(40)]
    assert _check(values, None)
    for n in (1, 40, 62, 63, 64, 70, 200):
        blobs = [b"b" * 60] * n           # serial type 132: two bytes each
        rec = encode_record(blobs)
        assert long_header(tuple([132] * n)) + b"".join(blobs) == rec
    assert record_encoder(0, 0, "") is None
    assert record_encoder(0, 41, "") is None


SCHEMA = ["CREATE TABLE t(a INTEGER, b TEXT, c REAL, d NUMERIC, e BLOB, f)",
          "CREATE INDEX ta ON t(a, b)", "CREATE INDEX tc ON t(c, d, f)"]


@pytest.mark.parametrize("executor", ["eager", "compiled", "interp"])
def test_inserts_store_what_sqlite3_stores(tmp_path: Path, mode, executor: str) -> None:
    mode(executor)
    rng = random.Random(3)
    path = str(tmp_path / "e.db")
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    rows = [tuple(rng.choice(VALUES[:-3] + ["5", "2.5", 4.0]) for _ in range(6))
            for _ in range(400)]
    rows = [tuple(v if v != "\udc80" else "q" for v in row) for row in rows]
    for c in (con, ref):
        for sql in SCHEMA:
            c.execute(sql)
        c.execute("BEGIN")
        for row in rows:
            c.execute("INSERT INTO t VALUES(?,?,?,?,?,?)", row)
        c.execute("INSERT INTO t SELECT * FROM t WHERE rowid % 3 = 0")
        c.execute("COMMIT")
    for q in ["SELECT rowid, a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d), e, "
              "typeof(e), f, typeof(f) FROM t ORDER BY rowid",
              "SELECT a, b, rowid FROM t INDEXED BY ta ORDER BY a, b, rowid",
              "SELECT c, d, f, rowid FROM t INDEXED BY tc ORDER BY c, d, f, rowid"]:
        assert repr(con.execute(q).fetchall()) == repr(ref.execute(q).fetchall()), q
    con.close()
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    chk.close()


def test_interpreted_sorter_rows_keep_their_values(tmp_path: Path, mode,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the interpreter, MakeRecord's row for the SorterInsert after
    it (ORDER BY, CREATE INDEX) is its values when they come back the same
    from a record, as the compiled MakeRecord leaves them: no record is
    encoded for it.  ORDER BY and the index built read what sqlite3's do."""
    from pyrite.vdbe import opcodes
    opcodes._load()
    from pyrite.vdbe.ops import data
    made: list[object] = []
    real = data.record_encoder

    def counting(p1: int, n: int, aff: str | None) -> object:
        made.append((p1, n, aff))
        return real(p1, n, aff)

    mode("interp")
    rows = [(i % 7, "v%d" % (i * 37 % 50) * (i % 4), [1.5, None, b"\x01", 3][i % 4])
            for i in range(60)]
    path = str(tmp_path / "s.db")
    con = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (con, ref):
        c.execute("CREATE TABLE t(a INTEGER, b TEXT, c)")
        c.executemany("INSERT INTO t VALUES(?,?,?)", rows)
    monkeypatch.setattr(data, "record_encoder", counting)
    for q in ["SELECT a, b, c FROM t ORDER BY b DESC, a, c",
              "SELECT c, count(*) FROM t GROUP BY c ORDER BY 2, 1"]:
        assert repr(con.execute(q).fetchall()) == repr(ref.execute(q).fetchall()), q
    assert made == []
    for c in (con, ref):
        c.execute("CREATE INDEX tb ON t(b, c)")
    q = "SELECT b, c, rowid FROM t INDEXED BY tb ORDER BY b, c, rowid"
    assert repr(con.execute(q).fetchall()) == repr(ref.execute(q).fetchall())
    con.close()
    chk = sqlite3.connect(path)
    assert chk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    chk.close()
