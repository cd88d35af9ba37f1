"""ParseSchema after a CREATE adds just the new sqlite_schema rows to the
in-memory schema (Database._add_new_schema_rows) instead of parsing the
whole schema again; whenever the rows and the schema disagree otherwise it
reloads everything.  Either way the connection must see exactly the schema
a fresh connection reads from the file."""

from __future__ import annotations

import pytest

import pyrite

DDL = [
    "CREATE TABLE a(x INTEGER PRIMARY KEY, y TEXT UNIQUE, z)",
    "CREATE INDEX a_z ON a(z DESC, y)",
    "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID",
    "CREATE INDEX w_v ON w(v)",
    "CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT, q UNIQUE, r, UNIQUE(r, q))",
    "CREATE VIEW va AS SELECT x, y FROM a",
    "CREATE TRIGGER ta AFTER INSERT ON a BEGIN INSERT INTO s(q) VALUES (new.y); END",
    "CREATE TABLE c AS SELECT * FROM a",
    "CREATE UNIQUE INDEX c_x ON c(x) WHERE x > 0",
    "ANALYZE",
    "CREATE INDEX a_expr ON a(x + 1)",
    "DROP INDEX a_z",
    "CREATE INDEX a_z ON a(z)",
    "ALTER TABLE a ADD COLUMN n DEFAULT 3",
    "CREATE INDEX a_n ON a(n)",
    "DROP TABLE c",
    "CREATE TEMP TABLE tt(m UNIQUE)",
    "CREATE INDEX temp.tt_m2 ON tt(m, m)",
]


def _fingerprint(db) -> list:
    """Every object of every schema, as the engine holds them."""
    out = []
    for slot in db.dbs:
        sch = slot.schema
        out.append([
            [(t.name, t.root, t.sql, [c.name for c in t.columns],
              [(i.name, i.root, i.sql, list(i.columns)) for i in t.indexes],
              getattr(t, "row_estimate", None))
             for t in sch.tables_in_hash_order()],
            sorted((k, i.root, i.table.name) for k, i in sch.indexes.items()),
            sorted((k, v.sql) for k, v in sch.views.items()),
            sorted((k, t.sql, t.table) for k, t in sch.triggers.items()),
            sch.schema_cookie, sch.file_format,
        ])
    return out


def _fresh(path: str, db) -> list:
    other = pyrite.connect(path)
    try:
        other.execute("SELECT 1 FROM sqlite_schema").fetchall()
        fp = _fingerprint(other._db)
        # (the TEMP schema is the connection's own)
        fp[1] = _fingerprint(db)[1]
        return fp
    finally:
        other.close()


def test_each_ddl_leaves_the_schema_a_fresh_load_gives(tmp_path) -> None:
    path = str(tmp_path / "s.db")
    con = pyrite.connect(path, isolation_level=None)
    for sql in DDL:
        con.execute(sql)
        if sql.startswith("CREATE TABLE a("):
            con.executemany("INSERT INTO a(x, y, z) VALUES (?, ?, ?)",
                            [(i, f"y{i}", i % 3) for i in range(1, 30)])
        assert _fingerprint(con._db) == _fresh(path, con._db), sql
    assert con.execute("SELECT count(*) FROM va").fetchone() == (29,)
    con.close()


@pytest.mark.parametrize("damage", ["sql", "root", "extra", "gone"])
def test_a_schema_that_disagrees_with_the_rows_is_reloaded_whole(tmp_path, damage) -> None:
    """When the in-memory schema disagrees with sqlite_schema otherwise than
    by missing the new rows (here made to by hand: an object's text or
    root changed, an object with no row), the next CREATE reloads every
    row (the fallback path); an object missing from memory comes back as
    a new row.  Either way the schema is the file's again."""
    path = str(tmp_path / "s.db")
    con = pyrite.connect(path, isolation_level=None)
    con.execute("CREATE TABLE a(x, y)")
    con.execute("CREATE INDEX ax ON a(x)")
    sch = con._db.dbs[0].schema
    if damage == "sql":
        sch.tables["a"].sql = "CREATE TABLE a(x, y, z)"
    elif damage == "root":
        sch.indexes["ax"].root += 1
    elif damage == "extra":
        sch.triggers["ghost"] = _ghost_trigger()
    else:
        sch.remove_index("ax")
    con.execute("CREATE TABLE b(q)")
    assert _fingerprint(con._db) == _fresh(path, con._db)
    con.close()


def _ghost_trigger():
    from pyrite.schema.schema import Trigger
    return Trigger("ghost", "a", "CREATE TRIGGER ghost AFTER INSERT ON a BEGIN SELECT 1; END")
