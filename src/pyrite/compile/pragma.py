"""Compiler layer: PRAGMA statements.

SQLite's counterpart is ``pragma.c`` (sqlite3Pragma).  Header-cookie pragmas
(user_version, application_id, schema_version, freelist_count) read and
write the header through ``ReadCookie``/``SetCookie``; schema-description
pragmas (table_info, index_list, index_info) are answered at compile time
with constant ``ResultRow``s, as sqlite3VdbeMultiLoad does; integrity_check
runs ``IntegrityCk``.  Pragmas Pyrite does not know are ignored, as SQLite
ignores them (an empty result).
"""

from __future__ import annotations
from pyrite.values import fold_name

import re
from typing import Any

from pyrite import values
from pyrite.sql import ast

# Cookie pragmas: name -> (meta slot, writable).
_COOKIES = {
    "schema_version": (1, True),
    "user_version": (6, True),
    "application_id": (8, True),
    "freelist_count": (0, False),
    "data_version": (15, False),
}

# Pragmas that accept a value and answer with a constant (no effect yet).
_SETTINGS_DEFAULTS: dict[str, Any] = {
    "foreign_keys": 0, "cache_size": -2000, "recursive_triggers": 0,
    "case_sensitive_like": None, "temp_store": 0, "busy_timeout": None,
    "automatic_index": 1, "reverse_unordered_selects": 0, "legacy_alter_table": 0,
    "locking_mode": "normal", "secure_delete": 0, "cell_size_check": 0,
    "auto_vacuum": 0, "checkpoint_fullfsync": 0, "fullfsync": 0, "query_only": 0,
    "defer_foreign_keys": 0, "ignore_check_constraints": 0,
    "short_column_names": 1, "full_column_names": 0, "empty_result_callbacks": 0,
    "trusted_schema": 1, "threads": 0, "soft_heap_limit": 0, "hard_heap_limit": 0,
    "wal_autocheckpoint": 1000, "writable_schema": 0, "analysis_limit": 0,
    "journal_size_limit": -1,
    # memory-mapped I/O is compiled out (SQLITE_MAX_MMAP_SIZE=0): no answer
    "mmap_size": None,
}

_BOOL_WORDS = ("on", "off", "yes", "no", "true", "false")
_SYNC_NAMES = {"off": 0, "normal": 1, "full": 2, "extra": 3}


def _value_of(expr: ast.Expr | None) -> Any:
    """The pragma's value as written: a number, or identifier/string text."""
    if expr is None:
        return None
    if isinstance(expr, ast.Literal):
        if expr.keyword is not None:
            return 1 if expr.keyword.upper() == "TRUE" else 0
        return expr.value
    if isinstance(expr, ast.Column):
        return expr.name
    if isinstance(expr, ast.Unary) and expr.op == "-" and isinstance(expr.operand, ast.Literal):
        v = expr.operand.value
        return -v if isinstance(v, (int, float)) else v
    if isinstance(expr, ast.Unary) and expr.op == "+" and isinstance(expr.operand, ast.Literal):
        return expr.operand.value
    return None


def _int_value(v: Any) -> int:
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v)
    if isinstance(v, str):
        low = fold_name(v)
        if low in ("on", "yes", "true"):
            return 1
        if low in ("off", "no", "false"):
            return 0
        if low in _SYNC_NAMES:
            return _SYNC_NAMES[low]
        n = values.to_integer(v)
        return n if n is not None else 0
    return 0


def _get_int32(v: Any) -> int | None:
    """sqlite3GetInt32: the 32-bit integer a pragma argument starts with
    (a sign, then digits; trailing text ignored), or None when it does not
    start with a digit or does not fit."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v if -(1 << 31) <= v < 1 << 31 else None
    if isinstance(v, float):
        return _get_int32(str(v))
    if not isinstance(v, str):
        return None
    m = re.match(r"([+-]?)0*(\d{0,11})", v)
    if m is None or not v.lstrip("+-")[:1].isdigit():
        return None
    n = int(m.group(2) or "0")
    n = -n if m.group(1) == "-" else n
    return n if -(1 << 31) <= n < 1 << 31 else None


def _result_rows(parse: Any, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Emit constant result rows (sqlite3VdbeMultiLoad + ResultRow)."""
    collect = getattr(parse, "collect_rows", None)
    if collect is not None:   # a pragma virtual table's scan (PragmaCursor)
        collect(names, rows)
        return
    from pyrite.compile.expr import code_literal
    parse.set_result_columns(names, [None] * len(names))
    n = len(names)
    base = parse.alloc_reg(n)
    for row in rows:
        for i, v in enumerate(row):
            code_literal(parse, v, base + i)
        parse.emit("ResultRow", base, n)


