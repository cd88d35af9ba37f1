"""Compiler layer: ALTER TABLE (RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN).

SQLite's counterpart is ``alter.c`` (sqlite3AlterRenameTable,
sqlite3AlterFinishAddColumn).  SQLite edits the stored ``CREATE`` text of
the affected schema rows token by token, keeping everything else byte for
byte; this module does the same edit at compile time (the new texts are
computed here from the in-memory schema) and emits a program that rewrites
those ``sqlite_schema`` rows in place, bumps the schema cookie and reloads
the schema.

RENAME COLUMN edits the table, its indexes and other tables' REFERENCES
lists; DROP COLUMN edits the table's text and rewrites every row.  Views and
triggers are re-parsed and resolved by :mod:`pyrite.compile.rename`, which
finds exactly the tokens naming the renamed table or column; every view and
trigger is also checked against the schema before and after the change
(SQLite's renameTestSchema), so a change that would leave one unresolvable
fails with "error in view v ...".  RENAME/DROP COLUMN also turn double-quoted
names that are string literals into single-quoted strings, as SQLite 3.40's
sqlite_rename_quotefix does.  See docs/known-differences.md for the gaps.
"""

from __future__ import annotations
from pyrite.values import fold_name

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
    low = fold_name(old)
    quoted = _quote(new)
    first_on = next((i for i, t in enumerate(toks) if t.kind == "ON"), -1)
    for i, tok in enumerate(toks):
        if kind == "trigger" and i == first_on and own:
            # CREATE TRIGGER ... ON [schema.]table: the table it fires on.
            j = i + 1
            if j + 1 < len(toks) and toks[j + 1].kind == ".":
                j += 2
            if j < len(toks) and fold_name(_dequote(toks[j].text)) == low:
                edits.append((toks[j].start, toks[j].end, quoted))
        elif tok.kind in ("TABLE", "VIEW") and own and i <= 3:
            j = _name_token_after(toks, i)
            if j < len(toks) and fold_name(_dequote(toks[j].text)) == low:
                edits.append((toks[j].start, toks[j].end, quoted))
        elif tok.kind == "ON" and kind == "index":
            j = i + 1
            if j + 1 < len(toks) and toks[j + 1].kind == ".":
                j += 2
            if j < len(toks) and fold_name(_dequote(toks[j].text)) == low:
                edits.append((toks[j].start, toks[j].end, quoted))
        elif tok.kind == "REFERENCES" and kind == "table":
            j = i + 1
            if j < len(toks) and _is_name_token(toks[j]) \
                    and fold_name(_dequote(toks[j].text)) == low:
                edits.append((toks[j].start, toks[j].end, quoted))
    if own and kind in ("table", "index"):
        edits += _qualified_ref_edits(sql, old, quoted)
    return edits


def _qualified_ref_edits(sql: str, old: str, quoted: str) -> list[tuple[int, int, str]]:
    """``old.col`` in the table's own CHECK constraints or an index's WHERE
    (renameTableFunc walks those): the qualifier becomes the new name."""
    from pyrite.compile.resolve import walk
    from pyrite.sql.parser import parse_with_spans
    try:
        stmt, spans = parse_with_spans(sql)
    except Exception:  # noqa: BLE001 - a text we cannot parse is left as is
        return []
    exprs: list[Any] = []
    if isinstance(stmt, ast.CreateTable):
        for cdef in stmt.columns:
            exprs.extend(c.expr for c in cdef.constraints if isinstance(c, ast.CheckConstraint))
        exprs.extend(c.expr for c in stmt.constraints if isinstance(c, ast.CheckConstraint))
    elif isinstance(stmt, ast.CreateIndex) and stmt.where is not None:
        exprs.append(stmt.where)
    edits: list[tuple[int, int, str]] = []

    def visit(e: Any) -> None:
        if isinstance(e, ast.Column) and e.table is not None \
                and fold_name(e.table) == fold_name(old):
            entry = spans.get(id(e))
            if entry is not None and entry[0] is e and len(entry[1]) >= 2:
                tok = entry[1][-2]
                edits.append((tok.start, tok.end, quoted))
    for e in exprs:
        walk(e, visit)
    return edits


