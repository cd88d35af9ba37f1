"""A row written by Insert right after its MakeRecord stays decoded in the
table leaf's record cache (cursor._row_of_record, BTreeCursor.insert's
row), so that a scan after an UPDATE does not decode the rows it wrote.
What the cache holds must be exactly what decoding the cell gives: these
tests compare every cached row with decode_record of its payload, the
results with stdlib sqlite3, and check that the fallbacks (values that do
not round-trip, records that overflow) leave the cache empty."""

from __future__ import annotations

import sqlite3

import pyrite
from pyrite.storage.btree import page_info
from pyrite.storage.record import decode_record


def _leaves(con, table: str):
    """(page, parsed page) of each leaf of ``table`` (walked from its root)."""
    tree = con._db.main_btree
    root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name=?", (table,)).fetchone()[0]
    out = []
    todo = [root]
    while todo:
        page = tree.pager.get_page_sync(todo.pop())
        info = page_info(page)
        if info.leaf:
            out.append((tree, page, info))
        else:
            todo += [int.from_bytes(page.data[p:p + 4], "big") for p in info.ptrs] + [info.right]
    return out


def _cached_rows(con, table: str) -> int:
    """How many rows of ``table`` its leaves hold decoded, after checking
    that each equals (value and type) the decoding of its cell."""
    n = 0
    for tree, page, info in _leaves(con, table):
        if info.records is None:
            continue
        assert len(info.records) == info.ncell
        for i, rec in enumerate(info.records):
            if rec is None:
                continue
            want = decode_record(tree.read_payload(page, info, i))
            assert [(type(v), v) for v in rec] == [(type(v), v) for v in want]
            n += 1
    return n


SCHEMA = ("CREATE TABLE t(a INTEGER PRIMARY KEY, i INTEGER, r REAL, x TEXT, n NUMERIC, b BLOB, "
          "z)")
FILL = ("INSERT INTO t(i, r, x, n, b, z) SELECT v, v * 0.5, 'row ' || v, v, "
        "x'00ff', NULL FROM (WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 "
        "FROM s WHERE v < 400) SELECT v FROM s)")
UPDATES = [
    # same size (the cell is overwritten where it lies)
    "UPDATE t SET i = i + 1",
    # affinities applied by MakeRecord: REAL gets a float, NUMERIC an
    # integer from text, TEXT a string from a number
    "UPDATE t SET r = 7, n = '12', x = i * 3 WHERE a % 3 = 0",
    # growing rows (cells move, pages split)
    "UPDATE t SET z = 'longer text ' || a, b = randomblob(8) WHERE a % 2 = 0",
    "UPDATE t SET z = 2.5e300, n = '1e3' WHERE a BETWEEN 50 AND 90",
]


def _run(con, sql: str) -> list:
    return con.execute(sql).fetchall()


def test_updated_rows_stay_decoded_and_match_sqlite3(tmp_path) -> None:
    path = str(tmp_path / "t.db")
    mine = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    for c in (mine, ref):
        c.execute(SCHEMA)
        c.execute(FILL)
    read = "SELECT a, i, r, x, n, hex(b), length(b), z, typeof(r), typeof(n), typeof(x) FROM t"
    _run(mine, read)          # (the leaves' caches exist once read)
    for sql in UPDATES:
        if "randomblob" in sql:
            sql = sql.replace("randomblob(8)", "x'0102030405060708'")
        for c in (mine, ref):
            c.execute(sql)
        assert _cached_rows(mine, "t") > 0, sql
        assert _run(mine, read) == _run(ref, read), sql
    mine.execute("UPDATE t SET i = -i")
    assert _cached_rows(mine, "t") >= 300     # the whole-table update: same sizes
    mine.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    check.close()


def test_update_without_a_read_first(tmp_path) -> None:
    """A page whose rows were never decoded starts no cache of its own."""
    path = str(tmp_path / "t.db")
    con = sqlite3.connect(path)
    con.execute(SCHEMA)
    con.execute(FILL)
    con.commit()
    con.close()
    mine = pyrite.connect(path, isolation_level=None)
    mine.execute("UPDATE t SET i = i + 1 WHERE a = 5")
    assert _cached_rows(mine, "t") <= 1
    assert _run(mine, "SELECT i FROM t WHERE a = 5") == [(6,)]


