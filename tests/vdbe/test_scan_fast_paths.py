"""Fast paths of unindexed scans (speedtest1 130-145, 520): compiled LIKE
tests, the Function/AggStep inline forms, DISTINCT kept as a hash set and
the sorter.  Each is compared with sqlite3 under every executor, with
inputs that take the fast path and inputs that fall back."""

from __future__ import annotations

import pytest
from sqlite_pair import both, same

import pyrite
from pyrite.vdbe import jit
from pyrite.vdbe.functions import core

PATTERNS = ["%one%", "one%", "%one", "one", "%", "", "%%", "O_e", "%ONE%", "%é%",
            "%É%", "a\0b%", "%a%b%", "_", "%k%", "%K%", "%1%", "ab", "%a_", "\0",
            "%\0%", "%aé%", "%AÉ%", "%[a]%", "%.*%", "one%%"]
TEXTS = ["one", "ONE", "bone", "oNe", "onesie", "xone", "é", "É", "aé", "AÉ", "aÉ",
         "a\0bc", "ab", "", "\0", "K", "\u212a", "k", "1", "abc", "[a]", ".*", "a.*b",
         None, 1, 1.5, b"one", "a\0b"]


def test_like_patterns_agree_with_sqlite3() -> None:
    """Every pattern shape against texts that take the compiled test (ASCII)
    and texts that fall back (non-ASCII letters, NULs, non-text values)."""
    a, b = both([])
    for p in PATTERNS + [None, 1, b"x"]:
        for t in TEXTS:
            same(a, b, "SELECT ?2 LIKE ?1, like(?1, ?2), ?2 NOT LIKE ?1", (p, t))


def test_like_test_is_built_once_per_pattern() -> None:
    core._LIKE_TESTS[False].clear()
    assert core.like2("%Ab%", "xaBy") == 1
    test = core._LIKE_TESTS[False]["%Ab%"]
    assert core.like2("%Ab%", "xy") == 0
    assert core._LIKE_TESTS[False]["%Ab%"] is test
    assert core.like2("%Ab%", "\u00e9ab") == 1      # non-ASCII text: the matcher
    assert core.like2("%Ab%", "a\0ab") == 0         # SQLite stops at the NUL
    assert core.like2(None, "x") is None and core.like2("x", None) is None
    assert core.like2("1", 1) == 1                  # a number as its text
    assert core.like2("x", b"x") == 0               # blobs never match


def test_like_plans_for_the_inline_form() -> None:
    """The plans jit._like writes inline: a '%literal%' pattern's literal
    (lower-cased when it folds case), '' for any other pattern."""
    for table in (*core._LIKE_PLANS.values(), *core._LIKE_TESTS.values()):
        table.clear()
    core.like2("%Ab%", "x")
    assert core._LIKE_PLANS[False]["%Ab%"][:2] == ("ab", True)
    core.like2("%1é%", "x")
    assert core._LIKE_PLANS[False]["%1é%"][:2] == ("1é", False)
    core.like2("Ab%", "x")
    core.like2("%a_%", "x")
    assert core._LIKE_PLANS[False]["Ab%"][0] == core._LIKE_PLANS[False]["%a_%"][0] == ""
    sensitive = core.make_like(True)[0].func
    sensitive("%Ab%", "x")
    assert core._LIKE_PLANS[True]["%Ab%"][:2] == ("Ab", False)


@pytest.mark.parametrize("case_sensitive", [0, 1])
def test_like_inline_form_over_a_scan(executor: str, case_sensitive: int) -> None:
    """Every pattern over a table of every text shape, twice (the plan is
    made on the first row that sees the pattern, the inline form used on
    the others): ASCII text takes the inline test, non-ASCII text, NULs,
    numbers, blobs and NULLs fall back; as does a pattern that is no text."""
    a, b = both(["CREATE TABLE t(c)", f"PRAGMA case_sensitive_like={case_sensitive}"])
    for conn in (a, b):
        conn.executemany("INSERT INTO t VALUES (?)", [(t,) for t in TEXTS * 3])
    for p in PATTERNS + [None, 1, b"one", "1.5"]:
        for _ in range(2):
            same(a, b, "SELECT rowid, c LIKE ?1, ?1 NOT LIKE c FROM t", (p,))
            same(a, b, "SELECT count(*) FROM t WHERE c LIKE ?1", (p,))


