"""A Python port of SQLite's test/speedtest1.c, testset `main`
(/work/shared/bench/SPEEDTEST1.md): the same PRNG, swizzle, numbername and
SQL.  Each test is a function ``(conn, size) -> None``; the harness times it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

MASK32 = 0xFFFFFFFF


class Prng:
    """speedtest1_random(); reset at the start of every test."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.x = 0xAD131D0B
        self.y = 0x44F9EAC8

    def __call__(self) -> int:
        x = self.x
        self.x = ((x >> 1) ^ ((-(x & 1)) & 0xD0000001)) & MASK32
        self.y = (self.y * 1103515245 + 12345) & MASK32
        return self.x ^ self.y


def swizzle(value: int, limit: int) -> int:
    out = 0
    while limit:
        out = (out << 1) | (value & 1)
        value >>= 1
        limit >>= 1
    return out


def roundup_allones(limit: int) -> int:
    m = 1
    while m < limit:
        m = (m << 1) + 1
    return m


_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = ["", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def numbername(n: int) -> str:
    words: list[str] = []
    for unit, word in ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand")):
        if n >= unit:
            words += [numbername(n // unit), word]
            n %= unit
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10])
        n %= 10
    if n > 0:
        words.append(_ONES[n])
    return " ".join(words) if words else "zero"


def _q(conn: Any, sql: str, params: tuple = ()) -> list:
    return conn.execute(sql, params).fetchall()


class Speedtest:
    """State shared by the tests of one run on one connection."""

    def __init__(self, conn: Any, size: int) -> None:
        self.conn = conn
        self.size = size
        self.sz = size * 500
        self.maxb = roundup_allones(self.sz)
        self.rand = Prng()
        try:
            conn.create_function("random", 0, self.rand)
        except Exception:
            pass  # an engine without create_function keeps its own random()

    def x1x2(self) -> tuple[int, int]:
        x1 = self.rand() % self.maxb
        return x1, self.rand() % 10 + self.sz // 5000 + x1

    def in_txn(self, body: Callable[[], None]) -> None:
        self.conn.execute("BEGIN")
        body()
        self.conn.execute("COMMIT")


def _t100(s: Speedtest) -> None:
    def body() -> None:
        s.conn.execute("CREATE TABLE z1(a INTEGER, b INTEGER, c TEXT)")
        for i in range(1, s.sz + 1):
            a = swizzle(i, s.maxb)
            _q(s.conn, "INSERT INTO z1 VALUES(?1,?2,?3)", (a, i, numbername(a)))

    s.in_txn(body)


def _t110(s: Speedtest) -> None:
    def body() -> None:
        s.conn.execute("CREATE TABLE z2(a INTEGER UNIQUE, b INTEGER, c TEXT)")
        for i in range(1, s.sz + 1):
            b = swizzle(i, s.maxb)
            _q(s.conn, "INSERT INTO z2 VALUES(?1,?2,?3)", (i, b, numbername(b)))

    s.in_txn(body)


def _t120(s: Speedtest) -> None:
    def body() -> None:
        s.conn.execute("CREATE TABLE t3(a INTEGER UNIQUE, b INTEGER, c TEXT)")
        for i in range(1, s.sz + 1):
            a = swizzle(i, s.maxb)
            _q(s.conn, "INSERT INTO t3 VALUES(?1,?2,?3)", (a, i, numbername(a)))

    s.in_txn(body)


_AGG = "SELECT count(*), avg(b), sum(length(c)), group_concat(c) FROM z1"


def _t130(s: Speedtest) -> None:
    def body() -> None:
        for _ in range(25):
            _q(s.conn, _AGG + " WHERE b BETWEEN ?1 AND ?2", s.x1x2())

    s.in_txn(body)


def _like_loop(sql: str) -> Callable[[Speedtest], None]:
    def test(s: Speedtest) -> None:
        def body() -> None:
            for i in range(10):
                _q(s.conn, sql, ("%" + numbername(i) + "%",))

        s.in_txn(body)

    return test


def _t150(s: Speedtest) -> None:
    def body() -> None:
        for sql in (
            "CREATE UNIQUE INDEX t1b ON z1(b)",
            "CREATE INDEX t1c ON z1(c)",
            "CREATE UNIQUE INDEX t2b ON z2(b)",
            "CREATE INDEX t2c ON z2(c DESC)",
            "CREATE INDEX t3bc ON t3(b,c)",
        ):
            s.conn.execute(sql)

    s.in_txn(body)


def _between(sql: str) -> Callable[[Speedtest], None]:
    def test(s: Speedtest) -> None:
        def body() -> None:
            for _ in range(s.sz // 5):
                _q(s.conn, sql, s.x1x2())

        s.in_txn(body)

    return test


def _t170(s: Speedtest) -> None:
    sql = (
        "SELECT count(*), avg(b), sum(length(c)), group_concat(a) FROM z1 "
        "WHERE c BETWEEN ?1 AND (?1||'~')"
    )

    def body() -> None:
        for i in range(s.sz // 5):
            _q(s.conn, sql, (numbername(swizzle(i, s.maxb)),))

    s.in_txn(body)


def _script(*stmts: str, txn: bool = False) -> Callable[[Speedtest], None]:
    def test(s: Speedtest) -> None:
        def body() -> None:
            for sql in stmts:
                _q(s.conn, sql)

        if txn:
            s.in_txn(body)
        else:
            body()

    return test


def _t230(s: Speedtest) -> None:
    def body() -> None:
        for _ in range(s.sz // 5):
            _q(s.conn, "UPDATE z2 SET d=b*2 WHERE b BETWEEN ?1 AND ?2", s.x1x2())

    s.in_txn(body)


def _t240(s: Speedtest) -> None:
    def body() -> None:
        for _ in range(s.sz):
            _q(s.conn, "UPDATE z2 SET d=b*3 WHERE a=?1", (s.rand() % s.sz + 1,))

    s.in_txn(body)


def _t270(s: Speedtest) -> None:
    def body() -> None:
        for _ in range(s.sz // 5):
            x1 = s.rand() % s.maxb + 1
            x2 = s.rand() % 10 + s.sz // 5000 + x1
            _q(s.conn, "DELETE FROM z2 WHERE b BETWEEN ?1 AND ?2", (x1, x2))

    s.in_txn(body)


def _t280(s: Speedtest) -> None:
    def body() -> None:
        for _ in range(s.sz):
            _q(s.conn, "DELETE FROM t3 WHERE a=?1", (s.rand() % s.sz + 1,))

    s.in_txn(body)


def _t310(s: Speedtest) -> None:
    sql = (
        "SELECT z1.c FROM z1, z2, t3, t4 WHERE t4.a BETWEEN ?1 AND ?2 "
        "AND t3.a=t4.b AND z2.a=t3.b AND z1.c=z2.c"
    )

    def body() -> None:
        for _ in range(s.sz // 5):
            x1 = s.rand() % s.sz + 1
            _q(s.conn, sql, (x1, s.rand() % 10 + x1 + 4))

    s.in_txn(body)


def _t320(s: Speedtest) -> None:
    n = math.isqrt(s.size) * 50
    _q(
        s.conn,
        "SELECT sum(a), max(c), avg((SELECT a FROM z2 WHERE 5+z2.b=z1.b) AND rowid<?1), max(c) "
        "FROM z1 WHERE rowid<?1",
        (n,),
    )


def _t400(s: Speedtest) -> None:
    n = s.size * 700
    lim = roundup_allones(n // 3)

    def body() -> None:
        s.conn.execute("CREATE TABLE t5(a INTEGER PRIMARY KEY, b)")
        for i in range(1, n + 1):
            _q(s.conn, "REPLACE INTO t5 VALUES(?1,?2)", (swizzle(i, lim), numbername(i)))

    s.in_txn(body)


def _t410(s: Speedtest) -> None:
    n = s.size * 700
    lim = roundup_allones(n // 3)
    for i in range(1, n + 1):
        _q(s.conn, "SELECT b FROM t5 WHERE a=?1", (swizzle(i, lim),))


def _t500(s: Speedtest) -> None:
    n = s.size * 700
    lim = roundup_allones(n // 3)

    def body() -> None:
        s.conn.execute("CREATE TABLE t6(a TEXT PRIMARY KEY, b) WITHOUT ROWID")
        for i in range(1, n + 1):
            _q(s.conn, "REPLACE INTO t6 VALUES(?1,?2)", (numbername(swizzle(i, lim)), numbername(i)))

    s.in_txn(body)


def _t510(s: Speedtest) -> None:
    n = s.size * 700
    lim = roundup_allones(n // 3)
    for i in range(1, n + 1):
        _q(s.conn, "SELECT b FROM t6 WHERE a=?1", (numbername(swizzle(i, lim)),))


TESTS: list[tuple[int, str, Callable[[Speedtest], None]]] = [
    (100, "INSERTs into table with no index", _t100),
    (110, "ordered INSERTs with one index/PK", _t110),
    (120, "unordered INSERTs with one index/PK", _t120),
    (130, "25 SELECTs, numeric BETWEEN, unindexed", _t130),
    (140, "10 SELECTs, LIKE, unindexed", _like_loop(_AGG + " WHERE c LIKE ?1")),
    (142, "10 SELECTs w/ORDER BY, unindexed", _like_loop("SELECT a, b, c FROM z1 WHERE c LIKE ?1 ORDER BY a")),
    (145, "10 SELECTs w/ORDER BY and LIMIT, unindexed",
     _like_loop("SELECT a, b, c FROM z1 WHERE c LIKE ?1 ORDER BY a LIMIT 10")),
    (150, "CREATE INDEX five times", _t150),
    (160, "SELECTs, numeric BETWEEN, indexed",
     _between("SELECT count(*), avg(b), sum(length(c)), group_concat(a) FROM z1 WHERE b BETWEEN ?1 AND ?2")),
    (161, "SELECTs, numeric BETWEEN, PK",
     _between("SELECT count(*), avg(b), sum(length(c)), group_concat(a) FROM z2 WHERE a BETWEEN ?1 AND ?2")),
    (170, "SELECTs, text BETWEEN, indexed", _t170),
    (180, "INSERTS with three indexes", _script(
        "CREATE TABLE t4(a INTEGER UNIQUE, b INTEGER, c TEXT)",
        "CREATE INDEX t4b ON t4(b)", "CREATE INDEX t4c ON t4(c)",
        "INSERT INTO t4 SELECT * FROM z1", txn=True)),
    (190, "DELETE and REFILL one table", _script("DELETE FROM z2", "INSERT INTO z2 SELECT * FROM z1")),
    (200, "VACUUM", _script("VACUUM")),
    (210, "ALTER TABLE ADD COLUMN, and query",
     _script("ALTER TABLE z2 ADD COLUMN d INT DEFAULT 123", "SELECT sum(d) FROM z2")),
    (230, "UPDATES, numeric BETWEEN, indexed", _t230),
    (240, "UPDATES of individual rows", _t240),
    (250, "One big UPDATE of the whole table", _script("UPDATE z2 SET d=b*4")),
    (260, "Query added column after filling", _script("SELECT sum(d) FROM z2")),
    (270, "DELETEs, numeric BETWEEN, indexed", _t270),
    (280, "DELETEs of individual rows", _t280),
    (290, "Refill two tables using REPLACE", _script(
        "REPLACE INTO z2(a,b,c) SELECT a,b,c FROM z1", "REPLACE INTO t3(a,b,c) SELECT a,b,c FROM z1")),
    (300, "Refill a table using (b&1)==(a&1)", _script(
        "DELETE FROM z2",
        "INSERT INTO z2(a,b,c) SELECT a,b,c FROM z1 WHERE (b&1)==(a&1)",
        "INSERT INTO z2(a,b,c) SELECT a,b,c FROM z1 WHERE (b&1)<>(a&1)")),
    (310, "four-ways joins", _t310),
    (320, "subquery in result set", _t320),
    (400, "REPLACE ops on an IPK", _t400),
    (410, "SELECTS on an IPK", _t410),
    (500, "REPLACE on TEXT PK", _t500),
    (510, "SELECTS on a TEXT PK", _t510),
    (520, "SELECT DISTINCT", _script("SELECT DISTINCT b FROM t5", "SELECT DISTINCT b FROM t6")),
    (980, "PRAGMA integrity_check", _script("PRAGMA integrity_check")),
    (990, "ANALYZE", _script("ANALYZE")),
]