def code_alter_table(parse: Any, stmt: ast.AlterTable, text: str) -> None:
    """ALTER TABLE: dispatch on the action."""
    check_schema(parse, stmt.schema)
    table = parse.db.find_table(stmt.table, stmt.schema)
    if table is None:
        parse.error(f"no such table: {stmt.table}")
    parse.ddl_db = table.db_index
    action = stmt.action
    if fold_name(table.name).startswith("sqlite_") or table.read_only:
        parse.error(f"table {table.name} may not be altered")
    if isinstance(action, ast.RenameTable):
        if table.is_view:
            parse.error(f"view {table.name} may not be altered")
        _code_rename_table(parse, table, action.new_name)
    elif isinstance(action, ast.AddColumn):
        _code_add_column(parse, table, action.column, text)
    elif isinstance(action, ast.RenameColumn):
        _code_rename_column(parse, table, action.old_name, action.new_name, text)
    else:
        _code_drop_column(parse, table, action.name, text)


def _schema_rows(parse: Any, db_index: int | None = None
                 ) -> list[tuple[str, str, str, int, str | None]]:
    """(type, name, tbl_name, rootpage, sql) of every object in the schema
    of database ``db_index`` (the altered table's by default)."""
    schema = parse.db.dbs[ddl_db(parse) if db_index is None else db_index].schema
    rows: list[tuple[str, str, str, int, str | None]] = []
    for t in schema.tables.values():
        if getattr(t, "is_view", False):
            continue
        rows.append(("table", t.name, t.name, t.root, t.sql))
        for idx in t.indexes:
            rows.append(("index", idx.name, t.name, idx.root, idx.sql))
    for v in schema.views.values():
        rows.append(("view", v.name, v.name, 0, v.sql))
    for trig in getattr(schema, "triggers", {}).values():
        rows.append(("trigger", trig.name, trig.table, 0, trig.sql))
    return rows


def _dependent_dbs(parse: Any) -> list[int]:
    """The databases whose views and triggers an ALTER TABLE resolves and
    rewrites: the table's own, and TEMP, whose objects may name a table of
    any database (SQLite's second UPDATE of temp.sqlite_master)."""
    own = ddl_db(parse)
    return [own] if own == 1 else [own, 1]


def _dependents(parse: Any) -> list[tuple[int, str, str, str, str]]:
    """(database, type, name, tbl_name, sql) of every view and trigger."""
    return [(db, type_, name, tbl_name, sql) for db in _dependent_dbs(parse)
            for type_, name, tbl_name, _root, sql in _schema_rows(parse, db)
            if type_ in ("view", "trigger") and sql is not None]


def _dep_key(db: int, type_: str, name: str) -> str:
    return f"{db}:{type_}:{fold_name(name)}"


def _catalogs(parse: Any) -> dict[str, Any]:
    """The resolver's view of every database, by lower-case name."""
    from pyrite.compile.rename import catalog_of
    return {fold_name(slot.name): catalog_of(slot.schema, slot.name) for slot in parse.db.dbs}


def _resolver(parse: Any, catalogs: dict[str, Any], db: int, target: Any) -> Any:
    """A resolver for an object of database ``db``: a TEMP object finds
    unqualified tables in every database (temp, main, attached), any other
    in its own."""
    from pyrite.compile.rename import Resolver
    name = parse.db.db_name(db)
    search = tuple(fold_name(parse.db.db_name(i)) for i in parse.db.search_order()) \
        if db == 1 else ()
    return Resolver(catalogs[fold_name(name)], target, catalogs, name, search)


def _target(parse: Any, table: str, column: str | None = None) -> Any:
    from pyrite.compile.rename import Target
    return Target(table, column, parse.db.db_name(ddl_db(parse)))


def _string_literal(token_text: str) -> str:
    """A double-quoted name as the single-quoted string it stands for."""
    return "'" + _dequote(token_text).replace("'", "''") + "'"


def _resolve_dependents(parse: Any, catalogs: dict[str, Any], target: Any,
                        replace: Any, quotefix: bool = False) -> dict[str, str]:
    """Resolve every view and trigger against ``catalogs`` (the schema before
    the change), failing as SQLite does when one does not resolve; returns
    the new text of those that name ``target`` (keyed by _dep_key).
    With ``quotefix`` (RENAME COLUMN, DROP COLUMN) double-quoted names that
    are string literals become single-quoted, as SQLite 3.40 does."""
    from pyrite.compile.rename import RenameError
    out: dict[str, str] = {}
    for db, type_, name, _tbl, sql in _dependents(parse):
        resolver = _resolver(parse, catalogs, db, target)
        try:
            resolver.resolve_sql(sql)
        except RenameError as exc:
            parse.error(f"error in {type_} {name}: {exc}")
        edits = [(t.start, t.end, replace(t.text)) for t in resolver.tokens()]
        if quotefix:
            edits += [(t.start, t.end, _string_literal(t.text))
                      for t in resolver.string_tokens()]
        if edits:
            out[_dep_key(db, type_, name)] = _edit(sql, edits)
    return out