def test_values_that_do_not_round_trip_are_not_kept(tmp_path) -> None:
    """Text that is not valid UTF-8 (held as lone surrogates), and a record
    that overflows its page is not kept decoded: those rows are read back
    from their cells."""
    mine = pyrite.connect(str(tmp_path / "t.db"), isolation_level=None)
    mine.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, x)")
    mine.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    _run(mine, "SELECT * FROM t")
    mine.execute("UPDATE t SET x = CAST(x'61eda08062ff' AS TEXT) WHERE a = 1")
    mine.execute("UPDATE t SET x = ? WHERE a = 2", ("y" * 10000,))
    mine.execute("UPDATE t SET x = 'short' WHERE a = 3")
    (tree, page, info), = _leaves(mine, "t")
    assert info.records is not None
    assert info.records[0] is None and info.records[1] is None
    assert info.records[2] == [None, "short"]
    q = "SELECT a, hex(x) FROM t ORDER BY a"
    got = _run(mine, q)
    _cached_rows(mine, "t")
    mine.close()
    fresh = pyrite.connect(str(tmp_path / "t.db"))
    assert _run(fresh, q) == got


def test_insert_reached_by_a_jump_is_not_given_the_row(tmp_path) -> None:
    """An INSERT ... SELECT through a coroutine and an UPSERT still store
    and read back the right rows (their Insert follows its MakeRecord; any
    Insert a jump lands on is left alone by _row_of_record)."""
    path = str(tmp_path / "t.db")
    mine = pyrite.connect(path, isolation_level=None)
    ref = sqlite3.connect(":memory:", isolation_level=None)
    script = [
        "CREATE TABLE s(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c REAL)",
        "INSERT INTO s VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)",
        "SELECT * FROM s",
        "INSERT INTO s(b, c) SELECT b || '!', c * 2 FROM s ORDER BY a DESC",
        "INSERT INTO s VALUES (2, 'two', 9) ON CONFLICT(b) DO UPDATE SET c = excluded.c + 1",
        "INSERT OR REPLACE INTO s VALUES (3, 'drei', 4)",
    ]
    for sql in script:
        for c in (mine, ref):
            c.execute(sql)
        q = "SELECT a, b, c, typeof(c) FROM s ORDER BY a"
        assert _run(mine, q) == _run(ref, q), sql
    _cached_rows(mine, "s")


def _program(jump_to: int):
    from pyrite.vdbe import opcodes
    from pyrite.vdbe.program import Instruction, Program
    opcodes._load()
    n = opcodes.number
    ops = [Instruction(n("Integer"), 1, 1), Instruction(n("Goto"), 0, jump_to),
           Instruction(n("MakeRecord"), 1, 1, 2), Instruction(n("Insert"), 0, 2, 1, "t", 1),
           Instruction(n("Halt"))]
    return Program(ops, n_registers=3, n_cursors=1)


def test_compiled_insert_takes_the_row_only_straight_after_its_record() -> None:
    """The compiled executor hands MakeRecord's values to the Insert right
    after it (jit._make_row_record, jit._insert), but not to an Insert that
    a jump reaches, whose record may come from elsewhere."""
    from pyrite.vdbe import jit
    fused = jit.compile_program(_program(2)).source
    assert "mrow = r[1:2]" in fused and "v = r[2]" in fused and ", v, mrow if" in fused
    assert "H_Insert(" in fused                    # (a closed cursor: the handler's error)
    jumped = jit.compile_program(_program(3)).source
    assert "mrow" not in jumped and "H_Insert(" in jumped
    assert ", v, None)" in jumped                  # the record alone


def test_an_update_program_compiles_to_the_fused_insert(tmp_path) -> None:
    from pyrite.vdbe import jit
    con = pyrite.connect(str(tmp_path / "t.db"))
    con.execute(SCHEMA)
    stmt, _ = con._db.prepare("UPDATE t SET i = i * 2 WHERE a > 10")
    assert ", v, mrow if" in jit.compile_program(stmt.program).source
