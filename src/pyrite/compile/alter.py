"""Compiler layer: ALTER TABLE (RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN).

SQLite's counterpart is ``alter.c`` (sqlite3AlterRenameTable,
sqlite3AlterFinishAddColumn).  SQLite edits the stored ``CREATE`` text of
the affected schema rows token by token, keeping everything else byte for
byte; this module does the same edit at compile time (the new texts are
computed here from the in-memory schema) and emits a program that rewrites
those ``sqlite_schema`` rows in place, bumps the schema cookie and reloads
the schema.

RENAME COLUMN edits the table, its indexes and other tables' REFERENCES
lists; DROP COLUMN edits the table's text and rewrites every row.  Not done
yet (see docs/known-differences.md):
and the rewriting of views and triggers that mention a renamed table.
"""

from __future__ import annotations

from typing import Any

from pyrite import errors
from pyrite.compile.build import ddl_db
from pyrite.compile.build import (OPFLAG_ISUPDATE, SCHEMA_N_COLUMNS, begin_write_ddl,
                                  change_cookie, check_object_name, check_schema,
                                  name_in_use, open_schema_table)
from pyrite.sql import ast
from pyrite.sql.lexer import tokenize


def _dequote(text: str) -> str:
    """The name an identifier token spells (quotes removed)."""
    if len(text) >= 2 and text[0] in "\"'`[":
        close = "]" if text[0] == "[" else text[0]
        body = text[1:-1]
        return body if close == "]" else body.replace(close * 2, close)
    return text


def _quote(name: str) -> str:
    """A new name as renameEditSql writes it: always double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def _is_name_token(tok: Any) -> bool:
    return tok.kind not in ("(", ")", ",", ";", ".") and (
        tok.text[:1].isalpha() or tok.text[:1] in "\"'`[_" or ord(tok.text[:1]) > 127)


def _edit(sql: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, replacement) edits to ``sql``."""
    out = []
    pos = 0
    for start, end, text in sorted(edits):
        out.append(sql[pos:start])
        out.append(text)
        pos = end
    out.append(sql[pos:])
    return "".join(out)


def _name_token_after(toks: list[Any], i: int) -> int:
    """Index of the object-name token of a CREATE statement whose kind keyword
    (TABLE, INDEX, VIEW) is at ``i``: skips IF NOT EXISTS and ``schema.``."""
    i += 1
    if i + 2 < len(toks) and toks[i].kind == "IF" and toks[i + 1].kind == "NOT":
        i += 3
    if i + 1 < len(toks) and toks[i + 1].kind == ".":
        i += 2
    return i


def _rename_edits(sql: str, kind: str, own: bool, old: str, new: str) -> list[tuple[int, int, str]]:
    """Token edits that rename table ``old`` to ``new`` in one CREATE text."""
    toks = list(tokenize(sql))
    edits: list[tuple[int, int, str]] = []
    low = old.lower()
    quoted = _quote(new)
    first_on = next((i for i, t in enumerate(toks) if t.kind == "ON"), -1)
    for i, tok in enumerate(toks):
        if kind == "trigger" and i == first_on and own:
            # CREATE TRIGGER ... ON [schema.]table: the table it fires on.
            j = i + 1
            if j + 1 < len(toks) and toks[j + 1].kind == ".":
                j += 2
            if j < len(toks) and _dequote(toks[j].text).lower() == low:
                edits.append((toks[j].start, toks[j].end, quoted))
        elif tok.kind in ("TABLE", "VIEW") and own and i <= 3:
            j = _name_token_after(toks, i)
            if j < len(toks) and _dequote(toks[j].text).lower() == low:
                edits.append((toks[j].start, toks[j].end, quoted))
        elif tok.kind == "ON" and kind == "index":
            j = i + 1
            if j + 1 < len(toks) and toks[j + 1].kind == ".":
                j += 2
            if j < len(toks) and _dequote(toks[j].text).lower() == low:
                edits.append((toks[j].start, toks[j].end, quoted))
        elif tok.kind == "REFERENCES" and kind == "table":
            j = i + 1
            if j < len(toks) and _is_name_token(toks[j]) \
                    and _dequote(toks[j].text).lower() == low:
                edits.append((toks[j].start, toks[j].end, quoted))
    return edits


