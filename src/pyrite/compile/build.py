"""Compiler layer: code generation for DDL (CREATE/DROP TABLE, INDEX, VIEW).

SQLite's counterpart is ``build.c`` (sqlite3StartTable, sqlite3EndTable,
sqlite3CreateIndex, sqlite3RefillIndex, sqlite3DropTable, sqlite3CreateView)
and the cookie/ParseSchema tail of every DDL statement.  What a definition
*means* (columns, rowid alias, automatic indexes) is decided by
``pyrite.schema.schema``; this module checks the statement against the
current schema and emits the program that writes the ``sqlite_schema`` rows
and creates or destroys the b-trees.

The ``sql`` column holds the statement text as SQLite stores it: ``CREATE
TABLE``/``CREATE [UNIQUE] INDEX``/``CREATE VIEW`` followed by the original
text from the object's name to the end of the statement.
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any

from pyrite import errors, values
from pyrite.schema import schema as sch
from pyrite.sql import ast
from pyrite.sql.lexer import tokenize

# Meta slots of the database header (BTREE_* of btree.h).
BTREE_SCHEMA_VERSION = 1
BTREE_FILE_FORMAT = 2
BTREE_DEFAULT_CACHE_SIZE = 3
BTREE_LARGEST_ROOT_PAGE = 4
BTREE_TEXT_ENCODING = 5
BTREE_USER_VERSION = 6
BTREE_INCR_VACUUM = 7
BTREE_APPLICATION_ID = 8

# CreateBtree P3 flags.
BTREE_INTKEY = 1
BTREE_BLOBKEY = 2

# Insert/IdxInsert P5 flags (OPFLAG_* of sqliteInt.h).
OPFLAG_NCHANGE = 0x01
OPFLAG_ISUPDATE = 0x04
OPFLAG_APPEND = 0x08
OPFLAG_USESEEKRESULT = 0x10
OPFLAG_LASTROWID = 0x20
OPFLAG_BULKCSR = 0x01
OPFLAG_SAVEPOSITION = 0x02
OPFLAG_P2ISREG = 0x10

SCHEMA_ROOT = 1
SCHEMA_N_COLUMNS = 5


# ---------------------------------------------------------------------------
# Helpers shared by the DDL statements
# ---------------------------------------------------------------------------

def stored_sql(text: str, keyword: str) -> str:
    """The text SQLite stores in sqlite_schema.sql: ``keyword`` followed by
    the statement from the object name on (the name token after any
    ``IF NOT EXISTS`` and ``schema.``)."""
    toks = list(tokenize(text))
    kinds = [t.kind for t in toks]
    i = 0
    # Skip [EXPLAIN [QUERY PLAN]] CREATE [TEMP|TEMPORARY] [UNIQUE]
    # TABLE|INDEX|VIEW [IF NOT EXISTS].
    if kinds[i:i + 1] == ["EXPLAIN"]:
        i += 3 if kinds[i + 1:i + 3] == ["QUERY", "PLAN"] else 1
    for optional in (("CREATE",), ("TEMP", "TEMPORARY"), ("UNIQUE",), ("TABLE", "INDEX", "VIEW", "TRIGGER")):
        if i < len(kinds) and kinds[i] in optional:
            i += 1
    if i + 2 < len(toks) and toks[i].kind == "IF" and toks[i + 1].kind == "NOT" \
            and toks[i + 2].kind == "EXISTS":
        i += 3
    if i + 2 < len(toks) and toks[i + 1].kind == ".":
        i += 2
    if i >= len(toks):
        return text
    return f"{keyword} {text[toks[i].start:]}"


def check_object_name(parse: Any, name: str, kind: str) -> None:
    """Refuse names reserved for SQLite's own objects (sqlite3CheckObjectName)."""
    if fold_name(name).startswith("sqlite_") and not getattr(parse.db, "writable_schema", False):
        parse.error(f"object name reserved for internal use: {name}")


def check_schema(parse: Any, schema_name: str | None) -> int:
    """The database index of a ``schema.`` qualifier (main when absent)."""
    if schema_name is None:
        return 0
    i = parse.db.db_index_of(schema_name)
    if i < 0:
        parse.error(f"unknown database {schema_name}")
    return i


