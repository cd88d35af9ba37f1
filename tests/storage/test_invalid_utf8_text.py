"""Text that is not valid UTF-8: SQLite stores whatever bytes it is given,
so Pyrite must keep them through reads and rewrites, and report them on
fetch as the sqlite3 module does."""

import sqlite3

import pytest

import pyrite


def test_bad_bytes_survive_a_rewrite(tmp_path):
    path = str(tmp_path / "bad.db")
    con = sqlite3.connect(path)
    con.execute("create table t(id integer primary key, s text, n)")
    con.execute("insert into t values(1, cast(x'61ff62c3' as text), 0)")
    con.commit()
    con.close()

    con = pyrite.connect(path)
    # rows are rewritten whole: the text column goes back through the record encoder
    con.execute("update t set n = n + 1")
    con.execute("insert into t select 2, s, n from t")
    assert con.execute("select hex(s), length(s) from t order by id").fetchall() == \
        sqlite3.connect(":memory:").execute(
            "select hex(cast(x'61ff62c3' as text)), length(cast(x'61ff62c3' as text))"
        ).fetchall() * 2
    con.commit()
    con.close()

    con = sqlite3.connect(path)
    assert con.execute("select id, hex(s), n from t order by id").fetchall() == [
        (1, "61FF62C3", 1), (2, "61FF62C3", 1)]
    assert con.execute("pragma integrity_check").fetchall() == [("ok",)]


@pytest.mark.parametrize("sql", [
    "select cast(x'ff01' as text) as v",
    "select upper(x'41ff') as v",
    "select x'ff' || 'a' as v",
])
def test_fetching_undecodable_text_raises_as_sqlite3(sql):
    outcomes = []
    for mod in (sqlite3, pyrite):
        with pytest.raises(mod.OperationalError) as info:
            mod.connect(":memory:").execute(sql).fetchall()
        outcomes.append(str(info.value))
    assert outcomes[0] == outcomes[1]


def test_text_factory_bytes_gets_the_stored_bytes():
    results = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:")
        con.text_factory = bytes
        results.append(con.execute("select cast(x'61ff' as text), 'é'").fetchall())
    assert results[0] == results[1] == [(b"a\xff", "é".encode())]