def test_like_pattern_over_the_limit_still_raises() -> None:
    b = pyrite.connect(":memory:")
    with pytest.raises(pyrite.OperationalError, match="LIKE or GLOB pattern too complex"):
        b.execute("SELECT 'a' LIKE ?", ("%" * 50001,)).fetchall()


def test_like_scans_with_aggregates(executor: str) -> None:
    """The speedtest1 140/142/145 statements, run often enough to compile."""
    setup = ["CREATE TABLE z1(a INTEGER, b INTEGER, c TEXT)"]
    a, b = both(setup)
    words = ["one", "two", "three", "Four", "fïve", "six\0seven", "ÉIGHT", "nine"]
    rows = [(i * 7 % 101, i if i % 9 else None, f"{words[i % 8]} {i}" if i % 13 else None)
            for i in range(300)]
    for conn in (a, b):
        conn.executemany("INSERT INTO z1 VALUES (?, ?, ?)", rows)
        conn.execute("INSERT INTO z1 VALUES (5, 2.5, 'one and a half')")
        conn.execute("INSERT INTO z1 VALUES (6, '7', x'6f6e65')")
    queries = [
        "SELECT count(*), avg(b), sum(length(c)), group_concat(c) FROM z1 WHERE c LIKE ?1",
        "SELECT a, b, c FROM z1 WHERE c LIKE ?1 ORDER BY a",
        "SELECT a, b, c FROM z1 WHERE c LIKE ?1 ORDER BY a LIMIT 10",
        "SELECT a, b, c FROM z1 WHERE c LIKE ?1 ORDER BY a DESC, b LIMIT 5 OFFSET 3",
        "SELECT count(*), avg(b), sum(length(c)), group_concat(c) FROM z1 "
        "WHERE b BETWEEN ?1 AND 200",
        "SELECT total(b), min(c), max(c), count(b), group_concat(b, '-') FROM z1 "
        "WHERE c LIKE ?1",
    ]
    for sql in queries:
        for p in ["%one%", "%e%", "t%", "%1", "%Ë%", "%ï%", "%x%", "six%", "%", "%%n_n%"]:
            same(a, b, sql, (p,) if "?1" in sql else ())


def test_function_and_aggstep_inline_results(executor: str) -> None:
    """Results stored as op_function stores them (a NaN is NULL), user
    functions and aggregates, an aggregate state made on its first row."""
    a, b = both(["CREATE TABLE t(x, y)"])
    for conn in (a, b):
        conn.executemany("INSERT INTO t VALUES (?, ?)",
                         [(i, float("inf") if i % 5 == 0 else i / 3) for i in range(1, 40)])
        conn.create_function("twice", 1, lambda v: None if v is None else v * 2)
        conn.create_function("isbig", 1, lambda v: v > 10)
        conn.create_function("nanf", 1, lambda v: float("nan"))

        class Last:
            def __init__(self) -> None:
                self.v = None

            def step(self, v: object) -> None:
                self.v = v

            def finalize(self) -> object:
                return self.v

        conn.create_aggregate("lastv", 1, Last)
    for sql in ["SELECT twice(x), isbig(x), nanf(x), typeof(nanf(x)), abs(y - y) FROM t",
                "SELECT sum(twice(x)), lastv(x), count(*), avg(y) FROM t WHERE isbig(x)",
                "SELECT x % 3, lastv(y), sum(x), group_concat(x) FROM t GROUP BY 1",
                "SELECT count(*), sum(x) FROM t WHERE x > 100"]:
        for _ in range(3):
            same(a, b, sql)


