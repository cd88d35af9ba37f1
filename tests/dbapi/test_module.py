"""The sqlite3 module surface of pyrite.dbapi, checked against the stdlib sqlite3.

Most tests run one scenario through both modules and compare what comes
out: results, or (exception class name, message).
"""

from __future__ import annotations

import datetime
import sqlite3

import pytest

import pyrite

MODULES = [sqlite3, pyrite]


def outcome(fn):
    """fn()'s value, or the name and text of what it raised."""
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - compared as data
        return ("error", type(exc).__name__, str(exc))


def both(scenario):
    """Run scenario(module) with sqlite3 and pyrite; return both results."""
    return [scenario(mod) for mod in MODULES]


def assert_same(scenario):
    expected, actual = both(scenario)
    assert actual == expected


# -- module surface ------------------------------------------------------------


def test_module_constants():
    for name in ("apilevel", "paramstyle", "sqlite_version", "sqlite_version_info",
                 "PARSE_DECLTYPES", "PARSE_COLNAMES", "version", "SQLITE_OK",
                 "SQLITE_CONSTRAINT", "SQLITE_CORRUPT", "SQLITE_ROW", "SQLITE_DONE"):
        assert getattr(pyrite, name) == getattr(sqlite3, name), name
    assert pyrite.threadsafety == 1
    assert pyrite.Binary is memoryview
    assert pyrite.Date is datetime.date and pyrite.Timestamp is datetime.datetime
    assert pyrite.DateFromTicks(0) == sqlite3.DateFromTicks(0)
    assert pyrite.TimestampFromTicks(86400) == sqlite3.TimestampFromTicks(86400)


def test_exception_hierarchy():
    assert issubclass(pyrite.DatabaseError, pyrite.Error)
    for name in ("DataError", "OperationalError", "IntegrityError", "InternalError",
                 "ProgrammingError", "NotSupportedError"):
        assert issubclass(getattr(pyrite, name), pyrite.DatabaseError)
    assert issubclass(pyrite.InterfaceError, pyrite.Error)
    assert not issubclass(pyrite.Warning, pyrite.Error)
    con = pyrite.connect(":memory:")
    assert con.OperationalError is pyrite.OperationalError
    con.close()


@pytest.mark.parametrize("text", [
    "select 1", "select 1;", "select 'a;", "select 1; -- c", "/* x */ ;",
    "create trigger t after insert on x begin select 1;", "", "  ;  ",
])
def test_complete_statement(text):
    assert pyrite.complete_statement(text) == sqlite3.complete_statement(text)


# -- parameters ------------------------------------------------------------------

BINDINGS = [
    ("select ?", (1, 2)),
    ("select ?, ?", (1,)),
    ("select :x", {"y": 1}),
    ("select ?", {"a": 1}),
    ("select ?", 5),
    ("select ?", (object(),)),
    ("select ?", (1j,)),
    ("select ?", (2 ** 63,)),
    ("select ?", (-(2 ** 63) - 1,)),
    ("select ?", (2 ** 63 - 1,)),
    ("select :x, $y, @z", {"x": 1, "y": "two", "z": None}),
    ("select ?2, ?1", (1, 2)),
    ("select ?, ?", [1.5, b"\x00\x01"]),
    ("select ?", (bytearray(b"ab"),)),
    ("select ?", (memoryview(b"mv"),)),
    ("select ?", (True,)),
    ("select ?", ("h\u00e9llo \U0001f600",)),
    ("select :x", (7,)),
    ("select 1", ()),
    ("select 1; select 2", ()),
    ("select 1; -- trailing comment", ()),
]


@pytest.mark.parametrize("sql,params", BINDINGS)
def test_bindings(sql, params):
    def scenario(mod):
        con = mod.connect(":memory:")
        return outcome(lambda: con.execute(sql, params).fetchall())
    assert_same(scenario)


def test_adapters_and_conform():
    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y

    class Conforming:
        def __conform__(self, proto):
            return "conformed"

    def scenario(mod):
        mod.register_adapter(Point, lambda p: f"{p.x};{p.y}")
        try:
            con = mod.connect(":memory:")
            return con.execute("select ?, ?, ?", (Point(1, 2), Conforming(),
                                                  datetime.date(2024, 2, 29))).fetchall()
        finally:
            del mod.adapters[(Point, mod.PrepareProtocol)]
    assert_same(scenario)