def code_alter_table(parse: Any, stmt: ast.AlterTable, text: str) -> None:
    """ALTER TABLE: dispatch on the action."""
    check_schema(parse, stmt.schema)
    table = parse.db.find_table(stmt.table, stmt.schema)
    if table is None:
        parse.error(f"no such table: {stmt.table}")
    parse.ddl_db = table.db_index
    action = stmt.action
    if table.name.lower().startswith("sqlite_") or table.read_only:
        parse.error(f"table {table.name} may not be altered")
    if isinstance(action, ast.RenameTable):
        _code_rename_table(parse, table, action.new_name)
    elif isinstance(action, ast.AddColumn):
        _code_add_column(parse, table, action.column, text)
    elif isinstance(action, ast.RenameColumn):
        _code_rename_column(parse, table, action.old_name, action.new_name, text)
    else:
        _code_drop_column(parse, table, action.name)


def _schema_rows(parse: Any) -> list[tuple[str, str, str, int, str | None]]:
    """(type, name, tbl_name, rootpage, sql) of every object in the schema."""
    schema = parse.db.dbs[ddl_db(parse)].schema
    rows: list[tuple[str, str, str, int, str | None]] = []
    for t in schema.tables.values():
        if getattr(t, "is_view", False):
            continue
        rows.append(("table", t.name, t.name, t.root, t.sql))
        for idx in t.indexes:
            rows.append(("index", idx.name, t.name, idx.root, idx.sql))
    for v in schema.views.values():
        rows.append(("view", v.name, v.name, 0, v.sql))
    return rows


def _code_rename_table(parse: Any, table: Any, new: str) -> None:
    """ALTER TABLE t RENAME TO u (sqlite3AlterRenameTable)."""
    if name_in_use(parse, new) is not None:
        parse.error(f"there is already another table or index with this name: {new}")
    check_object_name(parse, new, "table")
    old = table.name
    low = old.lower()
    updates: list[tuple[str, tuple[str, str, str, int, str | None]]] = []
    for type_, name, tbl_name, root, sql in _schema_rows(parse):
        own = tbl_name.lower() == low
        new_name, new_tbl = name, tbl_name
        if own:
            new_tbl = new
            if type_ in ("table", "view"):
                new_name = new
            elif name.lower().startswith("sqlite_autoindex_"):
                new_name = "sqlite_autoindex_" + new + name[len("sqlite_autoindex_") + len(old):]
        new_sql = sql
        if sql is not None and (own or type_ == "table"):
            edits = _rename_edits(sql, type_, own, old, new)
            if edits:
                new_sql = _edit(sql, edits)
        if (new_name, new_tbl, new_sql) != (name, tbl_name, sql):
            updates.append((name, (type_, new_name, new_tbl, root, new_sql)))
    temp_updates = _temp_trigger_renames(parse, table, old, new)
    begin_write_ddl(parse)
    _code_rewrite_rows(parse, updates)
    seq = parse.db.find_table("sqlite_sequence", parse.db.db_name(ddl_db(parse)))
    if seq is not None and table.autoincrement:
        _code_rename_sequence(parse, seq.root, old, new)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
    if temp_updates:
        own_db = parse.ddl_db
        parse.code_verify_schema(1, write=True)
        parse.ddl_db = 1
        _code_rewrite_rows(parse, temp_updates)
        change_cookie(parse)
        parse.emit("ParseSchema", 1, 0, 0, None)
        parse.ddl_db = own_db
    parse.finish_coding()


