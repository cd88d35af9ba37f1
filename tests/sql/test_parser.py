"""Parser: SQL text -> AST, declaratively, plus the parse_one/complete API."""

from __future__ import annotations

import sqlite3

import pytest

from pyrite.sql import ast as A
from pyrite.sql.parser import complete_statement, parse, parse_expr, parse_one

C = A.Column
L = A.Literal
B = A.Binary

EXPRS = [
    ("1", L(1)),
    ("1.5", L(1.5)),
    ("'it''s'", L("it's")),
    ("X'0aFF'", L(b"\x0a\xff")),
    ("NULL", L(None)),
    ("9223372036854775807", L(9223372036854775807)),
    ("9223372036854775808", L(9223372036854775808.0)),
    ("-9223372036854775808", L(-9223372036854775808)),
    ("0x10", L(16)),
    ("0xffffffffffffffff", L(-1)),
    ("TRUE", L(1, keyword="TRUE")),
    ("false", L(0, keyword="FALSE")),
    ('"abc"', C("abc", quoted=True)),
    ("[a b]", C("a b")),
    ("`x`", C("x")),
    ("t.a", C("a", "t")),
    ("main.t.a", C("a", "t", "main")),
    ("?", A.Variable("?")),
    ("?12", A.Variable("?12")),
    (":name", A.Variable(":name")),
    ("CURRENT_TIMESTAMP", A.CurrentTime("CURRENT_TIMESTAMP")),
    ("1 = 1 IS 1", B("IS", B("=", L(1), L(1)), L(1))),
    ("NOT 1 = 2", A.Unary("NOT", B("=", L(1), L(2)))),
    ("- 1 || 2", B("||", A.Unary("-", L(1)), L(2))),
    ("1 BETWEEN 0 AND 2 = 1", B("=", A.Between(L(1), L(0), L(2)), L(1))),
    ("1 + 2 * 3", B("+", L(1), B("*", L(2), L(3)))),
    ("1 - 2 - 3", B("-", B("-", L(1), L(2)), L(3))),
    ("a OR b AND c", B("OR", C("a"), B("AND", C("b"), C("c")))),
    ("a < b = c", B("=", B("<", C("a"), C("b")), C("c"))),
    ("a & b + c", B("&", C("a"), B("+", C("b"), C("c")))),
    ("a <> b", B("!=", C("a"), C("b"))),
    ("a == b", B("=", C("a"), C("b"))),
    ("a -> '$.x' ->> 'y'", B("->>", B("->", C("a"), L("$.x")), L("y"))),
    ("a IS NULL", A.IsNull(C("a"))),
    ("a IS NOT NULL", A.IsNull(C("a"), True)),
    ("a NOTNULL", A.IsNull(C("a"), True)),
    ("a NOT NULL", A.IsNull(C("a"), True)),
    ("a ISNULL", A.IsNull(C("a"))),
    ("a IS DISTINCT FROM b", B("IS NOT", C("a"), C("b"))),
    ("a IS NOT DISTINCT FROM b", B("IS", C("a"), C("b"))),
    ("a NOT LIKE 'x%' ESCAPE '!'", A.Like("LIKE", C("a"), L("x%"), L("!"), True)),
    ("a GLOB b", A.Like("GLOB", C("a"), C("b"))),
    ("a IN (1, 2)", A.In(C("a"), values=(L(1), L(2)))),
    ("a NOT IN ()", A.In(C("a"), values=(), negated=True)),
    ("a IN t", A.In(C("a"), table=A.QualifiedName("t"))),
    ("a IN main.f(1)", A.In(C("a"), table=A.QualifiedName("f", "main"), table_args=(L(1),))),
    ("-a COLLATE nocase", A.Collate(A.Unary("-", C("a")), "nocase")),
    ("a || b COLLATE x", B("||", C("a"), A.Collate(C("b"), "x"))),
    ("CAST(a AS varchar(10))", A.Cast(C("a"), "varchar(10)")),
    ("CASE WHEN a THEN 1 ELSE 2 END", A.Case(None, ((C("a"), L(1)),), L(2))),
    ("CASE a WHEN 1 THEN 2 END", A.Case(C("a"), ((L(1), L(2)),))),
    ("(1, 2)", A.Vector((L(1), L(2)))),
    ("((1))", L(1)),
    ("count(*)", A.FunctionCall("count", star=True)),
    ("count(DISTINCT a)", A.FunctionCall("count", (C("a"),), distinct=True)),
    ("f()", A.FunctionCall("f")),
    ("replace(a, 'x', 'y')", A.FunctionCall("replace", (C("a"), L("x"), L("y")))),
    ("sum(a) FILTER (WHERE a > 0) OVER w",
     A.FunctionCall("sum", (C("a"),), filter=B(">", C("a"), L(0)), over="w")),
    ("row_number() OVER (PARTITION BY a ORDER BY b DESC NULLS LAST "
     "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING EXCLUDE TIES)",
     A.FunctionCall("row_number", over=A.WindowSpec(
         None, (C("a"),), (A.OrderingTerm(C("b"), True, "LAST"),),
         A.Frame("ROWS", A.FrameBound("UNBOUNDED PRECEDING"),
                 A.FrameBound("FOLLOWING", L(1)), "TIES")))),
    ("EXISTS (SELECT 1)", A.Exists(A.Select(A.SelectCore(
        (A.ResultColumn(L(1), text="1"),))))),
    ("NOT EXISTS (SELECT 1)", A.Unary("NOT", A.Exists(A.Select(A.SelectCore(
        (A.ResultColumn(L(1), text="1"),)))))),
    ("RAISE(ABORT, 'no')", A.Raise("ABORT", L("no"))),
    ("RAISE(IGNORE)", A.Raise("IGNORE")),
    ("key + action", B("+", C("key"), C("action"))),
    ("left.x", C("x", "left")),
]