def test_converters():
    def scenario(mod):
        mod.register_converter("POINT", lambda b: tuple(int(x) for x in b.split(b";")))
        try:
            con = mod.connect(":memory:",
                              detect_types=mod.PARSE_DECLTYPES | mod.PARSE_COLNAMES)
            con.execute("create table t(p point, d date, ts timestamp, n number(10))")
            con.execute("insert into t values(?, ?, ?, ?)",
                        ("1;2", datetime.date(2020, 1, 2),
                         datetime.datetime(2020, 1, 2, 3, 4, 5, 600), 3))
            con.execute("insert into t values(null, null, null, null)")
            cur = con.execute('select p, d, ts, n, p as "q [point]", 5 as "k [point]" from t')
            return cur.fetchall(), cur.description
        finally:
            del mod.converters["POINT"]
    assert_same(scenario)


def test_text_factory():
    def scenario(mod):
        con = mod.connect(":memory:")
        res = []
        for factory in (bytes, bytearray, lambda b: b.decode().upper(), str):
            con.text_factory = factory
            res.append(con.execute("select 'h\u00e9', 1, null, x'00'").fetchone())
        return res
    assert_same(scenario)


# -- Row ---------------------------------------------------------------------------


def test_row():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.row_factory = mod.Row
        r = con.execute("select 1 as a, 'x' as B, null as c").fetchone()
        r2 = con.execute("select 1 as a, 'x' as B, null as c").fetchone()
        return (type(r).__name__, r.keys(), r["A"], r["b"], r[0], r[-1], r[0:2], len(r),
                list(r), tuple(r), r == r2, hash(r) == hash(r2),
                outcome(lambda: r["zz"]), outcome(lambda: r[5]), outcome(lambda: r[1.5]))
    assert_same(scenario)


def test_row_factory_on_cursor():
    def scenario(mod):
        con = mod.connect(":memory:")
        cur = con.cursor()
        cur.row_factory = lambda c, row: dict(zip([d[0] for d in c.description], row))
        return cur.execute("select 1 as a, 2 as b").fetchall()
    assert_same(scenario)


# -- execution results -------------------------------------------------------------


def test_description_rowcount_lastrowid():
    def scenario(mod):
        con = mod.connect(":memory:")
        cur = con.cursor()
        out = [(cur.rowcount, cur.lastrowid, cur.description, cur.arraysize)]
        cur.execute("create table t(a integer primary key, b text, c real)")
        out.append((cur.rowcount, cur.lastrowid, cur.description))
        cur.execute("insert into t(b) values('one')")
        out.append((cur.lastrowid, cur.description))
        cur.execute("select a, b as bee, c + 1 from t")
        out.append((cur.rowcount, cur.description, cur.fetchall(), cur.rowcount))
        cur.execute("select * from t where 0")
        out.append((cur.description, cur.fetchall()))
        cur.execute("")
        out.append((cur.rowcount, cur.description))
        return out
    assert_same(scenario)


def test_fetch_variants():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table t(x)")
        con.executemany("insert into t values(?)", [(i,) for i in range(10)])
        cur = con.execute("select x from t order by x")
        cur.arraysize = 3
        out = [cur.fetchone(), cur.fetchmany(), cur.fetchmany(2), next(cur), cur.fetchall(),
               cur.fetchone(), cur.fetchall(), cur.fetchmany()]
        out.append([r for r in con.execute("select x * 2 from t where x < 3")])
        return out
    assert_same(scenario)


def test_executemany_rejects_select():
    def scenario(mod):
        con = mod.connect(":memory:")
        return outcome(lambda: con.executemany("select ?", [(1,)]))
    assert_same(scenario)


def test_executemany_iterables():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table t(a, b)")
        con.executemany("insert into t values(?, ?)", ((i, str(i)) for i in range(5)))
        con.executemany("insert into t values(:a, :b)", [{"a": 9, "b": "nine"}])
        return con.execute("select * from t order by a").fetchall()
    assert_same(scenario)


def test_sql_errors():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table t(a integer primary key, b not null)")
        res = []
        for sql in ("selec 1", "select nosuch from t", "select * from nosuch",
                    "insert into t values(1, null)", "insert into t values(1)",
                    "select abs(-9223372036854775808)"):
            res.append(outcome(lambda: con.execute(sql).fetchall()))
        con.execute("insert into t values(1, 1)")
        res.append(outcome(lambda: con.execute("insert into t values(1, 2)")))
        return res
    assert_same(scenario)