def create_target(parse: Any, schema_name: str | None, temp: bool, what: str) -> int:
    """The database a CREATE writes to (sqlite3TwoPartName): TEMP objects
    go to temp (a qualifier other than temp is an error), others to the
    named database or main.  Sets ``parse.ddl_db``."""
    if temp:
        if schema_name is not None and fold_name(schema_name) != "temp":
            parse.error(f"temporary {what} name must be unqualified")
        db = 1
    else:
        db = check_schema(parse, schema_name)
    parse.ddl_db = db
    return db


def ddl_db(parse: Any) -> int:
    """The database the DDL statement being coded changes."""
    return getattr(parse, "ddl_db", 0) or 0


def name_in_use(parse: Any, name: str) -> str | None:
    """The kind of object already called ``name`` ("table", "index",
    "view") in the database the DDL statement writes to."""
    db = parse.db
    schema = db.dbs[ddl_db(parse)].schema
    low = fold_name(name)
    if low in schema.tables or low in (sch.SCHEMA_TABLE_NAME, sch.LEGACY_SCHEMA_TABLE_NAME):
        return "table"
    if low in schema.views:
        return "view"
    if low in schema.indexes:
        return "index"
    return None


def begin_write_ddl(parse: Any) -> None:
    """Init plus the write transaction of a DDL statement."""
    parse.begin_coding()
    parse.code_verify_schema(ddl_db(parse), write=True)


def code_file_format(parse: Any) -> None:
    """Set the file format and text encoding of a new database
    (the ReadCookie/If/SetCookie prologue of sqlite3StartTable)."""
    reg = parse.alloc_reg()
    db = ddl_db(parse)
    parse.emit("ReadCookie", db, reg, BTREE_FILE_FORMAT)
    skip = parse.label()
    parse.emit("If", reg, skip)
    parse.emit("SetCookie", db, BTREE_FILE_FORMAT, 4)
    parse.emit("SetCookie", db, BTREE_TEXT_ENCODING, 1)
    parse.resolve(skip)


def code_schema_row(parse: Any, cursor: int, type_: str, name: str, tbl_name: str,
                    root_reg: int | None, sql: str | None) -> None:
    """Append one row to sqlite_schema through ``cursor``."""
    base = parse.alloc_reg(SCHEMA_N_COLUMNS)
    rowid = parse.alloc_reg()
    rec = parse.alloc_reg()
    parse.emit("String8", 0, base, 0, type_)
    parse.emit("String8", 0, base + 1, 0, name)
    parse.emit("String8", 0, base + 2, 0, tbl_name)
    if root_reg is None:
        parse.emit("Integer", 0, base + 3)
    else:
        parse.emit("SCopy", root_reg, base + 3)
    if sql is None:
        parse.emit("Null", 0, base + 4)
    else:
        parse.emit("String8", 0, base + 4, 0, sql)
    parse.emit("NewRowid", cursor, rowid)
    parse.emit("MakeRecord", base, SCHEMA_N_COLUMNS, rec, "BBBDB")
    parse.emit("Insert", cursor, rec, rowid, None, OPFLAG_APPEND)


def change_cookie(parse: Any) -> None:
    """Bump the schema cookie (sqlite3ChangeCookie)."""
    db = ddl_db(parse)
    parse.emit("SetCookie", db, BTREE_SCHEMA_VERSION, parse.db.schema_cookie(db) + 1)


def open_schema_table(parse: Any) -> int:
    cursor = parse.alloc_cursor()
    parse.emit("OpenWrite", cursor, SCHEMA_ROOT, ddl_db(parse), SCHEMA_N_COLUMNS)
    return cursor


# ---------------------------------------------------------------------------
# CREATE TABLE
# ---------------------------------------------------------------------------