def test_distinct_as_a_hash_set(executor: str) -> None:
    """NULLs are one value, 1 and 1.0 one value, '1' and x'31' two; NOCASE
    and RTRIM columns keep the B-tree; OFFSET/LIMIT count distinct rows."""
    setup = [
        "CREATE TABLE t(a, b, c TEXT COLLATE NOCASE)",
        "INSERT INTO t VALUES(1,1,'a'),(1.0,2,'A'),(NULL,3,'b'),(NULL,4,'B'),"
        "('1',5,'c'),(x'31',6,'C'),(2,7,'a '),(2.5,8,'x'),(-0.0,9,'y'),(0,10,'z'),"
        "(9223372036854775807,11,'q'),(9.223372036854776e18,12,'r'),('a',13,'s'),"
        "('A',14,'t')",
    ]
    a, b = both(setup)
    for sql in ["SELECT DISTINCT a FROM t", "SELECT DISTINCT a, b % 2 FROM t",
                "SELECT DISTINCT c FROM t", "SELECT DISTINCT a, c FROM t",
                "SELECT DISTINCT a FROM t LIMIT 3 OFFSET 2",
                "SELECT DISTINCT a FROM t ORDER BY b DESC",
                "SELECT DISTINCT typeof(a) FROM t", "SELECT count(DISTINCT a) FROM t",
                "SELECT DISTINCT a COLLATE rtrim FROM t", "SELECT DISTINCT upper(c) FROM t",
                "SELECT (SELECT group_concat(x) FROM (SELECT DISTINCT a % 2 x FROM t "
                "WHERE b <= o.b)) FROM t o",
                "SELECT DISTINCT a, sum(b) OVER () FROM t",
                "SELECT DISTINCT x'00' || a FROM t"]:
        for _ in range(2):
            same(a, b, sql)


def test_distinct_sets_of_a_scan_loop(executor: str) -> None:
    """A scan loop reads its DISTINCT sets once before it runs: over many
    leaves (the loop left for the next one), in a subquery run again for
    each outer row (the set emptied between runs), two sets in one loop
    (a DISTINCT and an IN list), a key of two fields, LIMIT."""
    a, b = both(["CREATE TABLE t(a INTEGER PRIMARY KEY, b, c, d)"])
    for conn in (a, b):
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)",
                         [(i, i % 37, f"{'x' * (i % 5)}{i % 3}", "p" * (i % 300))
                          for i in range(1, 700)])
    for sql in ["SELECT DISTINCT b FROM t", "SELECT DISTINCT c, b % 3 FROM t",
                "SELECT DISTINCT b FROM t WHERE c LIKE '%5' LIMIT 9",
                "SELECT a, (SELECT count(*) FROM (SELECT DISTINCT b % o.a FROM t)) "
                "FROM t o WHERE a < 12",
                "SELECT DISTINCT b FROM t WHERE a % 7 IN (1, 3, 5)",
                "SELECT count(DISTINCT c) FROM t"]:
        for _ in range(2):
            same(a, b, sql)


def test_distinct_ephemeral_is_unordered_as_sqlite3() -> None:
    """OpenEphemeral of a DISTINCT carries BTREE_UNORDERED (P5 = 8), as
    sqlite3's EXPLAIN shows; a BINARY key opens a hash cursor."""
    b = pyrite.connect(":memory:")
    b.execute("CREATE TABLE t(a, b COLLATE NOCASE)")
    for sql in ("SELECT DISTINCT a FROM t", "SELECT DISTINCT b FROM t"):
        ops = [row for row in b.execute("EXPLAIN " + sql) if row[1] == "OpenEphemeral"]
        assert [op[6] for op in ops] == [8]


SORT_ROWS = [(1, "b", 2.5), (2, None, 1), (3, "a", None), (4, "B", b"x"), (5, "a", 2),
             (6, None, "t"), (7, b"a", 2.0), (8, 3, None), (9, 2.5, -1), (10, "a", 2),
             (11, "é", 0), (13, "e\u0301", 1), (14, -0.0, 0),
             (15, 9223372036854775807, 9.3e18)]


def test_order_by_agrees_with_sqlite3(executor: str) -> None:
    """ASC, DESC, mixed directions and NULLS FIRST/LAST over mixed storage
    classes, ties kept in scan order, with and without LIMIT/OFFSET; NOCASE
    keys take the comparison path."""
    a, b = both(["CREATE TABLE s(id INTEGER PRIMARY KEY, x, y)"])
    for conn in (a, b):
        conn.executemany("INSERT INTO s VALUES (?, ?, ?)", SORT_ROWS)
    for order in ["x", "x DESC", "x DESC, y", "y, x DESC", "x DESC, y DESC",
                  "x NULLS LAST", "x DESC NULLS FIRST, y", "y NULLS LAST, x DESC NULLS FIRST",
                  "x COLLATE NOCASE DESC, y", "typeof(x) DESC, y", "x || '' DESC"]:
        for tail in ["", " LIMIT 4", " LIMIT 3 OFFSET 2"]:
            for _ in range(2):
                same(a, b, f"SELECT id, x, y FROM s ORDER BY {order}{tail}")