def test_error_codes():
    for mod in MODULES:
        con = mod.connect(":memory:")
        con.execute("create table t(a primary key)")
        con.execute("insert into t values(1)")
        with pytest.raises(mod.IntegrityError) as info:
            con.execute("insert into t values(1)")
        assert info.value.sqlite_errorname in ("SQLITE_CONSTRAINT_PRIMARYKEY",
                                               "SQLITE_CONSTRAINT_UNIQUE")
        with pytest.raises(mod.OperationalError) as info:
            con.execute("select * from nowhere")
        assert info.value.sqlite_errorcode == 1
        assert info.value.sqlite_errorname == "SQLITE_ERROR"


def test_wrong_argument_types():
    def scenario(mod):
        con = mod.connect(":memory:")
        cur = con.cursor()
        return [outcome(lambda: cur.execute(1)), outcome(lambda: cur.executescript(1)),
                outcome(lambda: con.cursor(factory=lambda c: 1)),
                outcome(lambda: con.create_collation("x", 1))]
    assert_same(scenario)


def test_connection_shortcuts_use_cursor_method_and_row_factory():
    """Connection.execute (and executemany) call the connection's cursor()
    (a subclass's own), which applies the row factory; a closed connection
    raises once execute's argument is a string, as sqlite3's does."""
    def scenario(mod):
        made = []

        class Counting(mod.Connection):
            def cursor(self, factory=None):
                made.append(factory)
                return super().cursor() if factory is None else super().cursor(factory)

        con = mod.connect(":memory:", factory=Counting)
        out = [con.execute("select 1").fetchall(), len(made)]
        con.execute("create table t(x)")
        con.executemany("insert into t values(?)", [(1,), (2,)])
        out.append(len(made))
        plain = mod.connect(":memory:")
        plain.row_factory = lambda cur, row: ("row",) + row
        out.append(plain.execute("select 2").fetchall())
        plain.row_factory = None
        out.append(plain.execute("select 3").fetchall())
        plain.close()
        out += [outcome(lambda: plain.execute(1)), outcome(lambda: plain.execute("select 1"))]
        return out
    assert_same(scenario)


# -- transactions --------------------------------------------------------------------


def test_implicit_transactions():
    def scenario(mod):
        con = mod.connect(":memory:")
        out = [con.isolation_level, con.in_transaction]
        con.execute("create table t(x)")
        out.append(con.in_transaction)
        con.execute("select * from t").fetchall()
        out.append(con.in_transaction)
        con.execute("/* leading comment */ insert into t values(1)")
        out.append(con.in_transaction)
        con.rollback()
        out.append((con.in_transaction, con.execute("select * from t").fetchall()))
        con.execute("  -- line comment\n REPLACE into t values(2)")
        out.append(con.in_transaction)
        con.commit()
        out.append((con.in_transaction, con.execute("select * from t").fetchall()))
        con.execute("update t set x = 3")
        out.append(con.in_transaction)
        con.isolation_level = None        # commits
        out.append((con.isolation_level, con.in_transaction))
        con.execute("delete from t")
        out.append(con.in_transaction)
        con.execute("begin")
        con.execute("insert into t values(4)")
        out.append(con.in_transaction)
        con.rollback()
        out.append((con.in_transaction, con.execute("select * from t").fetchall()))
        con.isolation_level = "immediate"
        out.append(con.isolation_level)
        con.execute("insert into t values(5)")
        out.append(con.in_transaction)
        con.commit()
        out.append(con.execute("select * from t").fetchall())
        out.append(outcome(lambda: setattr(con, "isolation_level", "bogus")))
        out.append(outcome(lambda: setattr(con, "isolation_level", 1)))
        return out
    assert_same(scenario)


def test_isolation_level_argument():
    def scenario(mod):
        res = []
        for level in (None, "", "DEFERRED", "exclusive"):
            con = mod.connect(":memory:", isolation_level=level)
            con.execute("create table t(x)")
            con.execute("insert into t values(1)")
            res.append((con.isolation_level, con.in_transaction))
            con.close()
        return res
    assert_same(scenario)