def code_create_table(parse: Any, stmt: ast.CreateTable, text: str) -> None:
    """CREATE TABLE (sqlite3StartTable + sqlite3EndTable)."""
    create_target(parse, stmt.schema, stmt.temp, "table")
    kind = name_in_use(parse, stmt.name)
    if kind in ("table", "view"):
        if stmt.if_not_exists:
            _code_noop(parse)
            return
        parse.error(f"{kind} {stmt.name} already exists")
    if kind == "index":
        parse.error(f"there is already an index named {stmt.name}")
    check_object_name(parse, stmt.name, "table")
    if stmt.as_select is not None:
        _code_create_table_as(parse, stmt)
        return
    sql = stored_sql(text, "CREATE TABLE")
    table = sch.table_from_ast(stmt, sql)
    from pyrite.compile.window import check_no_window
    check_no_window(parse, [c.expr for col in stmt.columns for c in col.constraints
                            if isinstance(c, ast.CheckConstraint)]
                    + [c.expr for c in stmt.constraints if isinstance(c, ast.CheckConstraint)])
    for c in table.columns:
        if c.collation is not None:
            parse.find_collation(c.collation)
    for idx in table.indexes:
        for coll in idx.collations:
            parse.find_collation(coll)
    from pyrite.compile import gencol
    from pyrite.compile.checkdef import validate_checks, validate_defaults
    validate_defaults(parse, stmt)
    validate_checks(parse, table)
    gencol.validate_table(parse, table, stmt)

    begin_write_ddl(parse)
    code_file_format(parse)
    root = parse.alloc_reg()
    # A WITHOUT ROWID table's b-tree is its PRIMARY KEY index, which has
    # no sqlite_schema row of its own.
    parse.emit("CreateBtree", ddl_db(parse), root,
               BTREE_BLOBKEY if table.without_rowid else BTREE_INTKEY)
    cursor = open_schema_table(parse)
    code_schema_row(parse, cursor, "table", table.name, table.name, root, sql)
    for idx in table.indexes:
        if table.without_rowid and idx.is_primary_key:
            continue
        iroot = parse.alloc_reg()
        parse.emit("CreateBtree", ddl_db(parse), iroot, BTREE_BLOBKEY)
        code_schema_row(parse, cursor, "index", idx.name, table.name, iroot, None)
    if table.autoincrement:
        _code_sequence_table(parse, cursor)
    parse.emit("Close", cursor)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0,
               f"tbl_name='{_sql_escape(table.name)}' AND type!='trigger'")
    parse.finish_coding()


def _code_sequence_table(parse: Any, cursor: int) -> None:
    """Create sqlite_sequence with the first AUTOINCREMENT table."""
    if name_in_use(parse, "sqlite_sequence"):
        return
    root = parse.alloc_reg()
    parse.emit("CreateBtree", ddl_db(parse), root, BTREE_INTKEY)
    code_schema_row(parse, cursor, "table", "sqlite_sequence", "sqlite_sequence", root,
                    "CREATE TABLE sqlite_sequence(name,seq)")


def _sql_escape(s: str) -> str:
    return s.replace("'", "''")


def _code_noop(parse: Any) -> None:
    """A program that only verifies the schema (IF [NOT] EXISTS did nothing)."""
    parse.begin_coding()
    parse.code_verify_schema(ddl_db(parse), write=False)
    parse.finish_coding()


_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _quoted_ident(name: str) -> str:
    """Quote ``name`` as createTableStmt's identPut does when needed."""
    from pyrite.sql.keywords import is_keyword  # type: ignore[attr-defined]
    plain = (name and not name[0].isdigit() and all(ch in _ID_CHARS for ch in name)
             and not is_keyword(name))
    return name if plain else '"' + name.replace('"', '""') + '"'


_AFF_TYPE = {values.AFF_TEXT: " TEXT", values.AFF_NUMERIC: " NUM", values.AFF_INTEGER: " INT",
             values.AFF_REAL: " REAL"}