def code_pragma(parse: Any, stmt: ast.Pragma) -> None:
    """Emit the program of one PRAGMA."""
    name = fold_name(stmt.name)
    # The database a qualified PRAGMA names (None: unqualified).
    parse.pragma_db = None
    if stmt.schema is not None:
        parse.pragma_db = parse.db.db_index_of(stmt.schema)
        if parse.pragma_db < 0:
            parse.error(f"unknown database {stmt.schema}")
    value = _value_of(stmt.value)
    parse.begin_coding()
    handler = _HANDLERS.get(name)
    if handler is not None:
        handler(parse, name, value)
    elif name in _COOKIES:
        _pragma_cookie(parse, name, value)
    elif name in _SETTINGS_DEFAULTS:
        _pragma_setting(parse, name, value)
    parse.finish_coding()


def _pragma_cookie(parse: Any, name: str, value: Any) -> None:
    slot, writable = _COOKIES[name]
    db = _pragma_db(parse)
    if value is not None and writable:
        parse.code_verify_schema(db, write=True)
        n = _get_int32(value)
        if n is None:
            n = 0             # sqlite3Atoi: a value that is no 32-bit integer reads as 0
        parse.emit("SetCookie", db, slot, n & 0xFFFFFFFF)
        return
    parse.code_verify_schema(db, write=False)
    parse.set_result_columns([name], [None])
    reg = parse.alloc_reg()
    parse.emit("ReadCookie", db, reg, slot)
    parse.emit("ResultRow", reg, 1)


def _settings_of(db: Any) -> dict[str, Any]:
    """The values this connection's setting pragmas were given."""
    store = getattr(db, "pragma_settings", None)
    if store is None:
        store = db.pragma_settings = {}
    return store


def _pragma_db(parse: Any) -> int:
    """The database a PRAGMA about one database applies to (main unless
    qualified)."""
    db = getattr(parse, "pragma_db", None)
    return 0 if db is None else db


def _schema_name(parse: Any) -> str | None:
    db = getattr(parse, "pragma_db", None)
    return None if db is None else parse.db.db_name(db)


def _pragma_flag(parse: Any, name: str, value: Any) -> None:
    """A flag pragma kept on the connection (recursive_triggers): read by
    the compiler, so it takes effect for statements prepared after it."""
    if value is None:
        _result_rows(parse, [name], [(1 if getattr(parse.db, name, False) else 0,)])
        return
    setattr(parse.db, name, bool(_int_value(value)))


def _set_case_sensitive_like(db: Any, on: bool) -> None:
    """PRAGMA case_sensitive_like: like() with two and three arguments
    registered again, matching ASCII letters by case or not
    (sqlite3RegisterLikeFunctions; it replaces an application's like())."""
    from pyrite.vdbe.functions.core import make_like
    for fn in make_like(on):
        db.functions[(fn.name, fn.n_arg)] = fn