def test_sorter_keeps_values_that_survive_a_record() -> None:
    """Text that is not valid UTF-8 (its bad bytes read as lone surrogates)
    is not taken for a value that survives a record, so the compiled
    MakeRecord keeps the record for it; the sorted rows are those of the
    interpreter."""
    from pyrite.vdbe.ops.cursor import record_round_trips
    assert record_round_trips([None, 1, 2.5, "é", b"\x00", "a"])
    assert not record_round_trips(["\ud800"])
    assert not record_round_trips([bytearray(b"x")])
    results = []
    for mode in ("interp", "eager"):
        saved = jit.set_mode(mode)
        try:
            b = pyrite.connect(":memory:")
            b.execute("CREATE TABLE s(id INTEGER PRIMARY KEY, x, y)")
            b.executemany("INSERT INTO s VALUES (?, ?, ?)", SORT_ROWS)
            b.execute("INSERT INTO s VALUES (20, CAST(x'ff61' AS TEXT), 1), "
                      "(21, CAST(x'61ff' AS TEXT), 2)")
            results.append(b.execute("SELECT id, hex(x), y FROM (SELECT id, x, y FROM s "
                                     "ORDER BY x DESC, y LIMIT 100)").fetchall())
        finally:
            jit.set_mode(saved)
    assert repr(results[0]) == repr(results[1])


def test_sorter_rows_of_a_scan_as_interpreted() -> None:
    """A fused scan's MakeRecord into a sorter leaves the row's values
    unchecked when they are the row's own (its columns, its default, its
    rowid) in a UTF-8 database: a computed value (a lone surrogate, which
    a record changes) is checked, as the interpreter's rows show; text
    from invalid UTF-8 comes back the same, and a UTF-16 database's rows
    are checked."""
    results = []
    for mode in ("interp", "eager"):
        saved = jit.set_mode(mode)
        try:
            rows = []
            for encoding in ("UTF-8", "UTF-16le"):
                b = pyrite.connect(":memory:")
                b.create_function("f", 1, lambda v: f"\ud800{v}", deterministic=True)
                b.execute(f"PRAGMA encoding = '{encoding}'")
                b.execute("CREATE TABLE s(id INTEGER PRIMARY KEY, x, y)")
                b.executemany("INSERT INTO s VALUES (?, ?, ?)", SORT_ROWS)
                b.execute("INSERT INTO s VALUES (20, CAST(x'80dc80dc' AS TEXT), 1), "
                          "(21, CAST(x'61ff' AS TEXT), 2), (22, CAST(x'ff61' AS TEXT), 3)")
                b.execute("ALTER TABLE s ADD COLUMN z DEFAULT 'é'")
                for sql in ["SELECT id, x, y FROM s ORDER BY x DESC, y LIMIT 99",
                            "SELECT id, x, z AS y FROM s ORDER BY y, x LIMIT 30",
                            "SELECT id, x || 'a' AS x, y FROM s WHERE id > 1 ORDER BY 2 LIMIT 99",
                            "SELECT id, f(x) AS x, y FROM s ORDER BY y LIMIT 99",
                            "SELECT id, x, y FROM s ORDER BY id DESC LIMIT 99"]:
                    for _ in range(2):
                        rows.append(b.execute(
                            f"SELECT id, hex(x), length(x), unicode(x), y FROM ({sql})").fetchall())
            results.append(rows)
        finally:
            jit.set_mode(saved)
    assert results[0] == results[1]


def test_rowid_in_scan_loops(executor: str) -> None:
    """Rowid in a scan loop reads the leaf's keys: over tables of several
    leaves, after deletes and updates, in an ORDER BY's rows, on a NULL row
    (a LEFT JOIN without a match) and over an index (the handler)."""
    a, b = both(["CREATE TABLE t(a INTEGER, b TEXT)", "CREATE INDEX tb ON t(b)",
                 "CREATE TABLE u(x)"])
    for conn in (a, b):
        conn.executemany("INSERT INTO t VALUES (?, ?)",
                         [(i % 13, f"text {i:05d}" * 3) for i in range(400)])
        conn.execute("DELETE FROM t WHERE a = 3")
        conn.execute("UPDATE t SET b = b || 'x' WHERE a = 4")
        conn.executemany("INSERT INTO u VALUES (?)", [(i,) for i in range(0, 30, 4)])
    for sql in ["SELECT rowid, a FROM t WHERE a > 10",
                "SELECT rowid, a, b FROM t ORDER BY a DESC, rowid LIMIT 20",
                "SELECT u.x, t.rowid FROM u LEFT JOIN t ON t.rowid = u.x * 7",
                "SELECT rowid FROM t WHERE b > 'text 00300'",
                "SELECT count(*), sum(rowid) FROM t"]:
        for _ in range(2):
            same(a, b, sql)