def _temp_trigger_renames(parse: Any, table: Any, old: str, new: str
                          ) -> list[tuple[str, tuple[str, str, str, int, str | None]]]:
    """The rewritten temp-schema rows of the TEMP triggers on a table of
    another database that RENAME TO renames (they follow the table)."""
    if ddl_db(parse) == 1:
        return []
    from pyrite.compile.trigger import table_triggers
    out: list[tuple[str, tuple[str, str, str, int, str | None]]] = []
    for trig in table_triggers(parse, table):
        if trig.db_index != 1 or trig.sql is None:
            continue
        edits = _rename_edits(trig.sql, "trigger", True, old, new)
        new_sql = _edit(trig.sql, edits) if edits else trig.sql
        out.append((trig.name, ("trigger", trig.name, new, 0, new_sql)))
    return out


def _code_rewrite_rows(parse: Any, updates: list[tuple[str, tuple[str, str, str, int, str | None]]]
                       ) -> None:
    """Overwrite the sqlite_schema rows named in ``updates`` with new rows."""
    if not updates:
        return
    cursor = open_schema_table(parse)
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    nxt = parse.label()
    name_reg = parse.alloc_reg()
    want = parse.alloc_reg()
    rowid = parse.alloc_reg()
    base = parse.alloc_reg(SCHEMA_N_COLUMNS)
    rec = parse.alloc_reg()
    parse.emit("Column", cursor, 1, name_reg)
    for old_name, (type_, name, tbl_name, root, sql) in updates:
        skip = parse.label()
        parse.emit("String8", 0, want, 0, old_name)
        parse.emit("Ne", want, skip, name_reg, None, 0x10)
        parse.emit("Rowid", cursor, rowid)
        parse.emit("String8", 0, base, 0, type_)
        parse.emit("String8", 0, base + 1, 0, name)
        parse.emit("String8", 0, base + 2, 0, tbl_name)
        parse.emit("Integer", root or 0, base + 3)
        if sql is None:
            parse.emit("Null", 0, base + 4)
        else:
            parse.emit("String8", 0, base + 4, 0, sql)
        parse.emit("MakeRecord", base, SCHEMA_N_COLUMNS, rec, "BBBDB")
        parse.emit("Insert", cursor, rec, rowid, None, OPFLAG_ISUPDATE)
        parse.emit("Goto", 0, nxt)
        parse.resolve(skip)
    parse.resolve(nxt)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    parse.emit("Close", cursor)


def _code_rename_sequence(parse: Any, root: int, old: str, new: str) -> None:
    """UPDATE sqlite_sequence SET name = new WHERE name = old."""
    cursor = parse.alloc_cursor()
    parse.emit("OpenWrite", cursor, root, ddl_db(parse), 2)
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    skip = parse.label()
    reg = parse.alloc_reg()
    want = parse.alloc_reg()
    rowid = parse.alloc_reg()
    base = parse.alloc_reg(2)
    rec = parse.alloc_reg()
    parse.emit("Column", cursor, 0, reg)
    parse.emit("String8", 0, want, 0, old)
    parse.emit("Ne", want, skip, reg, None, 0x10)
    parse.emit("Rowid", cursor, rowid)
    parse.emit("String8", 0, base, 0, new)
    parse.emit("Column", cursor, 1, base + 1)
    parse.emit("MakeRecord", base, 2, rec)
    parse.emit("Insert", cursor, rec, rowid, None, OPFLAG_ISUPDATE)
    parse.resolve(skip)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    parse.emit("Close", cursor)


# ---------------------------------------------------------------------------
# ADD COLUMN
# ---------------------------------------------------------------------------

def _is_constant_default(expr: ast.Expr) -> bool:
    """Whether sqlite3ValueFromExpr can evaluate ``expr`` (literals, signed
    literals and CASTs of those)."""
    if isinstance(expr, ast.Literal):
        return True
    if isinstance(expr, ast.Unary) and expr.op in ("-", "+"):
        return _is_constant_default(expr.operand)
    if isinstance(expr, ast.Cast):
        return _is_constant_default(expr.expr)
    return False