def _safety_level(value: Any) -> int:
    """The synchronous level a PRAGMA synchronous argument sets, as SQLite
    reads it (getSafetyLevel, then kept in three bits; 0 there means 1):
    a number from its leading digits, else a keyword, else NORMAL."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        level = int(value) if value >= 0 else 1
    else:
        text = str(value)
        digits = len(text) - len(text.lstrip("0123456789"))
        if digits:
            level = int(text[:digits])
        else:
            low = fold_name(text)
            level = 1 if low in ("on", "yes", "true") else 0 if low in ("off", "no", "false") \
                else _SYNC_NAMES.get(low, 1)
    return (((level + 1) & 7) or 1) - 1


def _pragma_synchronous(parse: Any, name: str, value: Any) -> None:
    """PRAGMA [schema.]synchronous [= level]: how hard commits wait for the
    disk (the pager's sync_level); kept per database, main unless named."""
    slot = parse.db.dbs[_pragma_db(parse)]
    if value is None:
        _result_rows(parse, [name], [(slot.sync_level,)])
        return
    slot.sync_level = _safety_level(value)
    if slot.pager is not None:
        slot.pager.sync_level = slot.sync_level


def _pragma_setting(parse: Any, name: str, value: Any) -> None:
    store = _settings_of(parse.db)
    if value is not None:
        if name == "busy_timeout":
            parse.db.busy_timeout = _int_value(value) / 1000.0
            _result_rows(parse, ["timeout"], [(_int_value(value),)])
            return
        if name == "mmap_size":
            return
        if name == "case_sensitive_like":
            _set_case_sensitive_like(parse.db, bool(_int_value(value)))
            return
        store[name] = _int_value(value) if name != "locking_mode" else fold_name(str(value))
        if name in ("locking_mode", "journal_size_limit", "analysis_limit"):
            _result_rows(parse, [name], [(store[name],)])   # these answer a change
        return
    if name == "busy_timeout":
        _result_rows(parse, ["timeout"], [(int(parse.db.busy_timeout * 1000),)])
        return
    current = store.get(name, _SETTINGS_DEFAULTS[name])
    if current is None:
        return
    _result_rows(parse, [name], [(current,)])


def _pragma_page_size(parse: Any, name: str, value: Any) -> None:
    """PRAGMA page_size = N sets the size of a database with no page yet,
    and (valid or not, for any schema) the size the connection's next
    VACUUM gives the database (SQLite's db->nextPagesize, see
    vacuum.copy_page_size); the query answers the current size."""
    if value is not None:
        n = _int_value(value)
        parse.db.next_page_size = n
        parse.db.pager.set_page_size(n)
        return
    _result_rows(parse, ["page_size"], [(parse.db.pager.page_size,)])


def _pragma_page_count(parse: Any, name: str, value: Any) -> None:
    db = _pragma_db(parse)
    parse.code_verify_schema(db, write=False)
    parse.set_result_columns([name], [None])
    reg = parse.alloc_reg()
    parse.emit("Pagecount", db, reg)
    parse.emit("ResultRow", reg, 1)


def _pragma_max_page_count(parse: Any, name: str, value: Any) -> None:
    """PRAGMA max_page_count [= N]: the limit in force after the change."""
    parse.code_verify_schema(0, write=False)
    parse.set_result_columns([name], [None])
    reg = parse.alloc_reg()
    parse.emit("MaxPgcnt", 0, reg, _int_value(value) if value is not None else 0)
    parse.emit("ResultRow", reg, 1)


def _pragma_cache_spill(parse: Any, name: str, value: Any) -> None:
    """PRAGMA cache_spill: a boolean (or a page threshold); reads back 0
    when off, else the threshold in pages (the cache size when larger)."""
    db = parse.db
    if value is not None:
        if isinstance(value, str) and fold_name(value) in _BOOL_WORDS:
            db.cache_spill = bool(_int_value(value))
        else:
            n = _int_value(value)
            db.cache_spill = n != 0
            db.cache_spill_pages = n if n > 0 else 0
        return
    if not getattr(db, "cache_spill", True):
        _result_rows(parse, [name], [(0,)])
        return
    pages = max(getattr(db, "cache_spill_pages", 0), _cache_pages(parse))
    _result_rows(parse, [name], [(pages,)])


def _cache_pages(parse: Any) -> int:
    """The page cache's size in pages as SQLite computes it from
    PRAGMA cache_size (negative: KiB, each page costing its size plus the
    cache's per-page overhead)."""
    size = _settings_of(parse.db).get("cache_size", _SETTINGS_DEFAULTS["cache_size"])
    if size >= 0:
        return size
    return -size * 1024 // (parse.db.pager.page_size + _PCACHE_OVERHEAD)


# Bytes SQLite's page cache spends per page beyond the page itself
# (PgHdr and pcache1's headers, 64-bit build), for cache_size in KiB.
_PCACHE_OVERHEAD = 136


def _pragma_journal_mode(parse: Any, name: str, value: Any) -> None:
    slot = parse.db.dbs[_pragma_db(parse)]
    memory = getattr(slot.pager, "memory", False) and not slot.anonymous
    mode = "memory" if memory else "delete"
    if value is not None and fold_name(str(value)) in ("off", "memory") and mode == "delete":
        mode = "delete"
    _result_rows(parse, ["journal_mode"], [(mode,)])


def _pragma_encoding(parse: Any, name: str, value: Any) -> None:
    if value is not None:
        return
    _result_rows(parse, ["encoding"], [("UTF-8",)])


def _find_table(parse: Any, value: Any) -> Any:
    if value is None:
        return None
    table = parse.db.find_table(str(value), _schema_name(parse))
    if table is None:
        from pyrite.compile.vtab import eponymous_table
        table = eponymous_table(parse, str(value))
    return table


def _pragma_table_info(parse: Any, name: str, value: Any) -> None:
    table = _find_table(parse, value)
    if table is None:
        return
    parse.code_verify_schema(getattr(table, "db_index", 0), write=False)
    xinfo = name == "table_xinfo"
    rows = []
    if getattr(table, "is_view", False):
        # a view's columns are those of its SELECT (sqlite3ViewGetColumnNames)
        for i, (cname, decl) in enumerate(_view_columns(parse.db, table)):
            rows.append((i, cname, decl or "", 0, None, 0) + ((0,) if xinfo else ()))
        names = ["cid", "name", "type", "notnull", "dflt_value", "pk"]
        _result_rows(parse, names + (["hidden"] if xinfo else []), rows)
        return
    pk_order: dict[int, int] = {}
    for i, ci in enumerate(getattr(table, "pk_columns", []) or []):
        pk_order.setdefault(ci, i + 1)
    n_hidden = 0
    for i, col in enumerate(table.columns):
        hidden = 1 if col.hidden else 0
        if getattr(col, "generated", None) is not None:
            hidden = 3 if col.stored else 2
        if hidden and not xinfo:
            n_hidden += 1
            continue
        default = None
        if getattr(col, "default_text", None) and hidden < 2:
            default = col.default_text
        row = (i - n_hidden, col.name, col.decl_type or "", 1 if col.not_null else 0, default,
               pk_order.get(i, 0))
        if xinfo:
            row = row + (hidden,)
        rows.append(row)
    names = ["cid", "name", "type", "notnull", "dflt_value", "pk"]
    if xinfo:
        names.append("hidden")
    _result_rows(parse, names, rows)


def _view_columns(db: Any, view: Any) -> list[tuple[str, str | None]]:
    """(name, declared type) of each column of ``view``."""
    from pyrite.compile import compile_statement
    from pyrite.sql.parser import parse_one
    quoted = view.name.replace('"', '""')
    sql = f'SELECT * FROM "{quoted}"'
    program = compile_statement(db, parse_one(sql, 0), sql)
    return list(zip(program.column_names, program.column_decltypes, strict=False))


def _view_width(db: Any, view: Any) -> int:
    """The number of columns of ``view``; 0 when it no longer compiles
    (a table it reads was dropped), as SQLite leaves nCol."""
    from pyrite import errors
    try:
        return len(_view_columns(db, view))
    except errors.Error:
        return 0


def _pragma_index_list(parse: Any, name: str, value: Any) -> None:
    table = _find_table(parse, value)
    if table is None:
        return
    parse.code_verify_schema(getattr(table, "db_index", 0), write=False)
    rows = []
    for i, idx in enumerate(reversed(table.indexes)):
        rows.append((i, idx.name, 1 if idx.unique else 0, idx.origin,
                     1 if idx.where is not None else 0))
    _result_rows(parse, ["seq", "name", "unique", "origin", "partial"], rows)


def _pragma_index_info(parse: Any, name: str, value: Any) -> None:
    if value is None:
        return
    index = parse.db.find_index(str(value), _schema_name(parse))
    if index is None:
        return
    parse.code_verify_schema(index.table.db_index, write=False)
    xinfo = name == "index_xinfo"
    table = index.table
    n = len(index.columns) if xinfo else index.n_key_col
    rows = []
    for i in range(n):
        c = index.columns[i]
        cname = table.columns[c].name if c >= 0 else None
        if xinfo:
            rows.append((i, c, cname, 1 if index.desc[i] else 0, index.collations[i],
                         1 if i < index.n_key_col else 0))
        else:
            rows.append((i, c, cname))
    names = ["seqno", "cid", "name"]
    if xinfo:
        names += ["desc", "coll", "key"]
    _result_rows(parse, names, rows)


def _pragma_integrity_check(parse: Any, name: str, value: Any) -> None:
    """PRAGMA integrity_check / quick_check [(N | table)]: for each database
    (or the one named) the B-tree check (IntegrityCk), then for every table
    in schema-hash order each row's NOT NULL columns and CHECK constraints,
    and (integrity_check only) its entry in every index, each UNIQUE
    index's uniqueness and each index's entry count.  One result row per
    problem, at most N (100) over all databases, else "ok"."""
    parse.set_result_columns([name], [None])
    quick = name == "quick_check"
    max_err = 100
    only = None
    pragma_db = getattr(parse, "pragma_db", None)
    if value is not None:
        n = _get_int32(value)
        if n is None:
            only = parse.db.find_table(str(value), _schema_name(parse))
            if only is None or only.is_view:
                parse.error(f"no such table: {value}")
        elif n > 0:
            max_err = n
    left = parse.alloc_reg()        # errors still to report, less one
    msg = parse.alloc_reg()
    parse.emit("Integer", max_err - 1, left)
    dbs = [pragma_db] if pragma_db is not None \
        else [i for i, slot in enumerate(parse.db.dbs) if slot.pager is not None]
    for db in dbs:
        parse.code_verify_schema(db, write=False)
        schema = parse.db.dbs[db].schema
        tables = [t for t in schema.tables_in_hash_order()
                  if not t.is_view and not t.read_only and t is not schema.schema_table
                  and (only is None or t is only)]
        roots = [1] if only is None else [0] + ([1] if only is schema.schema_table else [])
        for t in tables:
            if t.root and t.root not in roots:
                roots.append(t.root)
            for idx in t.indexes:
                if idx.root and idx.root not in roots:
                    roots.append(idx.root)
        # IntegrityCk: P1 gets the error text (NULL when fine), P3 holds one
        # less than the number of errors to report, P4 the root pages.
        parse.emit("IntegrityCk", msg, len(roots), left, roots, db)
        fine = parse.label()
        parse.emit("IsNull", msg, fine)
        prefix = parse.alloc_reg()
        parse.emit("String8", 0, prefix, 0, f"*** in database {parse.db.db_name(db)} ***\n")
        parse.emit("Concat", msg, prefix, msg)
        _integrity_row(parse, msg, left)
        parse.resolve(fine)
        for t in tables:
            _check_table_rows(parse, t, msg, left, quick)
    # "ok" when nothing was reported.
    parse.emit("AddImm", left, 1 - max_err)
    done = parse.label()
    parse.emit("IfNotZero", left, done)
    parse.emit("String8", 0, msg, 0, "ok")
    parse.emit("ResultRow", msg, 1)
    parse.resolve(done)


def _integrity_row(parse: Any, msg: int, left: int) -> None:
    """Report r[msg]; stop once the error budget is spent."""
    parse.emit("ResultRow", msg, 1)
    go_on = parse.label()
    parse.emit("IfPos", left, go_on, 1)
    parse.emit("Halt")
    parse.resolve(go_on)


_WHOLE_ENTRY = 0x02     # Found P5: vdbe/ops/cursor.py OPFLAG_WHOLE_ENTRY


def _check_table_rows(parse: Any, table: Any, msg: int, left: int, quick: bool) -> None:
    """The row-by-row part of integrity_check for one table."""
    parse.whole_table_loops = True      # (see Program.whole_table_loops)
    from pyrite.compile.build import code_index_key, code_partial_filter, resolve_on_table
    from pyrite.compile.expr import code_column, code_if_false, code_if_true
    from pyrite.compile.insert import open_table_and_indices
    from pyrite.compile.context import SrcItem, column_affinity
    from pyrite.compile.resolve import ColumnRef
    cur, idx_cursors = open_table_and_indices(parse, table, "OpenRead")
    row_no = parse.alloc_reg()
    counts = [parse.alloc_reg() for _ in table.indexes]
    parse.emit("Integer", 0, row_no)
    for c in counts:
        parse.emit("Integer", 0, c)
    empty = parse.label()
    parse.emit("Rewind", cur, empty)
    top = parse.current_addr()
    parse.emit("AddImm", row_no, 1)
    item = SrcItem(name=table.name, alias=None, table=table, cursor=cur)
    val = parse.alloc_reg()
    for i, col in enumerate(table.columns):
        if i == table.rowid_alias or not col.not_null:
            continue
        code_column(parse, ColumnRef(cursor=cur, column=i, item=item,
                                     affinity=column_affinity(col)), val)
        ok = parse.label()
        parse.emit("NotNull", val, ok)
        parse.emit("String8", 0, msg, 0, f"NULL value in {table.name}.{col.name}")
        _integrity_row(parse, msg, left)
        parse.resolve(ok)
    if table.checks and not getattr(parse.db, "ignore_check_constraints", False):
        fault, ok = parse.label(), parse.label()
        checks = [resolve_on_table(parse, table, cur, chk.expr) for chk in table.checks]
        for expr in reversed(checks[1:]):
            code_if_false(parse, expr, fault, False)
        code_if_true(parse, checks[0], ok, True)
        parse.resolve(fault)
        parse.emit("String8", 0, msg, 0, f"CHECK constraint failed in {table.name}")
        _integrity_row(parse, msg, left)
        parse.resolve(ok)
    # Indexes in SQLite's list order (newest first, REPLACE ones last).
    from pyrite.compile.insert import sqlite_index_order
    # (A WITHOUT ROWID table's PRIMARY KEY is the table itself.)
    order = [(table.indexes[k], idx_cursors[k], counts[k])
             for k in sqlite_index_order(table.indexes) if idx_cursors[k] != cur]
    if not quick:
        text = parse.alloc_reg()
        for idx, ic, count in order:
            n = len(idx.columns)
            key = parse.alloc_reg(n)
            outside = parse.label()
            code_partial_filter(parse, table, idx, cur, outside)
            code_index_key(parse, table, idx, cur, key)
            parse.emit("AddImm", count, 1)
            present = parse.label()
            # (Whole entries probed in table order: the index maps its
            # entries' positions once instead of a seek per row.)
            parse.emit("Found", ic, present, key, n, _WHOLE_ENTRY)
            parse.emit("String8", 0, msg, 0, "row ")
            parse.emit("Concat", row_no, msg, msg)
            parse.emit("String8", 0, text, 0, f" missing from index {idx.name}")
            parse.emit("Concat", text, msg, msg)
            _integrity_row(parse, msg, left)
            parse.emit("Goto", 0, outside)
            parse.resolve(present)
            if idx.unique:
                unique = parse.label()
                for k in range(idx.n_key_col):
                    c = idx.columns[k]
                    if c >= 0 and table.columns[c].not_null:
                        continue
                    parse.emit("IsNull", key + k, unique)
                parse.emit("Next", ic, parse.current_addr() + 2)
                parse.emit("Goto", 0, unique)
                parse.emit("IdxGT", ic, unique, key, idx.n_key_col)
                parse.emit("String8", 0, msg, 0, f"non-unique entry in index {idx.name}")
                _integrity_row(parse, msg, left)
                parse.resolve(unique)
            parse.resolve(outside)
    parse.emit("Next", cur, top)
    parse.resolve(empty)
    if not quick:
        n_reg = parse.alloc_reg()
        for idx, ic, count in order:
            same = parse.label()
            parse.emit("Count", ic, n_reg)
            parse.emit("Eq", count, same, n_reg, None, 0)
            parse.emit("String8", 0, msg, 0, f"wrong # of entries in index {idx.name}")
            _integrity_row(parse, msg, left)
            parse.resolve(same)
    parse.emit("Close", cur)
    for ic in idx_cursors:
        if ic != cur:
            parse.emit("Close", ic)


def _pragma_table_list(parse: Any, name: str, value: Any) -> None:
    """One row per table and view of each database (its schema table too)
    in schema-hash order; with an argument only the objects of that name
    (the schema table answers to its legacy name, sqlite_master)."""
    rows = []
    pragma_db = getattr(parse, "pragma_db", None)
    for i, slot in enumerate(parse.db.dbs):
        # TEMP is listed before its first use too (its schema table)
        if (slot.pager is None and i != 1) or pragma_db not in (None, i):
            continue
        schema = slot.schema
        for t in schema.tables_in_hash_order():
            if value is not None and fold_name(str(value)) != fold_name(t.name):
                continue
            if t is schema.schema_table:
                rows.append((slot.name, "sqlite_temp_schema" if i == 1 else "sqlite_schema",
                             "table", 5, 0, 0))
                continue
            ncol = _view_width(parse.db, t) if t.is_view else len(t.columns)
            rows.append((slot.name, t.name, "view" if t.is_view else "table", ncol,
                         1 if t.without_rowid else 0, 1 if t.strict else 0))
    _result_rows(parse, ["schema", "name", "type", "ncol", "wr", "strict"], rows)


def _pragma_database_list(parse: Any, name: str, value: Any) -> None:
    rows = [(i, slot.name, slot.path) for i, slot in enumerate(parse.db.dbs)
            if slot.pager is not None]
    _result_rows(parse, ["seq", "name", "file"], rows)


def _pragma_collation_list(parse: Any, name: str, value: Any) -> None:
    names = [c.name for c in getattr(parse.db, "collations", {}).values()] + \
        ["RTRIM", "NOCASE", "BINARY"]
    _result_rows(parse, ["seq", "name"], [(i, n) for i, n in enumerate(names)])


_HANDLERS = {
    "page_size": _pragma_page_size,
    "page_count": _pragma_page_count,
    "max_page_count": _pragma_max_page_count,
    "cache_spill": _pragma_cache_spill,
    "synchronous": _pragma_synchronous,
    "journal_mode": _pragma_journal_mode,
    "encoding": _pragma_encoding,
    "table_info": _pragma_table_info,
    "table_xinfo": _pragma_table_info,
    "index_list": _pragma_index_list,
    "index_info": _pragma_index_info,
    "index_xinfo": _pragma_index_info,
    "integrity_check": _pragma_integrity_check,
    "quick_check": _pragma_integrity_check,
    "table_list": _pragma_table_list,
    "database_list": _pragma_database_list,
    "collation_list": _pragma_collation_list,
}


def _fk_pragmas() -> None:
    from pyrite.compile import checkdef, fkey
    _HANDLERS["ignore_check_constraints"] = checkdef.pragma_ignore_check_constraints
    _HANDLERS.update({
        "foreign_keys": fkey.pragma_foreign_keys,
        "defer_foreign_keys": fkey.pragma_foreign_keys,
        "recursive_triggers": _pragma_flag,
        "count_changes": _pragma_flag,
        "foreign_key_list": fkey.pragma_foreign_key_list,
        "foreign_key_check": fkey.pragma_foreign_key_check,
    })


_fk_pragmas()



# ---------------------------------------------------------------------------
# Pragma virtual tables: pragma_<name>(arg, schema) in FROM (pragma.c's
# pragmaVtab).  The columns are the pragma's result columns plus the hidden
# "arg" (pragmas that take one) and "schema"; each VFilter runs the pragma's
# handler against the current schema and scans the rows it answers with.
# ---------------------------------------------------------------------------

# name -> (result columns, takes an argument)
_VTAB_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "table_info": (("cid", "name", "type", "notnull", "dflt_value", "pk"), True),
    "table_xinfo": (("cid", "name", "type", "notnull", "dflt_value", "pk", "hidden"), True),
    "index_list": (("seq", "name", "unique", "origin", "partial"), True),
    "index_info": (("seqno", "cid", "name"), True),
    "index_xinfo": (("seqno", "cid", "name", "desc", "coll", "key"), True),
    "table_list": (("schema", "name", "type", "ncol", "wr", "strict"), True),
    "database_list": (("seq", "name", "file"), False),
    "collation_list": (("seq", "name"), False),
    "page_size": (("page_size",), False),
    "encoding": (("encoding",), False),
    "journal_mode": (("journal_mode",), False),
    "synchronous": (("synchronous",), False),
    "foreign_key_list": (("id", "seq", "table", "from", "to", "on_update", "on_delete",
                          "match"), True),
    "foreign_key_check": (("table", "rowid", "parent", "fkid"), True),
}