def _dependent_updates(parse: Any, texts: dict[str, str], db: int | None = None,
                       table_renames: tuple[str, str] | None = None,
                       ) -> list[tuple[str, tuple[str, str, str, int, str | None]]]:
    """Schema-row rewrites giving the views and triggers of database ``db``
    (the altered table's by default) their new ``texts``; with
    ``table_renames`` (old, new) a trigger on the renamed table also gets
    its new tbl_name."""
    db = ddl_db(parse) if db is None else db
    out = []
    for d, type_, name, tbl, _sql in _dependents(parse):
        key = _dep_key(d, type_, name)
        if d != db:
            continue
        new_tbl = tbl
        if table_renames is not None and type_ == "trigger" \
                and fold_name(tbl) == fold_name(table_renames[0]) and d != ddl_db(parse):
            new_tbl = table_renames[1]
        if key in texts or new_tbl != tbl:
            out.append((name, (type_, name, new_tbl, 0, texts.get(key, _sql))))
    return out


def _recheck_temp_dependents(parse: Any, catalogs: dict[str, Any],
                             texts: dict[str, str]) -> None:
    """RENAME COLUMN of a TEMP table: SQLite 3.40 rewrites the temp schema's
    views and triggers a second time (its statement for other databases'
    TEMP dependents runs on temp too), resolving the already rewritten text
    against the schema as it was; a reference to the new name then fails."""
    from pyrite.compile.rename import RenameError
    for db, type_, name, _tbl, sql in _dependents(parse):
        try:
            _resolver(parse, catalogs, db, None).resolve_sql(
                texts.get(_dep_key(db, type_, name), sql))
        except RenameError as exc:
            parse.error(f"error in {type_} {name}: {exc}")


def _check_dependents(parse: Any, catalogs: dict[str, Any], texts: dict[str, str],
                      when: str) -> None:
    """Re-resolve every view and trigger (with their new ``texts``) against
    ``catalogs``, the schema after the change (renameTestSchema)."""
    from pyrite.compile.rename import RenameError, view_entry
    deps = [(db, type_, name, texts.get(_dep_key(db, type_, name), sql))
            for db, type_, name, _tbl, sql in _dependents(parse)]
    for db, type_, name, sql in deps:
        if type_ == "view":
            catalog = catalogs[fold_name(parse.db.db_name(db))]
            entry = view_entry(catalog[fold_name(name)].name if fold_name(name) in catalog
                               else name, sql, parse.db.db_name(db))
            if entry is not None and fold_name(name) in catalog:
                catalog[fold_name(name)] = entry
    for db, type_, name, sql in deps:
        try:
            _resolver(parse, catalogs, db, None).resolve_sql(sql)
        except RenameError as exc:
            parse.error(f"error in {type_} {name} {when}: {exc}")