def _code_create_table_as(parse: Any, stmt: ast.CreateTable) -> None:
    """CREATE TABLE ... AS SELECT (the declared types come from the result
    expressions' affinities, as sqlite3ResultSetOfSelect/createTableStmt)."""
    from pyrite.compile.context import SRT_TABLE, SelectDest
    from pyrite.compile import select as select_mod

    names, affs = result_set_columns(parse, stmt.as_select)
    seen: dict[str, int] = {}
    cols = []
    for n in names:
        base = n
        k = fold_name(base)
        cnt = seen.get(k, 0)
        while k in seen:
            cnt += 1
            n = f"{base}:{cnt}"
            k = fold_name(n)
        seen[fold_name(base)] = cnt
        seen[k] = 0
        cols.append(n)
    defs = ",".join(_quoted_ident(n) + _AFF_TYPE.get(a, "") for n, a in zip(cols, affs))
    sql = f"CREATE TABLE {_quoted_ident(stmt.name)}({defs})"
    begin_write_ddl(parse)
    code_file_format(parse)
    root = parse.alloc_reg()
    parse.emit("CreateBtree", ddl_db(parse), root, BTREE_INTKEY)
    cursor = open_schema_table(parse)
    code_schema_row(parse, cursor, "table", stmt.name, stmt.name, root, sql)
    parse.emit("Close", cursor)
    # Fill the new table from the SELECT.
    dest_cursor = parse.alloc_cursor()
    # P2 of OpenWrite is the root register when P5 has OPFLAG_P2ISREG.
    parse.emit("OpenWrite", dest_cursor, root, ddl_db(parse), len(cols), OPFLAG_P2ISREG)
    select_mod.compile_select(parse, stmt.as_select, SelectDest(SRT_TABLE, dest_cursor))
    parse.emit("Close", dest_cursor)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0,
               f"tbl_name='{_sql_escape(stmt.name)}' AND type!='trigger'")
    parse.finish_coding()


def result_set_columns(parse: Any, select: ast.Select) -> tuple[list[str], list[str]]:
    """Names and affinities of the result columns of ``select``
    (sqlite3ResultSetOfSelect), found by compiling it into a scratch program."""
    from pyrite.compile.context import SRT_DISCARD, Parse, SelectDest
    from pyrite.compile.expr import expr_affinity
    from pyrite.compile.select import compile_select
    scratch = Parse(type(parse.builder)(), parse.db)
    info = compile_select(scratch, select, SelectDest(SRT_DISCARD))
    names = [item.alias or item.name for item in info.columns]
    affs = [expr_affinity(item.expr) for item in info.columns]
    return names, affs


# ---------------------------------------------------------------------------
# CREATE INDEX
# ---------------------------------------------------------------------------

def code_create_index(parse: Any, stmt: ast.CreateIndex, text: str) -> None:
    """CREATE [UNIQUE] INDEX (sqlite3CreateIndex + sqlite3RefillIndex)."""
    if stmt.schema is not None:
        db = check_schema(parse, stmt.schema)
        table = parse.db.find_table(stmt.table, parse.db.db_name(db))
    else:
        table = parse.db.find_table(stmt.table)
        db = table.db_index if table is not None else 0
    parse.ddl_db = db
    if table is None:
        parse.error(f"no such table: {parse.db.db_name(db)}.{stmt.table}")
    if table.is_view:
        parse.error("views may not be indexed")
    if table.read_only or fold_name(table.name).startswith("sqlite_"):
        parse.error(f"table {table.name} may not be indexed")
    kind = name_in_use(parse, stmt.name)
    if kind is not None:
        if stmt.if_not_exists:
            _code_noop(parse)
            return
        if kind == "index":
            parse.error(f"index {stmt.name} already exists")
        parse.error(f"there is already a table named {stmt.name}")
    check_object_name(parse, stmt.name, "index")
    sql = stored_sql(text, "CREATE UNIQUE INDEX" if stmt.unique else "CREATE INDEX")
    index = sch.index_from_ast(stmt, table, sql)
    for coll in index.collations:
        parse.find_collation(coll)
    from pyrite.compile import gencol
    gencol.validate_index(parse, table, index)

    begin_write_ddl(parse)
    root = parse.alloc_reg()
    parse.emit("CreateBtree", db, root, BTREE_BLOBKEY)
    cursor = open_schema_table(parse)
    code_schema_row(parse, cursor, "index", index.name, table.name, root, sql)
    parse.emit("Close", cursor)
    refill_index(parse, table, index, root_reg=root)
    change_cookie(parse)
    parse.emit("ParseSchema", db, 0, 0, f"name='{_sql_escape(index.name)}' AND type='index'")
    parse.finish_coding()