def test_sum_and_group_concat_fast_steps(executor: str) -> None:
    """sum/avg over integers, reals, numeric text and blobs; group_concat
    with the default separator, a separator and as a sliding window (its
    inverse cuts the buffer's front)."""
    a, b = both(["CREATE TABLE g(k, v)"])
    rows = [(i % 3, v) for i, v in enumerate(
        [1, 2.5, "3", " 4 ", "x", b"5", None, 9223372036854775807, 1, -2, "é", 0.1, 7])]
    for conn in (a, b):
        conn.executemany("INSERT INTO g VALUES (?, ?)", rows)
    for sql in ["SELECT k, sum(v), avg(v), total(v), count(v) FROM g GROUP BY k",
                "SELECT k, group_concat(v), group_concat(v, ' - '), group_concat(v, NULL) "
                "FROM g GROUP BY k",
                "SELECT group_concat(v) OVER (ORDER BY rowid ROWS BETWEEN 2 PRECEDING "
                "AND CURRENT ROW) FROM g",
                "SELECT group_concat(v, '++') OVER (ORDER BY rowid ROWS BETWEEN 1 PRECEDING "
                "AND 1 FOLLOWING) FROM g",
                "SELECT sum(v) FROM g WHERE typeof(v) = 'integer' AND v < 100"]:
        same(a, b, sql)


def test_min_max_fast_steps(executor: str) -> None:
    """min/max compare two numbers or two BINARY texts with Python's
    operators and everything else through compare(): ints against reals
    (the first of equal values kept: 1 before 1.0 and 1.0 before 1), text
    against numbers and blobs, NOCASE text, NULLs skipped."""
    a, b = both(["CREATE TABLE m(k, v, w TEXT COLLATE NOCASE)"])
    rows = [(0, 1, "b"), (0, 1.0, "B"), (1, 1.0, "a"), (1, 1, "A"), (2, 2, "c"),
            (2, "10", "C"), (2, 3.5, None), (3, b"\x01", "x"), (3, 7, "X"), (3, "z", "y"),
            (4, None, None), (4, -9223372036854775808, "é"), (4, -9.3e18, "É"),
            (5, 9007199254740993, "q"), (5, 9007199254740992.0, "Q"), (6, "b", "a "),
            (6, "B", "a"), (6, "ba", "A")]
    for conn in (a, b):
        conn.executemany("INSERT INTO m VALUES (?, ?, ?)", rows)
    for sql in ["SELECT k, min(v), max(v), typeof(min(v)), typeof(max(v)) FROM m GROUP BY k",
                "SELECT min(w), max(w), min(w COLLATE BINARY), max(w COLLATE BINARY), "
                "min(v), max(v) FROM m",
                "SELECT k, max(w), min(w) FROM m GROUP BY k",
                "SELECT max(v), k FROM m", "SELECT min(v), k FROM m WHERE k > 0",
                "SELECT k, max(v) OVER (ORDER BY rowid ROWS 2 PRECEDING) FROM m"]:
        same(a, b, sql)


def test_sum_overflow_and_order_of_kinds(executor: str) -> None:
    """The integer sum overflows once a partial sum leaves 64 bits (an
    error even if later rows bring it back); a real makes it approximate."""
    a, b = both(["CREATE TABLE s(v)"])
    for conn in (a, b):
        conn.executemany("INSERT INTO s VALUES (?)",
                         [(9223372036854775807,), (1,), (-5,), (2.0,)])
    same(a, b, "SELECT sum(v), avg(v), total(v) FROM s WHERE rowid <> 2")
    same(a, b, "SELECT sum(v), avg(v) FROM s WHERE rowid > 1")
    same(a, b, "SELECT sum(v) FROM s WHERE rowid >= 3")
    for conn in (a, b):
        with pytest.raises(conn.OperationalError if conn is a else pyrite.OperationalError,
                           match="integer overflow"):
            conn.execute("SELECT sum(v) FROM s WHERE rowid < 4").fetchall()