def _code_rename_table(parse: Any, table: Any, new: str) -> None:
    """ALTER TABLE t RENAME TO u (sqlite3AlterRenameTable)."""
    if name_in_use(parse, new) is not None:
        parse.error(f"there is already another table or index with this name: {new}")
    check_object_name(parse, new, "table")
    old = table.name
    low = fold_name(old)
    catalogs = _catalogs(parse)
    catalog = catalogs[fold_name(parse.db.db_name(ddl_db(parse)))]
    texts = _resolve_dependents(parse, catalogs, _target(parse, old), lambda _text: _quote(new))
    updates: list[tuple[str, tuple[str, str, str, int, str | None]]] = []
    for type_, name, tbl_name, root, sql in _schema_rows(parse):
        key = _dep_key(ddl_db(parse), type_, name)
        own = fold_name(tbl_name) == low
        new_name, new_tbl = name, tbl_name
        if own:
            new_tbl = new
            if type_ in ("table", "view"):
                new_name = new
            elif fold_name(name).startswith("sqlite_autoindex_"):
                new_name = "sqlite_autoindex_" + new + name[len("sqlite_autoindex_") + len(old):]
        new_sql = texts.get(key, sql)
        if new_sql is not None and type_ != "trigger" and (own or type_ == "table"):
            edits = _rename_edits(new_sql, type_, own, old, new)
            if edits:
                new_sql = _edit(new_sql, edits)
        if (new_name, new_tbl, new_sql) != (name, tbl_name, sql):
            updates.append((name, (type_, new_name, new_tbl, root, new_sql)))
        if new_sql is not None:
            texts[key] = new_sql
    entry = catalog.pop(low)
    entry.name = new
    catalog[fold_name(new)] = entry
    _check_dependents(parse, catalogs, texts, "after rename")
    begin_write_ddl(parse)
    _code_rewrite_rows(parse, updates)
    seq = parse.db.find_table("sqlite_sequence", parse.db.db_name(ddl_db(parse)))
    if seq is not None and table.autoincrement:
        _code_rename_sequence(parse, seq.root, old, new)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
    _code_rewrite_temp(parse, texts, (old, new))
    parse.finish_coding()


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
    type_reg = parse.alloc_reg()
    want = parse.alloc_reg()
    rowid = parse.alloc_reg()
    base = parse.alloc_reg(SCHEMA_N_COLUMNS)
    rec = parse.alloc_reg()
    parse.emit("Column", cursor, 1, name_reg)
    parse.emit("Column", cursor, 0, type_reg)
    for old_name, (type_, name, tbl_name, root, sql) in updates:
        skip = parse.label()
        parse.emit("String8", 0, want, 0, old_name)
        parse.emit("Ne", want, skip, name_reg, None, 0x10)
        parse.emit("String8", 0, want, 0, type_)
        parse.emit("Ne", want, skip, type_reg, None, 0x10)
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
    if any(fold_name(c.name) == fold_name(col.name) for c in table.columns):
        parse.error(f"duplicate column name: {col.name}")
    for c in col.constraints:
        if isinstance(c, ast.CollateConstraint):
            parse.find_collation(c.collation)   # as the parser's sqlite3AddCollateType
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
    # The table as it will read: its CHECK constraints and generated
    # columns must resolve ("error in table t after add column: ...") and
    # existing rows must satisfy them, as SQLite verifies with quick_check.
    from pyrite.compile import gencol
    new_table = gencol.check_altered_table(parse, table, new_sql, "add column")
    begin_write_ddl(parse)
    if if_not_empty is not None:
        _code_error_if_not_empty(parse, table, if_not_empty)
    if new_table.checks or (not_null and generated):
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
    low, tlow = fold_name(old), fold_name(table)
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
            target = fold_name(_dequote(toks[i + 1].text))
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
                    elif target == tlow and t.kind == "ID" and fold_name(_dequote(t.text)) == low:
                        edits.append((t.start, t.end, replace(t.text)))
                    j += 1
            i = j + 1
            continue
        if own and i not in skip_tokens and tok.kind == "ID" \
                and fold_name(_dequote(tok.text)) == low \
                and not (i > 0 and toks[i - 1].kind == "COLLATE") \
                and not (i + 1 < len(toks) and toks[i + 1].kind == "."):
            edits.append((tok.start, tok.end, replace(tok.text)))
        i += 1
    return edits


def _keyword_column_tokens(sql: str, kind: str, table: str, old: str) -> list[Any]:
    """Tokens naming column ``old`` of ``table`` in a CREATE TABLE / INDEX
    text when the name is a keyword used as an identifier (``key``,
    ``action``): found through the parser's identifier spans, since the
    token scan of _column_edits only sees plain identifiers."""
    if next(tokenize(old)).kind == "ID":
        return []
    from pyrite.sql.parser import parse_with_spans
    try:
        stmt, spans = parse_with_spans(sql)
    except errors.Error:
        return []
    low, tlow = fold_name(old), fold_name(table)

    def toks(node: Any) -> tuple[Any, ...]:
        entry = spans.get(id(node))
        return entry[1] if entry is not None and entry[0] is node else ()

    out: list[Any] = []

    def names(values: tuple[str, ...]) -> None:
        out.extend(t for v, t in zip(values, toks(values)) if fold_name(v) == low)

    own = kind in ("table", "index")
    stack: list[Any] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
            continue
        if not isinstance(node, ast.Node):
            continue
        if isinstance(node, ast.Column):
            if own and fold_name(node.name) == low and node.table in (None, table) \
                    or own and node.table is not None and fold_name(node.table) == tlow \
                    and fold_name(node.name) == low:
                out.extend(toks(node)[-1:])
            continue
        if isinstance(node, ast.ColumnDef) and own and fold_name(node.name) == low:
            out.extend(toks(node)[:1])
        if isinstance(node, ast.ForeignKeyConstraint) and own:
            names(node.columns)
        if isinstance(node, ast.ForeignKeyClause) and fold_name(node.table) == tlow:
            names(node.columns)
        stack.extend(getattr(node, f) for f in node.__slots__)
    return [t for t in out if t.kind != "ID"]