def _add_column_offset(sql: str) -> int:
    """Where SQLite inserts a new column into a CREATE TABLE text: at the
    comma before the first table constraint, else at the closing paren."""
    toks = list(tokenize(sql))
    depth = 0
    for i, tok in enumerate(toks):
        if tok.kind == "(":
            depth += 1
        elif tok.kind == ")":
            depth -= 1
            if depth == 0:
                return tok.start
        elif tok.kind == "," and depth == 1 and i + 1 < len(toks) \
                and toks[i + 1].kind in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
            return tok.start
    return len(sql)


def _column_text(text: str) -> str:
    """The column definition of ``ALTER TABLE ... ADD [COLUMN] def`` as written,
    without trailing blanks and semicolons."""
    toks = list(tokenize(text))
    for i, tok in enumerate(toks):
        if tok.kind == "ADD":
            j = i + 1
            if j < len(toks) and toks[j].kind == "COLUMN":
                j += 1
            ends = [t.end for t in toks[j:] if t.kind != ";"]
            return text[toks[j].start:max(ends)] if ends else ""
    return ""


def _code_add_column(parse: Any, table: Any, col: ast.ColumnDef, text: str) -> None:
    """ALTER TABLE t ADD [COLUMN] def (sqlite3AlterFinishAddColumn)."""
    if table.is_view:
        parse.error("Cannot add a column to a view")
    if any(c.name.lower() == col.name.lower() for c in table.columns):
        parse.error(f"duplicate column name: {col.name}")
    default = None
    not_null = False
    generated = False
    for c in col.constraints:
        if isinstance(c, ast.PrimaryKeyConstraint):
            parse.error("Cannot add a PRIMARY KEY column")
        if isinstance(c, ast.UniqueConstraint):
            parse.error("Cannot add a UNIQUE column")
        if isinstance(c, ast.DefaultConstraint):
            default = c.expr
        if isinstance(c, ast.NotNullConstraint):
            not_null = True
        if isinstance(c, ast.ForeignKeyConstraint) and len(c.clause.columns) > 1:
            parse.error(f"foreign key on {col.name} should reference only one column "
                        f"of table {c.clause.table}")
        if isinstance(c, ast.GeneratedConstraint):
            if c.stored:
                parse.error("cannot add a STORED column")
            generated = True
    if isinstance(default, ast.Literal) and default.value is None:
        default = None
    if table.strict:
        decl = col.type_name
        if not decl:
            parse.error(f"error in table {table.name} after add column: "
                        f"missing datatype for {table.name}.{col.name}")
        if decl.upper() not in ("INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"):
            parse.error(f"error in table {table.name} after add column: "
                        f'unknown datatype for {table.name}.{col.name}: "{decl}"')
    # These two are errors only when the table has rows (sqlite3ErrorIfNotEmpty).
    if_not_empty = None
    if default is not None and not _is_constant_default(default):
        if_not_empty = "Cannot add a column with non-constant default"
    if not_null and default is None and not generated:
        if_not_empty = "Cannot add a NOT NULL column with default value NULL"
    if default is not None and getattr(parse.db, "foreign_keys", False) and \
            any(isinstance(c, ast.ForeignKeyConstraint) for c in col.constraints):
        if_not_empty = "Cannot add a REFERENCES column with non-NULL default value"
    sql = table.sql
    offset = _add_column_offset(sql)
    new_sql = f"{sql[:offset]}, {_column_text(text)}{sql[offset:]}"
    new_table = None
    if generated:
        from pyrite.compile import gencol
        new_table = gencol.check_altered_table(parse, table, new_sql, "add column")
    begin_write_ddl(parse)
    if if_not_empty is not None:
        _code_error_if_not_empty(parse, table, if_not_empty)
    if new_table is not None and (new_table.checks or not_null):
        gencol.code_added_column_check(parse, table, new_table)
    _code_rewrite_rows(parse, [(table.name, ("table", table.name, table.name, table.root,
                                             new_sql))])
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
    parse.finish_coding()