class _RowCollector:
    """Stands in for Parse while a pragma handler runs at VFilter time."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.rows: list[tuple[Any, ...]] = []

    def collect_rows(self, names: list[str], rows: list[tuple[Any, ...]]) -> None:
        self.rows = list(rows)

    def code_verify_schema(self, *args: Any, **kwargs: Any) -> None:
        pass


class PragmaModule:
    """The eponymous virtual table pragma_<name>."""

    def __init__(self, db: Any, name: str) -> None:
        self.db = db
        self.pragma = name
        self.name = "pragma_" + name
        cols, has_arg = _VTAB_COLUMNS.get(name, ((name,), False))
        self.n_result = len(cols)
        self.has_arg = has_arg
        self.columns = [(c, False) for c in cols]
        if has_arg:
            self.columns.append(("arg", True))
        self.columns.append(("schema", True))

    def best_index(self, constraints: list[tuple[int, str]]) -> tuple[int, str | None,
                                                                      list[tuple[int, bool]]]:
        used: list[tuple[int, bool]] = []
        n = self.n_result
        hidden = [n] + ([n + 1] if self.has_arg else [])
        for col in hidden:
            for pos, (c, op) in enumerate(constraints):
                if c == col and op == "=":
                    used.append((pos, True))
                    break
            else:
                break
        return len(used), None, used

    def __str__(self) -> str:
        return f"vtab:{self.name}"   # VOpen's P4 in EXPLAIN

    def open(self) -> PragmaCursor:
        return PragmaCursor(self)


class PragmaCursor:
    def __init__(self, module: PragmaModule) -> None:
        self.module = module
        self.rows: list[tuple[Any, ...]] = []
        self.args: list[Any] = []
        self.pos = 0

    def filter(self, idx_num: int, idx_str: str | None, args: list[Any]) -> None:
        m = self.module
        self.pos = 0
        self.args = list(args)
        arg = args[0] if m.has_arg and args else None
        schema = args[1] if m.has_arg and len(args) > 1 else \
            (args[0] if not m.has_arg and args else None)
        self.rows = []
        if schema is not None and fold_name(str(schema)) not in ("main",):
            return
        collector = _RowCollector(m.db)
        handler = _HANDLERS.get(m.pragma)
        value = arg if not isinstance(arg, bytes) else None
        if handler is not None:
            handler(collector, m.pragma, value)
        elif m.pragma in _SETTINGS_DEFAULTS:
            _pragma_setting(collector, m.pragma, None)
        self.rows = collector.rows

    def eof(self) -> bool:
        return self.pos >= len(self.rows)

    def next(self) -> None:
        self.pos += 1

    def column(self, i: int) -> Any:
        m = self.module
        if i < m.n_result:
            row = self.rows[self.pos]
            return row[i] if i < len(row) else None
        k = i - m.n_result
        return self.args[k] if k < len(self.args) else None

    def rowid(self) -> int:
        return self.pos + 1


def pragma_module(parse: Any, name: str) -> PragmaModule | None:
    """The pragma_<name> module, or None for a pragma without one."""
    if name in _VTAB_COLUMNS or name in _SETTINGS_DEFAULTS:
        return PragmaModule(parse.db, name)
    return None


# -- function_list ------------------------------------------------------------

_FUNC_DETERMINISTIC = 0x000800    # SQLITE_DETERMINISTIC
_FUNC_DIRECTONLY = 0x080000       # SQLITE_DIRECTONLY
_FUNC_SUBTYPE = 0x100000          # SQLITE_SUBTYPE
_FUNC_INNOCUOUS = 0x200000        # SQLITE_INNOCUOUS


def _function_row(fd: Any, builtin: int) -> tuple[Any, ...]:
    """One row of PRAGMA function_list: name, builtin, type ('s' scalar, 'w'
    aggregate/window: SQLite's built-in aggregates are all window-capable),
    enc, narg, flags (the SQLITE_* function flags SQLite reports)."""
    from pyrite.vdbe.functions import AGGREGATE, DETERMINISTIC, WINDOW, WINDOW_ONLY
    agg = bool(fd.flags & (AGGREGATE | WINDOW | WINDOW_ONLY))
    kind = "w" if agg else "s"
    name = fd.name
    if not builtin:
        flags = _FUNC_DETERMINISTIC if fd.flags & DETERMINISTIC and not agg else 0
        if agg:
            kind = "a"
    elif name.startswith("json") or name in ("->", "->>"):
        # the json functions are not innocuous; the aggregates carry SUBTYPE
        flags = _FUNC_SUBTYPE | _FUNC_DETERMINISTIC if agg else _FUNC_DETERMINISTIC
    elif name == "load_extension":
        flags = _FUNC_DIRECTONLY
    elif name.startswith("sqlite_"):
        flags = _FUNC_INNOCUOUS   # registered as constant per statement, not deterministic
    else:
        flags = _FUNC_INNOCUOUS
        if fd.flags & DETERMINISTIC and not agg:
            flags |= _FUNC_DETERMINISTIC
    return (name, builtin, kind, "utf8", fd.n_arg, flags)


def _pragma_function_list(parse: Any, name: str, value: Any) -> None:
    from pyrite.vdbe.functions import BUILTINS
    rows = [_function_row(fd, 1) for fd in BUILTINS.values()]
    user = getattr(parse.db, "functions", None) or {}
    rows += [_function_row(fd, 0) for fd in user.values()]
    _result_rows(parse, ["name", "builtin", "type", "enc", "narg", "flags"], rows)


_HANDLERS["function_list"] = _pragma_function_list
_VTAB_COLUMNS["function_list"] = (("name", "builtin", "type", "enc", "narg", "flags"), False)