def test_columns_of_one_row_read_once(executor: str) -> None:
    """Several columns of one cursor in a block, through NULL rows (a LEFT
    JOIN without a match), deferred seeks (an index scan reading the
    table), a sorter's rows and a user function between the reads."""
    setup = ["CREATE TABLE p(id INTEGER PRIMARY KEY, a, b, c)",
             "CREATE TABLE q(pid, x, y)", "CREATE INDEX qx ON q(x)"]
    a, b = both(setup)
    for conn in (a, b):
        conn.executemany("INSERT INTO p VALUES (?, ?, ?, ?)",
                         [(i, i % 7, f"b{i}", i / 4) for i in range(1, 60)])
        conn.executemany("INSERT INTO q VALUES (?, ?, ?)",
                         [(i, i % 5, i * 3) for i in range(1, 60, 3)])
        conn.create_function("f", 1, lambda v: None if v is None else str(v) * 2)
    for sql in ["SELECT p.a, p.b, q.x, q.y, q.x + q.y, f(q.y), q.pid FROM p "
                "LEFT JOIN q ON q.pid = p.id ORDER BY p.id",
                "SELECT y, pid, x, f(y), y * 2 FROM q WHERE x = 2",
                "SELECT a, b, c, a + c, f(b), b || a FROM p WHERE a BETWEEN 2 AND 4 "
                "ORDER BY c DESC, b LIMIT 9",
                "SELECT count(*), sum(a), max(b), min(c), avg(a + c) FROM p WHERE a > 1",
                "SELECT a, b FROM p WHERE a = 3 AND b > 'b2' AND c < 12"]:
        for _ in range(3):
            same(a, b, sql)


def _count_encodes(monkeypatch: pytest.MonkeyPatch) -> list:
    """A list that gathers the values of every record the interpreter's
    MakeRecord encodes, by either path: the one-pass encoder of
    vdbe/recenc.py, which it tries first, or encode_record."""
    from pyrite.vdbe.ops import data
    encoded: list = []
    encode = data.encode_record
    make_encoder = data.record_encoder

    def counting(vals: list) -> bytes:
        encoded.append(list(vals))
        return encode(vals)

    def counting_encoder(p1: int, n: int, aff: str | None) -> object:
        enc = make_encoder(p1, n, aff)
        if enc is None:
            return None

        def counted(r: list) -> bytes | None:
            out = enc(r)
            if out is not None:
                encoded.append(r[p1:p1 + n])
            return out
        return counted

    monkeypatch.setattr(data, "encode_record", counting)
    monkeypatch.setattr(data, "record_encoder", counting_encoder)
    return encoded


def test_interpreted_distinct_set_encodes_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the interpreter, the MakeRecord of a DISTINCT kept as a hash
    set leaves the values for the IdxInsert after it (nothing encoded);
    a NOCASE DISTINCT, kept in a B-tree, still encodes its records."""
    encoded = _count_encodes(monkeypatch)
    saved = jit.set_mode("interp")
    try:
        a, b = both(["CREATE TABLE t(x, y TEXT COLLATE NOCASE)"])
        for conn in (a, b):
            conn.executemany("INSERT INTO t VALUES (?, ?)",
                             [(i % 7, "ab"[i % 2] * (i % 3)) for i in range(40)])
        encoded.clear()
        same(a, b, "SELECT DISTINCT x FROM t")
        same(a, b, "SELECT DISTINCT x, x + 1 FROM t LIMIT 3 OFFSET 1")
        assert encoded == []
        same(a, b, "SELECT DISTINCT y FROM t")
        assert encoded
    finally:
        jit.set_mode(saved)


def test_interpreted_sorter_rows_are_not_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the interpreter, a MakeRecord whose record goes straight to a
    SorterInsert (ORDER BY, GROUP BY's sorter) leaves the values themselves
    when they would come back unchanged from a record; a record for a
    B-tree (an automatic index's keys here: a NOCASE DISTINCT) is still
    encoded, and the rows agree with sqlite3."""
    encoded = _count_encodes(monkeypatch)
    saved = jit.set_mode("interp")
    try:
        a, b = both(["CREATE TABLE t(x, y TEXT COLLATE NOCASE, z)"])
        for conn in (a, b):
            conn.executemany("INSERT INTO t VALUES (?, ?, ?)",
                             [(i % 7, "ab"[i % 2] * (i % 3), [1.5, None, b"\x01", "é"][i % 4])
                              for i in range(40)])
        encoded.clear()
        same(a, b, "SELECT x, y, z FROM t ORDER BY y, z DESC, x")
        same(a, b, "SELECT x, z FROM t ORDER BY x LIMIT 5")
        same(a, b, "SELECT y, count(*), sum(x) FROM t GROUP BY y, z ORDER BY 3, 1")
        assert encoded == []
        same(a, b, "SELECT DISTINCT y FROM t")
        assert encoded
    finally:
        jit.set_mode(saved)