def test_transaction_visible_to_other_connection(tmp_path):
    path = str(tmp_path / "t.db")
    con = pyrite.connect(path)
    con.execute("create table t(x)")
    con.execute("insert into t values(1)")
    other = sqlite3.connect(path)
    assert other.execute("select count(*) from t").fetchone() == (0,)
    con.commit()
    assert other.execute("select count(*) from t").fetchone() == (1,)
    other.close()
    con.close()


def test_dropped_cursor_releases_its_statement(tmp_path):
    """A cursor dropped part-way through its rows resets its statement, as
    sqlite3's does: the read lock goes (another connection can write) and
    the cached statement is free for the next execute."""
    def scenario(mod):
        path = str(tmp_path / f"{mod.__name__}.db")
        a = mod.connect(path, isolation_level=None, timeout=0)
        b = mod.connect(path, isolation_level=None, timeout=0)
        a.execute("create table t(x)")
        a.executemany("insert into t values(?)", [(i,) for i in range(10)])
        out = []
        cur = a.execute("select x from t order by x")
        out.append(cur.fetchone())
        try:
            b.execute("insert into t values(100)")
            out.append("wrote")
        except mod.OperationalError as exc:
            out.append(str(exc))
        del cur
        b.execute("insert into t values(101)")
        for _ in range(3):
            out.append(a.execute("select x from t order by x").fetchone())
        out.append(a.execute("select count(*) from t").fetchone())
        a.close()
        b.close()
        return out
    assert_same(scenario)


def test_autocommit_write_that_cannot_commit_is_rolled_back(tmp_path):
    """An autocommit INSERT whose commit meets another connection's read
    lock fails with "database is locked" and leaves nothing behind: no
    open transaction, no change counted, no row committed later."""
    def scenario(mod):
        path = str(tmp_path / f"{mod.__name__}.db")
        a = mod.connect(path, isolation_level=None, timeout=0)
        b = mod.connect(path, isolation_level=None, timeout=0)
        a.execute("create table t(x)")
        a.executemany("insert into t values(?)", [(i,) for i in range(5)])
        cur = a.execute("select x from t")
        cur.fetchone()
        before = b.total_changes
        out = []
        try:
            b.execute("insert into t values(100)")
        except mod.OperationalError as exc:
            out.append(str(exc))
        out += [b.in_transaction, b.total_changes - before,
                b.execute("select changes()").fetchone()]
        cur.fetchall()
        b.execute("insert into t values(101)")
        out.append(a.execute("select x from t where x >= 100").fetchall())
        a.close()
        b.close()
        return out
    assert_same(scenario)


def test_fetchall_after_fetchone_and_errors_mid_scan():
    """fetchall runs the rest of the statement in one go: the rows it gives
    follow those already fetched, RETURNING rows come the same way, and an
    error part-way raises (the statement is released) as in sqlite3."""
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table t(a integer primary key, b)")
        con.executemany("insert into t(b) values(?)", [(f"v{i}",) for i in range(50)])
        out = []
        cur = con.execute("select a, b from t order by a")
        out.append(cur.fetchone())
        out.append(cur.fetchmany(2))
        out.append(cur.fetchall())
        out.append(cur.fetchall())
        out.append(con.execute("update t set b = b || '!' where a % 10 = 0 "
                               "returning a, b").fetchall())
        con.create_function("boom", 1, lambda a: 1 / (a - 7))
        try:
            con.execute("select a, boom(a) from t").fetchall()
        except Exception as exc:
            out.append(type(exc).__name__)
        out.append(con.execute("select count(*), min(b), max(b) from t").fetchall())
        con.close()
        return out
    assert_same(scenario)


def test_context_manager():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table t(x)")
        with con as entered:
            same = entered is con
            con.execute("insert into t values(1)")
        committed = con.in_transaction
        with pytest.raises(ZeroDivisionError):
            with con:
                con.execute("insert into t values(2)")
                1 / 0
        return same, committed, con.in_transaction, con.execute("select * from t").fetchall()
    assert_same(scenario)


def test_executescript():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table a(x)")
        con.execute("insert into a values(0)")         # pending transaction: committed first
        cur = con.executescript("""
            create table t(x, y);  -- comment
            insert into t values(1, 'a;b');
            /* block */ insert into t values(2, 'c');
            select * from t;
        """)
        out = [cur is not None, con.in_transaction,
               con.execute("select * from t").fetchall(),
               con.execute("select * from a").fetchall()]
        out.append(outcome(lambda: con.executescript("insert into t values(3, 'd'); bogus;")))
        out.append(con.execute("select count(*) from t").fetchall())
        return out
    assert_same(scenario)