@pytest.mark.parametrize("text,expected", EXPRS, ids=[e[0][:40] for e in EXPRS])
def test_expression(text: str, expected: A.Expr) -> None:
    assert parse_expr(text) == expected


def one(sql: str) -> A.Statement:
    stmts = parse(sql)
    assert len(stmts) == 1
    return stmts[0]


def test_select_full() -> None:
    s = one("WITH RECURSIVE c(x) AS NOT MATERIALIZED (SELECT 1) "
            "SELECT DISTINCT a AS x, b y, t.*, * FROM t AS u LEFT JOIN v USING (a) "
            "WHERE a > 1 GROUP BY a HAVING count(*) > 1 WINDOW w AS (ORDER BY a) "
            "UNION ALL VALUES (1, 2, 3, 4) UNION SELECT 1, 2, 3, 4 ORDER BY 1 LIMIT 10 OFFSET 5")
    assert isinstance(s, A.SelectStatement)
    sel = s.select
    assert sel.with_.recursive and sel.with_.ctes[0].columns == ("x",)
    assert sel.with_.ctes[0].materialized is False
    core = sel.core
    assert core.distinct
    assert [c.alias for c in core.columns] == ["x", "y", None, None]
    assert core.columns[2] == A.ResultColumn(None, star=True, table="t", text="t.*")
    assert core.from_ == A.Join(A.TableRef("t", alias="u"), A.TableRef("v"), "LEFT",
                                using=("a",))
    assert core.group_by == (C("a"),)
    assert core.windows[0].name == "w"
    assert sel.compounds[0][0] == "UNION ALL"
    assert isinstance(sel.compounds[0][1], A.Values)
    assert sel.compounds[1][0] == "UNION"
    assert sel.limit == L(10) and sel.offset == L(5)


def test_limit_comma_form() -> None:
    sel = one("SELECT 1 LIMIT 5, 10").select
    assert sel.limit == L(10) and sel.offset == L(5)


@pytest.mark.parametrize("sql,op,natural", [
    ("SELECT * FROM a, b", ",", False),
    ("SELECT * FROM a JOIN b", "INNER", False),
    ("SELECT * FROM a CROSS JOIN b", "CROSS", False),
    ("SELECT * FROM a NATURAL LEFT OUTER JOIN b", "LEFT", True),
    ("SELECT * FROM a RIGHT JOIN b", "RIGHT", False),
    ("SELECT * FROM a FULL OUTER JOIN b", "FULL", False),
    ("SELECT * FROM a NATURAL JOIN b", "INNER", True),
])
def test_join_kinds(sql: str, op: str, natural: bool) -> None:
    j = one(sql).select.core.from_
    assert (j.op, j.natural) == (op, natural)