def code_index_key(parse: Any, table: Any, index: Any, data_cursor: int, first_reg: int) -> None:
    """Load the key of ``index`` for the row under ``data_cursor`` into
    consecutive registers (sqlite3GenerateIndexKey)."""
    from pyrite.compile import gencol
    for i, c in enumerate(index.columns):
        if c == sch.XN_ROWID:
            parse.emit("Rowid", data_cursor, first_reg + i)
        elif c == table.rowid_alias:
            parse.emit("Rowid", data_cursor, first_reg + i)
        elif c == sch.XN_EXPR:
            gencol.code_index_expr(parse, table, index, i, data_cursor, first_reg + i)
            continue
        elif gencol.is_virtual(table.columns[c]):
            gencol.code_virtual_column(parse, table, data_cursor, c, first_reg + i)
            continue
        else:
            from pyrite.compile.expr import column_default
            parse.emit("Column", data_cursor, gencol.storage_column(table, c), first_reg + i,
                       column_default(table.columns[c]))
            if table.columns[c].affinity == values.AFF_REAL:
                parse.emit("RealAffinity", first_reg + i)


def code_partial_filter(parse: Any, table: Any, index: Any, cursor: int, skip: int) -> None:
    """Jump to ``skip`` when the row under ``cursor`` is outside a partial index."""
    if index.where is None:
        return
    expr = resolve_on_table(parse, table, cursor, index.where)
    from pyrite.compile.expr import code_if_false
    code_if_false(parse, expr, skip, True)


def resolve_on_table(parse: Any, table: Any, cursor: int, expr: ast.Expr,
                     alias: str | None = None) -> Any:
    """Resolve ``expr`` with the columns of ``table`` read through ``cursor``."""
    from pyrite.compile.context import NameContext, SrcItem, SrcList
    from pyrite.compile.resolve import resolve_expr
    src = SrcList()
    src.append(SrcItem(name=table.name, alias=alias, table=table, cursor=cursor))
    return resolve_expr(parse, expr, NameContext(src))


def refill_index(parse: Any, table: Any, index: Any, root_reg: int | None = None) -> None:
    """Fill ``index`` from the rows of ``table`` through a sorter (sqlite3RefillIndex)."""
    parse.whole_table_loops = True      # (see Program.whole_table_loops)
    key_info = index.key_info
    n = len(index.columns)
    tab_cursor = parse.alloc_cursor()
    idx_cursor = parse.alloc_cursor()
    sorter = parse.alloc_cursor()
    parse.emit("SorterOpen", sorter, n, 0, key_info)
    db = table.db_index
    from pyrite.compile.rowkey import open_table
    open_table(parse, "OpenRead", tab_cursor, table, db=db)
    done = parse.label()
    parse.emit("Rewind", tab_cursor, done)
    top = parse.current_addr()
    skip = parse.label()
    code_partial_filter(parse, table, index, tab_cursor, skip)
    regs = parse.alloc_reg(n)
    rec = parse.alloc_reg()
    code_index_key(parse, table, index, tab_cursor, regs)
    parse.emit("MakeRecord", regs, n, rec, index.affinity_string())
    parse.emit("SorterInsert", sorter, rec)
    parse.resolve(skip)
    parse.emit("Next", tab_cursor, top)
    parse.resolve(done)
    if root_reg is not None:
        parse.emit("OpenWrite", idx_cursor, root_reg, db, key_info,
                   OPFLAG_P2ISREG | OPFLAG_BULKCSR)
    else:
        parse.emit("OpenWrite", idx_cursor, index.root, db, key_info, OPFLAG_BULKCSR)
    end = parse.label()
    parse.emit("SorterSort", sorter, end)
    if index.unique:
        # Compare each key with the previous one (not for the first key):
        # equal key prefixes are a constraint violation.
        first = parse.label()
        parse.emit("Goto", 0, first)
        loop = parse.current_addr()
        parse.emit("SorterCompare", sorter, first, rec, index.n_key_col)
        parse.emit("Halt", errors.SQLITE_CONSTRAINT_UNIQUE, sch.OE_ABORT, 0,
                   unique_error_text(table, index), 2)
        parse.resolve(first)
    else:
        loop = parse.current_addr()
    parse.emit("SorterData", sorter, rec, idx_cursor)
    # Sorted keys into a new (or cleared) index: APPEND builds it bottom-up.
    parse.emit("IdxInsert", idx_cursor, rec, 0, None, OPFLAG_USESEEKRESULT | OPFLAG_APPEND)
    parse.emit("SorterNext", sorter, loop)
    parse.resolve(end)
    parse.emit("Close", tab_cursor)
    parse.emit("Close", idx_cursor)
    parse.emit("Close", sorter)