def test_total_changes():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table t(x)")
        con.executemany("insert into t values(?)", [(1,), (2,), (3,)])
        return con.total_changes
    assert_same(scenario)


# -- user functions --------------------------------------------------------------------


def test_user_functions():
    class Acc:
        def __init__(self):
            self.items = []

        def step(self, v):
            self.items.append(v)

        def finalize(self):
            return ",".join(str(i) for i in sorted(self.items))

    class BadStep:
        def step(self, v):
            raise ValueError

        def finalize(self):
            return 0

    def scenario(mod):
        con = mod.connect(":memory:")
        con.create_function("dbl", 1, lambda x: x * 2)
        con.create_function("boom", 0, lambda: 1 / 0)
        con.create_function("many", -1, lambda *a: len(a), deterministic=True)
        con.create_aggregate("acc", 1, Acc)
        con.create_aggregate("badstep", 1, BadStep)
        con.create_collation("rev", lambda a, b: (a < b) - (a > b))
        con.execute("create table t(a, b)")
        con.executemany("insert into t values(?, ?)", [(3, "x"), (1, "z"), (2, "y")])
        return [
            con.execute("select dbl(21), dbl('ab'), dbl(1.5), many(), many(1, 2, 3)").fetchall(),
            outcome(lambda: con.execute("select boom()").fetchall()),
            con.execute("select acc(a) from t").fetchall(),
            outcome(lambda: con.execute("select badstep(a) from t").fetchall()),
            con.execute("select b from t order by b collate rev").fetchall(),
        ]
    assert_same(scenario)


# -- iterdump ---------------------------------------------------------------------------


def test_iterdump():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.executescript('''
            create table zeta(a integer primary key, b text, c real, d blob);
            create table alpha("odd ""name""", y);
            create index zeta_b on zeta(b);
            insert into zeta values(1, 'it''s', 1.5, x'00ff');
            insert into zeta values(2, null, -0.25, null);
            insert into zeta values(3, 'x', 100.0, x'');
            insert into alpha values(1, 2);
        ''')
        return list(con.iterdump())
    assert_same(scenario)


# -- closed objects -----------------------------------------------------------------------


def test_closed_objects():
    def scenario(mod):
        con = mod.connect(":memory:")
        cur = con.cursor()
        cur.close()
        out = [outcome(lambda: cur.execute("select 1")), outcome(lambda: cur.fetchall())]
        cur2 = con.cursor()
        con.close()
        out += [outcome(lambda: con.execute("select 1")), outcome(lambda: con.cursor()),
                outcome(lambda: con.commit()), outcome(lambda: con.total_changes),
                outcome(lambda: con.in_transaction), outcome(lambda: cur2.execute("select 1")),
                outcome(lambda: cur2.close()), outcome(lambda: con.close())]
        return out
    assert_same(scenario)


def test_cursor_connection_and_misc():
    con = pyrite.connect(":memory:")
    cur = con.cursor()
    assert cur.connection is con
    cur.setinputsizes([1])
    cur.setoutputsize(1)
    assert iter(cur) is cur
    with pytest.raises(TypeError):
        pyrite.Cursor(object())
    con.close()


def test_statement_cache_reuse():
    con = pyrite.connect(":memory:", cached_statements=2)
    con.execute("create table t(x)")
    for i in range(20):
        con.execute("insert into t values(?)", (i % 4,))
        con.execute(f"select {i % 3}").fetchall()
    # Two cursors on the same SQL at once get separate statements.
    c1 = con.execute("select x from t order by x")
    c2 = con.execute("select x from t order by x")
    assert c1.fetchone() == (0,)
    assert c2.fetchall()[:2] == [(0,), (0,)]
    assert len(c1.fetchall()) == 19
    con.close()


def test_file_roundtrip_with_stdlib(tmp_path):
    path = str(tmp_path / "x.db")
    con = pyrite.connect(path)
    con.execute("create table t(a integer primary key, b)")
    con.executemany("insert into t(b) values(?)", [(f"row {i}",) for i in range(100)])
    con.commit()
    con.close()
    std = sqlite3.connect(path)
    assert std.execute("select count(*), max(a) from t").fetchone() == (100, 100)
    std.execute("insert into t(b) values('from sqlite3')")
    std.commit()
    std.close()
    con = pyrite.connect(path)
    assert con.execute("select b from t where a = 101").fetchone() == ("from sqlite3",)
    con.close()