def test_from_items() -> None:
    f = one("SELECT * FROM main.t INDEXED BY i, (SELECT 1) s, json_each('[]') AS j, "
            "u NOT INDEXED").select.core.from_
    assert f.right == A.TableRef("u", not_indexed=True)
    assert f.left.right == A.TableFunctionRef("json_each", (L("[]"),), alias="j")
    assert isinstance(f.left.left.right, A.SubqueryRef) and f.left.left.right.alias == "s"
    assert f.left.left.left == A.TableRef("t", "main", indexed_by="i")


def test_result_column_text_is_source() -> None:
    cols = one("SELECT a+1, count(*),  a  +  b , 'x' FROM t").select.core.columns
    assert [c.text for c in cols] == ["a+1", "count(*)", "a  +  b", "'x'"]


def test_keywords_as_identifiers() -> None:
    s = one("CREATE TABLE t(key, action, replace, end, abort)")
    assert [c.name for c in s.columns] == ["key", "action", "replace", "end", "abort"]
    cols = one("SELECT rowid, abort, key FROM t").select.core.columns
    assert [c.expr for c in cols] == [C("rowid"), C("abort"), C("key")]
    assert one("SELECT 1 end").select.core.columns[0].alias == "end"
    assert one("SELECT count(*) over FROM t").select.core.columns[0].alias == "over"


def test_insert_upsert_returning() -> None:
    s = one("INSERT OR IGNORE INTO main.t AS x (a, b) VALUES (1, 2), (3, 4) "
            "ON CONFLICT (a) WHERE a > 0 DO UPDATE SET b = excluded.b WHERE 1 "
            "ON CONFLICT DO NOTHING RETURNING a, b AS c")
    assert isinstance(s, A.Insert)
    assert s.table == A.QualifiedName("t", "main") and s.alias == "x"
    assert s.or_ == "IGNORE" and s.columns == ("a", "b")
    assert s.select.core.rows == ((L(1), L(2)), (L(3), L(4)))
    assert s.upsert[0].target == (A.IndexedColumn(C("a")),)
    assert s.upsert[0].sets == (A.SetClause(("b",), C("b", "excluded")),)
    assert s.upsert[1] == A.Upsert()
    assert [r.alias for r in s.returning] == [None, "c"]
    assert one("REPLACE INTO t DEFAULT VALUES") == A.Insert(
        A.QualifiedName("t"), default_values=True, or_="REPLACE")


def test_update_delete() -> None:
    u = one("UPDATE OR REPLACE t AS x INDEXED BY i SET a = 1, (b, c) = (2, 3) FROM u "
            "WHERE a RETURNING * ORDER BY a LIMIT 2")
    assert u.table == A.TableRef("t", alias="x", indexed_by="i")
    assert u.sets[1].columns == ("b", "c")
    assert u.from_ == A.TableRef("u") and u.or_ == "REPLACE"
    assert u.returning[0].star and u.limit == L(2)
    d = one("DELETE FROM t WHERE a = 1")
    assert d == A.Delete(A.TableRef("t"), B("=", C("a"), L(1)))


def test_create_table() -> None:
    s = one("CREATE TEMP TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY DESC ON CONFLICT "
            "REPLACE AUTOINCREMENT, b TEXT NOT NULL DEFAULT 'x' COLLATE nocase, "
            "c REFERENCES p(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED, "
            "d AS (b || 1) STORED, e CONSTRAINT ce CHECK (e > 0), "
            "CONSTRAINT pk UNIQUE (b, c DESC), FOREIGN KEY (c) REFERENCES p) "
            "STRICT, WITHOUT ROWID")
    assert s.temp and s.if_not_exists and s.strict and s.without_rowid
    assert s.columns[0] == A.ColumnDef("id", "INTEGER", (
        A.PrimaryKeyConstraint(None, (), True, "REPLACE", True),))
    assert s.columns[1].constraints == (
        A.NotNullConstraint(), A.DefaultConstraint(None, L("x"), "'x'"),
        A.CollateConstraint(None, "nocase"))
    fk = s.columns[2].constraints[0].clause
    assert (fk.table, fk.columns, fk.on_delete, fk.deferred) == ("p", ("id",), "SET NULL", True)
    assert s.columns[3].constraints[0] == A.GeneratedConstraint(
        None, B("||", C("b"), L(1)), True)
    assert s.columns[4].constraints[0].name == "ce"
    assert s.constraints[0] == A.UniqueConstraint("pk", (
        A.IndexedColumn(C("b")), A.IndexedColumn(C("c"), desc=True)))
    assert s.constraints[1] == A.ForeignKeyConstraint(None, A.ForeignKeyClause("p"), ("c",))