# ---------------------------------------------------------------------------
# RENAME COLUMN
# ---------------------------------------------------------------------------

def _column_edits(sql: str, kind: str, table: str, old: str, replace: Any
                  ) -> list[tuple[int, int, str]]:
    """Edits renaming column ``old`` of ``table`` in one CREATE text: in the
    table's own text and its indexes every identifier naming the column
    (except inside REFERENCES lists of other tables); in other tables only the
    column lists of ``REFERENCES table(...)``."""
    toks = list(tokenize(sql))
    low, tlow = old.lower(), table.lower()
    edits: list[tuple[int, int, str]] = []
    own = kind != "other"
    i = 0
    # The object-name token (and an index's ON table) never names the column.
    skip_tokens: set[int] = set()
    for j, tok in enumerate(toks[:6]):
        if tok.kind in ("TABLE", "INDEX"):
            skip_tokens.add(_name_token_after(toks, j))
            break
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "ON" and kind == "index" and i + 1 < len(toks):
            skip_tokens.add(i + 1)
        if tok.kind == "REFERENCES" and i + 1 < len(toks):
            target = _dequote(toks[i + 1].text).lower()
            j = i + 2
            if j < len(toks) and toks[j].kind == "(":
                depth = 0
                while j < len(toks):
                    t = toks[j]
                    if t.kind == "(":
                        depth += 1
                    elif t.kind == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    elif target == tlow and t.kind == "ID" and _dequote(t.text).lower() == low:
                        edits.append((t.start, t.end, replace(t.text)))
                    j += 1
            i = j + 1
            continue
        if own and i not in skip_tokens and tok.kind == "ID" \
                and _dequote(tok.text).lower() == low \
                and not (i > 0 and toks[i - 1].kind == "COLLATE") \
                and not (i + 1 < len(toks) and toks[i + 1].kind == "."):
            edits.append((tok.start, tok.end, replace(tok.text)))
        i += 1
    return edits


def _code_rename_column(parse: Any, table: Any, old: str, new: str, text: str) -> None:
    """ALTER TABLE t RENAME [COLUMN] a TO b (sqlite3AlterRenameColumn)."""
    if table.is_view:
        parse.error(f'cannot rename columns of view "{table.name}"')
    idx = next((k for k, c in enumerate(table.columns) if c.name.lower() == old.lower()), None)
    if idx is None:
        parse.error(f'no such column: "{old}"')
    names = [c.name for c in table.columns]
    names[idx] = new
    seen: set[str] = set()
    for n in names:
        if n.lower() in seen:
            parse.error(f"error in table {table.name} after rename: duplicate column name: {n}")
        seen.add(n.lower())
    toks = [t for t in tokenize(text) if t.kind not in (";", "EOF")]
    quote_always = bool(toks) and toks[-1].text[:1] in "\"'`["

    def replace(token_text: str) -> str:
        if not quote_always and token_text[:1] not in "\"'`[":
            return new
        return _quote(new)

    low = table.name.lower()
    updates: list[tuple[str, tuple[str, str, str, int, str | None]]] = []
    for type_, name, tbl_name, root, sql in _schema_rows(parse):
        if sql is None or type_ == "view":
            continue
        if tbl_name.lower() == low:
            kind = type_
        elif type_ == "table":
            kind = "other"
        else:
            continue
        edits = _column_edits(sql, kind, table.name, old, replace)
        if edits:
            updates.append((name, (type_, name, tbl_name, root, _edit(sql, edits))))
    begin_write_ddl(parse)
    _code_rewrite_rows(parse, updates)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
    parse.finish_coding()


def _code_error_if_not_empty(parse: Any, table: Any, message: str) -> None:
    """Fail with ``message`` when ``table`` has a row (sqlite3ErrorIfNotEmpty)."""
    cursor = parse.alloc_cursor()
    parse.emit("OpenRead", cursor, table.root, ddl_db(parse), 1)
    empty = parse.label()
    parse.emit("Rewind", cursor, empty)
    parse.emit("Halt", errors.SQLITE_ERROR, 2, 0, message)
    parse.resolve(empty)
    parse.emit("Close", cursor)