def unique_error_text(table: Any, index: Any) -> str:
    """The detail of "UNIQUE constraint failed: t.a, t.b" (sqlite3UniqueConstraint)."""
    parts = []
    for i in range(index.n_key_col):
        c = index.columns[i]
        if c >= 0:
            parts.append(f"{table.name}.{table.columns[c].name}")
        elif c == sch.XN_ROWID:
            parts.append(f"{table.name}.rowid")
        else:
            parts.append("index '" + index.name + "'")
            return parts[-1]
    return ", ".join(parts)


# ---------------------------------------------------------------------------
# CREATE VIEW
# ---------------------------------------------------------------------------

def code_create_view(parse: Any, stmt: ast.CreateView, text: str) -> None:
    """CREATE VIEW: only the schema row (sqlite3CreateView)."""
    create_target(parse, stmt.schema, stmt.temp, "table")
    kind = name_in_use(parse, stmt.name)
    if kind in ("table", "view"):
        if stmt.if_not_exists:
            _code_noop(parse)
            return
        parse.error(f"{kind} {stmt.name} already exists")
    if kind == "index":
        parse.error(f"there is already an index named {stmt.name}")
    check_object_name(parse, stmt.name, "view")
    check_fixed_names(parse, stmt.select, f"view {stmt.name}")
    sql = stored_sql(text, "CREATE VIEW")
    begin_write_ddl(parse)
    code_file_format(parse)
    cursor = open_schema_table(parse)
    code_schema_row(parse, cursor, "view", stmt.name, stmt.name, None, sql)
    parse.emit("Close", cursor)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0,
               f"tbl_name='{_sql_escape(stmt.name)}' AND type!='trigger'")
    parse.finish_coding()


def _table_refs(node: Any) -> Any:
    """Every FROM-clause table reference under ``node`` (subqueries too)."""
    import dataclasses
    if isinstance(node, ast.TableRef):
        yield node
    if isinstance(node, (list, tuple)):
        for x in node:
            yield from _table_refs(x)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _table_refs(getattr(node, f.name))


def check_fixed_names(parse: Any, node: Any, what: str) -> None:
    """An object of main or an attached database may only name objects of
    its own database (sqlite3FixSrcList: "view v cannot reference objects
    in database aux"); TEMP objects may name any."""
    db = ddl_db(parse)
    if db == 1:
        return
    for ref in _table_refs(node):
        if ref.schema is not None and parse.db.db_index_of(ref.schema) != db:
            parse.error(f"{what} cannot reference objects in database {ref.schema}")


# ---------------------------------------------------------------------------
# DROP TABLE / INDEX / VIEW / TRIGGER
# ---------------------------------------------------------------------------