def test_create_table_as() -> None:
    s = one("CREATE TABLE t AS SELECT 1")
    assert s.as_select is not None and s.columns == ()


TYPE_NAMES = ["varchar ( 10 )", "UNSIGNED BIG INT", "DOUBLE PRECISION", "'text'",
              "int(3,4)", '"my type"(10)', "decimal(+3, -4)", "integer", "Int",
              "text", "blob", "any", "real", "NUMERIC", "int (3)"]


def test_type_names_match_table_info() -> None:
    con = sqlite3.connect(":memory:")
    cols = ", ".join(f"c{i} {t}" for i, t in enumerate(TYPE_NAMES))
    sql = f"CREATE TABLE t({cols})"
    con.execute(sql)
    expected = [r[2] for r in con.execute("PRAGMA table_info(t)")]
    assert [c.type_name for c in one(sql).columns] == expected


DEFAULTS = ["( 1+2 )", "-1", "- 1", "+1", "'abc'", "CURRENT_TIMESTAMP", "abc",
            "true", '"xx"', "NULL", "X'00'", "1.5e3", "(lower('A'))"]


def test_default_text_matches_table_info() -> None:
    con = sqlite3.connect(":memory:")
    cols = ", ".join(f"c{i} DEFAULT {d}" for i, d in enumerate(DEFAULTS))
    sql = f"CREATE TABLE t({cols})"
    con.execute(sql)
    expected = [r[4] for r in con.execute("PRAGMA table_info(t)")]
    got = [c.constraints[0].text for c in one(sql).columns]
    assert got == expected


def test_create_index_view_trigger_vtab() -> None:
    i = one("CREATE UNIQUE INDEX IF NOT EXISTS s.i ON t (a COLLATE nocase DESC, b + 1) "
            "WHERE a > 0")
    assert i == A.CreateIndex("i", "t", (A.IndexedColumn(C("a"), "nocase", True),
                                         A.IndexedColumn(B("+", C("b"), L(1)))),
                              "s", True, True, B(">", C("a"), L(0)))
    v = one("CREATE TEMP VIEW v(x, y) AS SELECT 1, 2")
    assert v.columns == ("x", "y") and v.temp
    t = one("CREATE TRIGGER tr BEFORE UPDATE OF a, b ON t FOR EACH ROW WHEN new.a > 0 "
            "BEGIN INSERT INTO u VALUES (new.a); UPDATE u SET x = 1; "
            "DELETE FROM u WHERE x; SELECT RAISE(FAIL, 'x'); END")
    assert (t.time, t.event, t.update_columns, t.for_each_row) == (
        "BEFORE", "UPDATE", ("a", "b"), True)
    assert [type(b) for b in t.body] == [A.Insert, A.Update, A.Delete, A.SelectStatement]
    t2 = one("CREATE TRIGGER tr INSTEAD OF DELETE ON v BEGIN SELECT 1; END")
    assert t2.time == "INSTEAD OF"
    vt = one("CREATE VIRTUAL TABLE f USING fts5(a, b, tokenize = 'porter ascii')")
    assert vt == A.CreateVirtualTable("f", "fts5", ("a", "b", "tokenize = 'porter ascii'"))