def _quotefix_edits(sql: str, catalog: dict[str, Any], taken: set[int]
                    ) -> list[tuple[int, int, str]]:
    """Edits turning the double-quoted string literals of a table's CHECK /
    generated expressions or an index's expressions into single-quoted ones
    (RENAME COLUMN and DROP COLUMN do this to every schema object)."""
    from pyrite.compile.rename import quoted_strings
    return [(t.start, t.end, _string_literal(t.text))
            for t in quoted_strings(sql, catalog) if t.start not in taken]


def _code_rename_column(parse: Any, table: Any, old: str, new: str, text: str) -> None:
    """ALTER TABLE t RENAME [COLUMN] a TO b (sqlite3AlterRenameColumn)."""
    if table.is_view:
        parse.error(f'cannot rename columns of view "{table.name}"')
    idx = next((k for k, c in enumerate(table.columns) if fold_name(c.name) == fold_name(old)), None)
    if idx is None:
        parse.error(f'no such column: "{_name_as_written(text, "TO", old)}"')
    names = [c.name for c in table.columns]
    names[idx] = new
    seen: set[str] = set()
    for n in names:
        if fold_name(n) in seen:
            parse.error(f"error in table {table.name} after rename: duplicate column name: {n}")
        seen.add(fold_name(n))
    toks = [t for t in tokenize(text) if t.kind not in (";", "EOF")]
    quote_always = bool(toks) and toks[-1].text[:1] in "\"'`["

    def replace(token_text: str) -> str:
        if not quote_always and token_text[:1] not in "\"'`[":
            return new
        return _quote(new)

    own_db = fold_name(parse.db.db_name(ddl_db(parse)))
    catalogs = _catalogs(parse)
    catalog_before = _catalogs(parse)[own_db]
    texts = _resolve_dependents(parse, catalogs, _target(parse, table.name, old), replace,
                                True)
    if ddl_db(parse) == 1:
        _recheck_temp_dependents(parse, catalogs, texts)
    catalogs[own_db][fold_name(table.name)].columns = names
    _check_dependents(parse, catalogs, texts, "after rename")
    low = fold_name(table.name)
    updates: list[tuple[str, tuple[str, str, str, int, str | None]]] = []
    for type_, name, tbl_name, root, sql in _schema_rows(parse):
        key = _dep_key(ddl_db(parse), type_, name)
        if key in texts:
            updates.append((name, (type_, name, tbl_name, root, texts[key])))
            continue
        if sql is None or type_ in ("view", "trigger"):
            continue
        if fold_name(tbl_name) == low:
            kind = type_
        elif type_ == "table":
            kind = "other"
        else:
            kind = None
        edits = _column_edits(sql, kind, table.name, old, replace) if kind else []
        if kind:
            taken = {e[0] for e in edits}
            edits += [(t.start, t.end, replace(t.text))
                      for t in _keyword_column_tokens(sql, kind, table.name, old)
                      if t.start not in taken]
        edits += _quotefix_edits(sql, catalog_before, {e[0] for e in edits})
        if edits:
            updates.append((name, (type_, name, tbl_name, root, _edit(sql, edits))))
    begin_write_ddl(parse)
    _code_rewrite_rows(parse, updates)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
    _code_rewrite_temp(parse, texts)
    parse.finish_coding()