def code_drop(parse: Any, stmt: ast.Drop) -> None:
    """DROP TABLE / VIEW / INDEX (sqlite3DropTable, sqlite3DropIndex)."""
    check_schema(parse, stmt.schema)
    kind = stmt.kind.upper()
    qualified = f"{stmt.schema}.{stmt.name}" if stmt.schema else stmt.name
    if kind == "INDEX":
        index = parse.db.find_index(stmt.name, stmt.schema)
        parse.ddl_db = index.table.db_index if index is not None else 0
        if index is None:
            if stmt.if_exists:
                _code_noop(parse)
                return
            parse.error(f"no such index: {qualified}")
        if index.is_auto:
            parse.error("index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped")
        begin_write_ddl(parse)
        _code_delete_schema_rows(parse, name=index.name, by_table=False)
        _code_destroy(parse, [index.root])
        change_cookie(parse)
        parse.emit("DropIndex", ddl_db(parse), 0, 0, index.name)
        parse.finish_coding()
        return
    if kind == "TRIGGER":
        db, trig = parse.db.find_trigger(stmt.name, stmt.schema)
        parse.ddl_db = max(db, 0)
        if trig is None:
            if stmt.if_exists:
                _code_noop(parse)
                return
            parse.error(f"no such trigger: {qualified}")
        begin_write_ddl(parse)
        _code_delete_schema_rows(parse, name=trig.name, by_table=False, type_="trigger")
        change_cookie(parse)
        parse.emit("DropTrigger", ddl_db(parse), 0, 0, trig.name)
        parse.finish_coding()
        return
    table = parse.db.find_table(stmt.name, stmt.schema)
    parse.ddl_db = table.db_index if table is not None else 0
    if table is None:
        if stmt.if_exists:
            _code_noop(parse)
            return
        parse.error(f"no such {'view' if kind == 'VIEW' else 'table'}: {qualified}")
    if fold_name(table.name).startswith("sqlite_") and fold_name(table.name) != "sqlite_stat1":
        parse.error(f"table {table.name} may not be dropped")
    if kind == "VIEW" and not table.is_view:
        parse.error(f"use DROP TABLE to delete table {table.name}")
    if kind == "TABLE" and table.is_view:
        parse.error(f"use DROP VIEW to delete view {table.name}")
    begin_write_ddl(parse)
    from pyrite.compile.fkey import fk_drop_table
    fk_drop_table(parse, table)
    seq = parse.db.find_table("sqlite_sequence", parse.db.db_name(table.db_index)) \
        if table.autoincrement else None
    if seq is not None:
        _code_delete_schema_rows(parse, name=table.name, by_table=False, root=seq.root,
                                 n_columns=2, column=0)
    from pyrite.compile.trigger import table_triggers
    for trig in table_triggers(parse, table):
        parse.code_verify_schema(trig.db_index, write=True)
        _code_delete_schema_rows(parse, name=trig.name, by_table=False, type_="trigger",
                                 db=trig.db_index)
    _code_delete_schema_rows(parse, name=table.name, by_table=True)
    if not table.is_view:
        roots = [table.root] + [i.root for i in table.indexes if i.root and i.root != table.root]
        _code_destroy(parse, roots)
    change_cookie(parse)
    parse.emit("DropTable", ddl_db(parse), 0, 0, table.name)
    parse.finish_coding()


def _code_delete_schema_rows(parse: Any, name: str, by_table: bool,
                             root: int = SCHEMA_ROOT, n_columns: int = SCHEMA_N_COLUMNS,
                             column: int | None = None, type_: str | None = None,
                             db: int | None = None) -> None:
    """Delete the sqlite_schema rows of an object: for a table every row
    with its tbl_name (its indexes), for an index or trigger the row with
    its name (and ``type_``: a trigger may share its name with a table).
    A table's triggers are deleted by name (some may live in the temp
    schema), so by tbl_name only rows that are not triggers go.  With
    ``root``/``column`` the same loop deletes from another table
    (sqlite_sequence)."""
    cursor = parse.alloc_cursor()
    parse.emit("OpenWrite", cursor, root, ddl_db(parse) if db is None else db, n_columns)
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    skip = parse.label()
    reg = parse.alloc_reg()
    want = parse.alloc_reg()
    if column is None:
        column = 2 if by_table else 1
    parse.emit("Column", cursor, column, reg)
    parse.emit("String8", 0, want, 0, name)
    parse.emit("Ne", want, skip, reg, values.NOCASE if by_table else None, 0x10)
    if type_ is not None:
        parse.emit("Column", cursor, 0, reg)
        parse.emit("String8", 0, want, 0, type_)
        parse.emit("Ne", want, skip, reg, None, 0x10)
    if by_table:
        parse.emit("Column", cursor, 0, reg)
        parse.emit("String8", 0, want, 0, "trigger")
        parse.emit("Eq", want, skip, reg, None, 0x10)
    parse.emit("Delete", cursor, 0)
    parse.resolve(skip)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    parse.emit("Close", cursor)


def _code_destroy(parse: Any, roots: list[int]) -> None:
    """Destroy b-trees, largest root first (destroyTable)."""
    moved = parse.alloc_reg()
    for root in sorted(set(roots), reverse=True):
        parse.emit("Destroy", root, moved, ddl_db(parse))