# ---------------------------------------------------------------------------
# DROP COLUMN
# ---------------------------------------------------------------------------

def _column_def_starts(sql: str) -> list[int]:
    """Offsets of the column definitions (their name tokens) in a CREATE
    TABLE text, in order, up to the first table constraint."""
    toks = list(tokenize(sql))
    starts: list[int] = []
    depth = 0
    expect = False
    for tok in toks:
        if tok.kind == "(":
            depth += 1
            if depth == 1 and not starts and not expect:
                expect = True
                continue
        elif tok.kind == ")":
            depth -= 1
            if depth == 0:
                break
        elif tok.kind == "," and depth == 1:
            expect = True
            continue
        if expect and depth == 1:
            if tok.kind in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
                break
            starts.append(tok.start)
        expect = False
    return starts


def _code_drop_column(parse: Any, table: Any, name: str) -> None:
    """ALTER TABLE t DROP [COLUMN] a (sqlite3AlterDropColumn)."""
    if table.is_view:
        parse.error(f'cannot drop column from view "{table.name}"')
    col = next((k for k, c in enumerate(table.columns) if c.name.lower() == name.lower()), None)
    if col is None:
        parse.error(f'no such column: "{name}"')
    cname = table.columns[col].name
    if table.columns[col].primary_key or col in getattr(table, "pk_columns", []):
        parse.error(f'cannot drop PRIMARY KEY column: "{cname}"')
    sql = table.sql
    starts = _column_def_starts(sql)
    end = starts[col + 1] if col + 1 < len(starts) else _add_column_offset(sql)
    if any(t.kind == "UNIQUE" for t in tokenize(sql[starts[col]:end])):
        parse.error(f'cannot drop UNIQUE column: "{cname}"')
    if len(table.columns) <= 1:
        parse.error(f'cannot drop column "{cname}": no other columns exist')
    if col + 1 < len(starts):
        new_sql = sql[:starts[col]] + sql[starts[col + 1]:]
    else:
        start = sql.rfind(",", 0, starts[col])
        new_sql = sql[:start] + sql[_add_column_offset(sql):]
    # The remaining text (table constraints) and the indexes must not name it.
    if any(t.kind == "ID" and _dequote(t.text).lower() == cname.lower()
           for t in tokenize(new_sql[_add_column_offset(new_sql):])):
        parse.error(f"error in table {table.name} after drop column: no such column: {cname}")
    for idx in table.indexes:
        if not idx.is_auto and col in idx.columns:
            parse.error(f"error in index {idx.name} after drop column: no such column: {cname}")
    from pyrite.compile import gencol
    gencol.check_altered_table(parse, table, new_sql, "drop column")
    begin_write_ddl(parse)
    _code_rewrite_rows(parse, [(table.name, ("table", table.name, table.name, table.root,
                                             new_sql))])
    # Rewrite every row's record without the column.
    cursor = parse.alloc_cursor()
    n = len(table.columns)
    parse.emit("OpenWrite", cursor, table.root, ddl_db(parse), n)
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    rowid = parse.alloc_reg()
    base = parse.alloc_reg(n - 1)
    rec = parse.alloc_reg()
    parse.emit("Rowid", cursor, rowid)
    from pyrite.compile.expr import _default_value
    from pyrite.compile import gencol
    k = 0
    for i, c in enumerate(table.columns):
        if i == col or gencol.is_virtual(c):
            continue
        if i == table.rowid_alias:
            parse.emit("Null", 0, base + k)
        else:
            parse.emit("Column", cursor, gencol.storage_column(table, i), base + k,
                       _default_value(c.default))
        k += 1
    parse.emit("MakeRecord", base, k, rec)
    parse.emit("Insert", cursor, rec, rowid, None, OPFLAG_ISUPDATE)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    parse.emit("Close", cursor)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
    parse.finish_coding()