def _code_rewrite_temp(parse: Any, texts: dict[str, str],
                       table_renames: tuple[str, str] | None = None) -> None:
    """Write the new texts of TEMP views and triggers that name a table of
    another database, and reload the temp schema."""
    if ddl_db(parse) == 1:
        return
    temp_updates = _dependent_updates(parse, texts, 1, table_renames)
    if not temp_updates:
        return
    own_db = parse.ddl_db
    parse.code_verify_schema(1, write=True)
    parse.ddl_db = 1
    _code_rewrite_rows(parse, temp_updates)
    change_cookie(parse)
    parse.emit("ParseSchema", 1, 0, 0, None)
    parse.ddl_db = own_db


def _code_error_if_not_empty(parse: Any, table: Any, message: str) -> None:
    """Fail with ``message`` when ``table`` has a row (sqlite3ErrorIfNotEmpty)."""
    cursor = parse.alloc_cursor()
    from pyrite.compile.rowkey import open_table
    open_table(parse, "OpenRead", cursor, table, 1, db=ddl_db(parse))
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


def _names_column(exprs: list[Any], name: str) -> bool:
    """Whether any of ``exprs`` (an index's expressions and WHERE) names
    column ``name`` of the indexed table."""
    low = fold_name(name)
    stack = [e for e in exprs if e is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif isinstance(node, ast.Column):
            if fold_name(node.name) == low:
                return True
        elif isinstance(node, ast.Node):
            stack.extend(getattr(node, f) for f in node.__slots__)
    return False


def _written(node: ast.Column) -> str:
    return ".".join(p for p in (node.schema, node.table, node.name) if p)


def _first_reference(exprs: list[Any], low: str) -> str | None:
    """The first Column naming ``low`` in ``exprs``, as written (``t.b``)."""
    stack: list[Any] = list(reversed(exprs))
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(reversed(node))
        elif isinstance(node, ast.Column):
            if fold_name(node.name) == low:
                return _written(node)
        elif isinstance(node, ast.Node):
            stack.extend(reversed([getattr(node, f) for f in node.__slots__]))
    return None


def _dropped_column_error(sql: str, name: str) -> str | None:
    """Why a CREATE TABLE text without column ``name`` no longer parses,
    in the order SQLite finds it: UNIQUE/PRIMARY KEY and FOREIGN KEY
    constraints while parsing, then CHECK constraints, then generated
    columns when the table is finished."""
    from pyrite.sql.parser import parse_one
    ps = parse_one(sql)
    if ps is None or not isinstance(ps.statement, ast.CreateTable):
        return None
    stmt = ps.statement
    low = fold_name(name)
    for c in stmt.constraints:
        if isinstance(c, (ast.UniqueConstraint, ast.PrimaryKeyConstraint)):
            for ic in c.columns:
                if isinstance(ic.expr, ast.Column) and fold_name(ic.expr.name) == low:
                    if ic.expr.quoted:   # a double-quoted string: an expression
                        return "expressions prohibited in PRIMARY KEY and UNIQUE constraints"
                    return f"no such column: {_written(ic.expr)}"
        if isinstance(c, ast.ForeignKeyConstraint):
            for col in c.columns:
                if fold_name(col) == low:
                    return f'unknown column "{col}" in foreign key definition'
    checks = [c.expr for cdef in stmt.columns for c in cdef.constraints
              if isinstance(c, ast.CheckConstraint)]
    checks += [c.expr for c in stmt.constraints if isinstance(c, ast.CheckConstraint)]
    generated = [c.expr for cdef in stmt.columns for c in cdef.constraints
                 if isinstance(c, ast.GeneratedConstraint)]
    if len(generated) == len(stmt.columns):
        # sqlite3EndTable's last message wins over the generated columns' ones
        return "must have at least one non-generated column"
    for group in (checks, generated):
        ref = _first_reference(group, low)
        if ref is not None:
            return f"no such column: {ref}"
    return None


def _name_as_written(text: str, before: str | None, name: str) -> str:
    """The column-name token of an ALTER statement as written (quotes kept),
    which SQLite's "no such column" message quotes (%T): the token before
    the last ``before`` keyword, or the last token."""
    toks = [t for t in tokenize(text) if t.kind not in (";", "EOF")]
    if before is not None:
        idx = [i for i, t in enumerate(toks) if t.kind == before]
        toks = toks[:idx[-1]] if idx else toks
    if toks and _dequote(toks[-1].text) == name:
        return toks[-1].text
    return name


def _code_drop_column(parse: Any, table: Any, name: str, text: str = "") -> None:
    """ALTER TABLE t DROP [COLUMN] a (sqlite3AlterDropColumn)."""
    if table.is_view:
        parse.error(f'cannot drop column from view "{table.name}"')
    col = next((k for k, c in enumerate(table.columns) if fold_name(c.name) == fold_name(name)), None)
    if col is None:
        parse.error(f'no such column: "{_name_as_written(text, None, name)}"')
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
    # The remaining column CHECKs, table constraints and indexes must not name it.
    why = _dropped_column_error(new_sql, cname)
    if why is not None:
        parse.error(f"error in table {table.name} after drop column: {why}")
    if any(t.kind == "ID" and fold_name(_dequote(t.text)) == fold_name(cname)
           for t in tokenize(new_sql[_add_column_offset(new_sql):])):
        parse.error(f"error in table {table.name} after drop column: no such column: {cname}")
    for idx in table.indexes:
        if not idx.is_auto and (col in idx.columns or _names_column(
                [*idx.exprs, idx.where], cname)):
            parse.error(f"error in index {idx.name} after drop column: no such column: {cname}")
    from pyrite.compile import gencol
    gencol.check_altered_table(parse, table, new_sql, "drop column")
    catalogs = _catalogs(parse)
    catalog = catalogs[fold_name(parse.db.db_name(ddl_db(parse)))]
    texts = _resolve_dependents(parse, catalogs, None, str, True)
    catalog[fold_name(table.name)].columns = [c.name for k, c in enumerate(table.columns)
                                           if k != col]
    _check_dependents(parse, catalogs, texts, "after drop column")
    new_sql = _edit(new_sql, _quotefix_edits(new_sql, catalog, set()))
    updates = [(table.name, ("table", table.name, table.name, table.root, new_sql))]
    for type_, name, tbl_name, root, sql in _schema_rows(parse):
        if sql is None or type_ not in ("table", "index") or fold_name(name) == fold_name(table.name):
            continue
        edits = _quotefix_edits(sql, catalog, set())
        if edits:
            updates.append((name, (type_, name, tbl_name, root, _edit(sql, edits))))
    begin_write_ddl(parse)
    _code_rewrite_rows(parse, updates + _dependent_updates(parse, texts))
    # Rewrite every row's record without the column.
    cursor = parse.alloc_cursor()
    n = len(table.columns)
    if table.without_rowid:
        _code_drop_from_pk_records(parse, table, col, cursor)
        change_cookie(parse)
        parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
        parse.finish_coding()
        return
    parse.emit("OpenWrite", cursor, table.root, ddl_db(parse), n)
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    rowid = parse.alloc_reg()
    base = parse.alloc_reg(n - 1)
    rec = parse.alloc_reg()
    parse.emit("Rowid", cursor, rowid)
    from pyrite.compile.expr import column_default
    from pyrite.compile import gencol
    k = 0
    for i, c in enumerate(table.columns):
        if i == col or gencol.is_virtual(c):
            continue
        if i == table.rowid_alias:
            parse.emit("Null", 0, base + k)
        else:
            parse.emit("Column", cursor, gencol.storage_column(table, i), base + k,
                       column_default(c))
        k += 1
    parse.emit("MakeRecord", base, k, rec)
    parse.emit("Insert", cursor, rec, rowid, None, OPFLAG_ISUPDATE)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    parse.emit("Close", cursor)
    change_cookie(parse)
    parse.emit("ParseSchema", ddl_db(parse), 0, 0, None)
    _code_rewrite_temp(parse, texts)
    parse.finish_coding()


def _code_drop_from_pk_records(parse: Any, table: Any, col: int, cursor: int) -> None:
    """DROP COLUMN of a WITHOUT ROWID table: each PRIMARY KEY record is
    written again without the column (the key, which cannot contain it,
    stays: IdxInsert replaces the entry in place)."""
    pk = table.primary_key_index()
    parse.emit("OpenWrite", cursor, table.root, ddl_db(parse), pk.key_info)
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    fields = [j for j, c in enumerate(pk.columns) if c != col]
    base = parse.alloc_reg(len(fields))
    rec = parse.alloc_reg()
    from pyrite.compile.expr import column_default
    for k, j in enumerate(fields):
        parse.emit("Column", cursor, j, base + k, column_default(table.columns[pk.columns[j]]))
    parse.emit("MakeRecord", base, len(fields), rec)
    parse.emit("IdxInsert", cursor, rec, 0, None, 0)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    parse.emit("Close", cursor)