SIMPLE = [
    ("DROP TABLE IF EXISTS main.t", A.Drop("TABLE", "t", "main", True)),
    ("DROP INDEX i", A.Drop("INDEX", "i")),
    ("DROP VIEW v", A.Drop("VIEW", "v")),
    ("DROP TRIGGER tr", A.Drop("TRIGGER", "tr")),
    ("ALTER TABLE t RENAME TO u", A.AlterTable("t", A.RenameTable("u"))),
    ("ALTER TABLE t RENAME COLUMN a TO b", A.AlterTable("t", A.RenameColumn("a", "b"))),
    ("ALTER TABLE t RENAME a TO b", A.AlterTable("t", A.RenameColumn("a", "b"))),
    ("ALTER TABLE t ADD COLUMN c INT", A.AlterTable("t", A.AddColumn(A.ColumnDef("c", "INT")))),
    ("ALTER TABLE s.t DROP c", A.AlterTable("t", A.DropColumn("c"), "s")),
    ("BEGIN", A.Begin()),
    ("BEGIN IMMEDIATE TRANSACTION", A.Begin("IMMEDIATE")),
    ("COMMIT", A.Commit()),
    ("END TRANSACTION", A.Commit()),
    ("ROLLBACK", A.Rollback()),
    ("ROLLBACK TRANSACTION TO SAVEPOINT sp", A.Rollback("sp")),
    ("SAVEPOINT sp", A.Savepoint("sp")),
    ("RELEASE SAVEPOINT sp", A.Release("sp")),
    ("RELEASE sp", A.Release("sp")),
    ("PRAGMA foreign_keys", A.Pragma("foreign_keys")),
    ("PRAGMA main.journal_mode = wal", A.Pragma("journal_mode", "main", C("wal"))),
    ("PRAGMA cache_size = -2000", A.Pragma("cache_size", None, L(-2000))),
    ("PRAGMA table_info('t')", A.Pragma("table_info", None, L("t"))),
    ("PRAGMA foreign_keys = ON", A.Pragma("foreign_keys", None, C("ON"))),
    ("ATTACH DATABASE 'f.db' AS aux", A.Attach(L("f.db"), C("aux"))),
    ("ATTACH 'f' AS a KEY 'k'", A.Attach(L("f"), C("a"), L("k"))),
    ("DETACH aux", A.Detach(C("aux"))),
    ("VACUUM", A.Vacuum()),
    ("VACUUM main INTO 'x.db'", A.Vacuum("main", L("x.db"))),
    ("ANALYZE", A.Analyze()),
    ("ANALYZE main.t", A.Analyze("t", "main")),
    ("REINDEX nocase", A.Reindex("nocase")),
    ("EXPLAIN QUERY PLAN SELECT 1", A.Explain(one("SELECT 1"), True)),
    ("EXPLAIN DELETE FROM t", A.Explain(A.Delete(A.TableRef("t")))),
]


@pytest.mark.parametrize("sql,expected", SIMPLE, ids=[s[0] for s in SIMPLE])
def test_simple_statements(sql: str, expected: A.Statement) -> None:
    assert one(sql) == expected


def test_parse_one_offsets() -> None:
    sql = "  ;; CREATE TABLE t(a) ;  SELECT 1 -- tail\n ; "
    first = parse_one(sql)
    assert sql[first.start:first.end] == "CREATE TABLE t(a)"
    assert sql[first.tail - 1] == ";"
    second = parse_one(sql, first.tail)
    assert sql[second.start:second.end] == "SELECT 1"
    assert parse_one(sql, second.tail) is None
    last = parse_one("SELECT 2")
    assert last.tail == len("SELECT 2")
    trig = "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END; SELECT 3"
    ps = parse_one(trig)
    assert trig[ps.start:ps.end].endswith("SELECT 2; END")
    assert trig[ps.tail:] == " SELECT 3"


COMPLETE = ["SELECT 1", "SELECT 1;", "SELECT 1; ", "SELECT 'a;'", "SELECT 1 -- x;",
            "SELECT 1; -- x", "/* ; */", ";", "", "CREATE TRIGGER t AFTER INSERT ON x "
            "BEGIN SELECT 1;", "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;",
            "CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;",
            "EXPLAIN CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END",
            "SELECT \"a;", "SELECT 1 /* x; ", "create table trigger(end); select 1;",
            "CREATE TABLE t(a); CREATE TRIGGER", "SELECT [x;]", "SELECT 1;\n"]


@pytest.mark.parametrize("sql", COMPLETE)
def test_complete_statement_matches_sqlite(sql: str) -> None:
    assert complete_statement(sql) == sqlite3.complete_statement(sql)