def test_check_same_thread():
    import threading

    def scenario(mod):
        con = mod.connect(":memory:")
        free = mod.connect(":memory:", check_same_thread=False)
        seen = []

        def worker():
            for fn in (lambda: con.execute("select 1"), lambda: con.commit(),
                       lambda: con.close()):
                try:
                    fn()
                    seen.append("ok")
                except mod.ProgrammingError as exc:
                    seen.append(str(exc).split(". The object")[0])
            seen.append(free.execute("select 2").fetchall())
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        return seen
    assert_same(scenario)


def test_dml_rowcount():
    def scenario(mod):
        con = mod.connect(":memory:")
        cur = con.cursor()
        cur.execute("create table t(x)")
        out = []
        cur.execute("insert into t values(1)")
        out.append(cur.rowcount)
        cur.executemany("insert into t values(?)", [(2,), (3,), (4,)])
        out.append(cur.rowcount)
        cur.execute("insert into t select x + 10 from t")
        out.append(cur.rowcount)
        cur.execute("update t set x = x + 1 where x > 2")
        out.append(cur.rowcount)
        cur.execute("delete from t where x > 12")
        out.append(cur.rowcount)
        cur.execute("delete from t where 0")
        out.append(cur.rowcount)
        cur.execute("select * from t")
        out.append(cur.rowcount)
        return out
    assert_same(scenario)


def test_cached_statements_follow_schema_changes(tmp_path):
    def scenario(mod):
        con = mod.connect(":memory:")
        con.execute("create table t(a)")
        con.execute("insert into t values(1)")
        out = [con.execute("select * from t").fetchall()]
        con.execute("drop table t")
        con.execute("create table t(a, b)")
        con.execute("insert into t values(2, 3)")
        cur = con.execute("select * from t")
        out.append((cur.fetchall(), cur.description))
        return out
    assert_same(scenario)
    path = str(tmp_path / "shared.db")
    pyr = pyrite.connect(path, isolation_level=None)
    std = sqlite3.connect(path, isolation_level=None)
    pyr.execute("create table t(a)")
    pyr.execute("insert into t values(1)")
    assert pyr.execute("select * from t").fetchall() == [(1,)]
    std.execute("alter table t add column b default 7")
    assert pyr.execute("select * from t").fetchall() == [(1, 7)]
    std.execute("drop table t")
    with pytest.raises(pyrite.OperationalError, match="^no such table: t$"):
        pyr.execute("select * from t")
    pyr.close()
    std.close()


def test_interrupt_from_another_thread():
    import threading

    for mod in MODULES:
        con = mod.connect(":memory:")
        con.execute("create table t(x)")
        con.executemany("insert into t values(?)", [(i,) for i in range(300)])
        timer = threading.Timer(0.2, con.interrupt)
        timer.start()
        with pytest.raises(mod.OperationalError, match="^interrupted$"):
            con.execute("select count(*) from t a, t b, t c, t d").fetchall()
        timer.join()
        assert con.execute("select count(*) from t").fetchone() == (300,)
        con.close()


def test_busy_timeout(tmp_path):
    import time

    path = str(tmp_path / "busy.db")
    writer = pyrite.connect(path)
    writer.execute("create table t(x)")
    writer.commit()
    writer.execute("insert into t values(1)")          # implicit BEGIN: holds the write lock
    other = pyrite.connect(path, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(pyrite.OperationalError, match="^database is locked$"):
        other.execute("insert into t values(2)")
    assert 0.15 <= time.monotonic() - started < 5
    other.rollback()      # the implicit BEGIN left a read lock that would block the commit
    writer.commit()
    other.execute("insert into t values(3)")
    other.commit()
    assert writer.execute("select x from t order by x").fetchall() == [(1,), (3,)]
    writer.close()
    other.close()


def test_iterdump_autoincrement_and_views():
    def scenario(mod):
        con = mod.connect(":memory:")
        con.executescript("""
            create table a(id integer primary key autoincrement, v);
            insert into a(v) values(1), (2);
            delete from a where id = 2;
            create table "b c"(x);
            create view vv as select * from a;
        """)
        return list(con.iterdump())
    assert_same(scenario)