def test_order_by_one_kind_columns_sorts_by_values(executor: str) -> None:
    """Sort keys that hold one kind of value -- integers, reals, both
    mixed, text, blobs -- are the values themselves (ties kept in scan
    order, 1 equal to 1.0, DESC runs reversed stably); a NULL or a text
    among numbers falls back to the ranked keys."""
    from pyrite.vdbe.ops.cursor import _direct_key
    assert _direct_key([[1, "a"], [2.5, "b"]], 0, 2) is not None
    assert _direct_key([[1], [None]], 0, 1) is None
    assert _direct_key([[1], ["1"]], 0, 1) is None
    assert _direct_key([[1], []], 0, 1) is None
    a, b = both(["CREATE TABLE k(id INTEGER PRIMARY KEY, i INT, r REAL, m, t TEXT, "
                  "bl BLOB, n)"])
    rows = [(j, j % 4, (j % 5) / 2, j % 3 if j % 2 else (j % 3) * 1.0, f"t{j % 6}",
             bytes([j % 3, 7]), None if j == 5 else j % 2) for j in range(1, 30)]
    for conn in (a, b):
        conn.executemany("INSERT INTO k VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    for order in ["i", "i DESC", "r, i", "r DESC, t", "m", "m DESC, id DESC", "t DESC, m",
                  "bl, i DESC", "t, bl DESC, r", "n, i", "n DESC, t", "i, t || ''"]:
        for tail in ["", " LIMIT 5", " LIMIT 4 OFFSET 3"]:
            same(a, b, f"SELECT id, i, r, m, t, hex(bl) FROM k ORDER BY {order}{tail}")


def test_order_by_result_columns_go_straight_into_the_sorter_record(executor: str) -> None:
    """The result columns of an ORDER BY query are computed in the sorter
    record's registers (no SCopy of each, as sqlite3 codes them); the
    shapes that keep their own result registers (a coroutine's, DISTINCT,
    aggregates, an ORDER BY term that is a result column) agree with
    sqlite3 too."""
    a, b = both(["CREATE TABLE s(id INTEGER PRIMARY KEY, x, y)"])
    for conn in (a, b):
        conn.executemany("INSERT INTO s VALUES (?, ?, ?)", SORT_ROWS)
    ops = [row[1] for row in b.execute("EXPLAIN SELECT id, y FROM s ORDER BY x DESC, y")]
    assert "SCopy" not in ops and "SorterInsert" in ops
    for sql in ["SELECT id, y FROM s ORDER BY x DESC, y",
                "SELECT id, y, x FROM s ORDER BY 3, 1 LIMIT 5",
                "SELECT DISTINCT typeof(x), x > 2 FROM s ORDER BY 1 DESC",
                "SELECT typeof(x) t, count(*), sum(id) FROM s GROUP BY 1 ORDER BY 2, 1",
                "SELECT * FROM (SELECT id, x FROM s ORDER BY x, id LIMIT 6) ORDER BY id DESC",
                "SELECT id, (SELECT count(*) FROM s t WHERE t.id < s.id) FROM s ORDER BY y, id",
                "SELECT id FROM s WHERE id IN (SELECT id FROM s ORDER BY x LIMIT 4) ORDER BY -id",
                "SELECT id, x FROM s UNION ALL SELECT id, y FROM s ORDER BY 2, 1"]:
        for _ in range(2):
            same(a, b, sql)
