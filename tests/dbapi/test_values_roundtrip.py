"""Property: any Python value sqlite3 accepts binds, stores and reads back as sqlite3 does."""

from __future__ import annotations

import math
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

import pyrite

VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",))),
    st.binary(max_size=3000),
    st.booleans(),
)


def _norm(rows):
    """NaN != NaN: compare floats by their repr."""
    return [tuple(repr(v) if isinstance(v, float) and math.isnan(v) else v for v in r)
            for r in rows]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(VALUES, VALUES), min_size=1, max_size=8))
def test_bind_store_fetch(rows):
    results = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:")
        con.execute("create table t(a, b text, c)")
        con.executemany("insert into t(a, b) values(?, ?)", rows)
        fetched = con.execute("select a, b, typeof(a), typeof(b), ? from t order by rowid",
                              (rows[0][0],)).fetchall()
        results.append(_norm(fetched))
        con.close()
    assert results[1] == results[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=20))
def test_written_by_pyrite_read_by_sqlite(tmp_path_factory, values):
    path = str(tmp_path_factory.mktemp("rt") / "v.db")
    con = pyrite.connect(path)
    con.execute("create table t(v)")
    con.executemany("insert into t values(?)", [(v,) for v in values])
    con.commit()
    con.close()
    std = sqlite3.connect(path)
    got = std.execute("select v from t order by rowid").fetchall()
    std.close()
    ref = sqlite3.connect(":memory:")
    ref.execute("create table t(v)")
    ref.executemany("insert into t values(?)", [(v,) for v in values])
    assert _norm(got) == _norm(ref.execute("select v from t order by rowid").fetchall())
