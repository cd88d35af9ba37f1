"""Compiler layer: INSERT, and the constraint checks shared with UPDATE.

SQLite's counterpart is ``insert.c``: sqlite3Insert (VALUES, multi-row
VALUES and INSERT ... SELECT through a coroutine, DEFAULT VALUES),
sqlite3GenerateConstraintChecks (NOT NULL, CHECK, rowid and UNIQUE
conflicts with ROLLBACK/ABORT/FAIL/IGNORE/REPLACE), sqlite3CompleteInsertion
(index entries, then the table row) and sqlite3OpenTableAndIndices.

Register layout of a new row, as SQLite's: ``reg_new`` holds the rowid and
``reg_new + 1 + i`` column ``i``; the INTEGER PRIMARY KEY column's slot is
NULL in the stored record.
"""

from __future__ import annotations
from pyrite.values import fold_name

import dataclasses
from typing import Any

from pyrite import errors, values
from pyrite.compile import gencol
from pyrite.schema import schema as sch
from pyrite.sql import ast

OPFLAG_NCHANGE = 0x01
OPFLAG_ISUPDATE = 0x04
OPFLAG_APPEND = 0x08
OPFLAG_USESEEKRESULT = 0x10
OPFLAG_LASTROWID = 0x20

# Halt P5: the kind of constraint that failed (P5_Constraint*).
P5_NOTNULL = 1
P5_UNIQUE = 2
P5_CHECK = 3


def find_writable_table(parse: Any, name: str, schema_name: str | None,
                        op: str | None = None, changed_names: set[str] | None = None) -> Any:
    """The table a DML statement writes, with SQLite's errors; a view is
    writable by ``op`` when an INSTEAD OF trigger handles it (for an UPDATE,
    one whose UPDATE OF list meets the ``changed_names``)."""
    from pyrite.compile.build import check_schema
    check_schema(parse, schema_name)
    table = parse.db.find_table(name, schema_name)
    if table is None:
        qualified = f"{schema_name}.{name}" if schema_name else name
        parse.error(f"no such table: {qualified}")
    if table.is_view:
        from pyrite.compile.trigger import triggers_exist
        if op is not None and triggers_exist(parse, table, op, changed_names)[0]:
            return table
        parse.error(f"cannot modify {table.name} because it is a view")
    if table.read_only:
        parse.error(f"table {table.name} may not be modified")
    return table


def open_table_and_indices(parse: Any, table: Any, op: str = "OpenWrite",
                           only: list[bool] | None = None) -> tuple[int, list[int]]:
    """Open the table and each of its indexes (sqlite3OpenTableAndIndices);
    a WITHOUT ROWID table's PRIMARY KEY index is the table cursor itself.
    With ``only`` (a flag per index) the others are not opened: their
    cursor number is -1."""
    from pyrite.compile.rowkey import open_table
    data_cursor = parse.alloc_cursor()
    open_table(parse, op, data_cursor, table)
    idx_cursors = []
    for k, idx in enumerate(table.indexes):
        if table.without_rowid and idx.is_primary_key:
            idx_cursors.append(data_cursor)
            continue
        if only is not None and not only[k]:
            idx_cursors.append(-1)
            continue
        c = parse.alloc_cursor()
        parse.emit(op, c, idx.root, table.db_index, idx.key_info)
        idx_cursors.append(c)
    return data_cursor, idx_cursors


# ---------------------------------------------------------------------------
# Expressions over the new row's registers
# ---------------------------------------------------------------------------

def resolve_on_registers(parse: Any, table: Any, expr: ast.Expr, reg_new: int) -> Any:
    """Resolve ``expr`` (CHECK, partial-index WHERE) so that column ``i`` of
    ``table`` reads register ``reg_new + 1 + i`` and the rowid ``reg_new``
    (SQLite's iSelfTab)."""
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.expr import RegRef
    from pyrite.compile.resolve import ColumnRef
    cursor = -1000 - reg_new   # a cursor number no real cursor uses
    resolved = resolve_on_table(parse, table, cursor, expr)

    def subst(e: Any) -> Any:
        if isinstance(e, ColumnRef) and e.cursor == cursor:
            if e.column < 0 or e.column == table.rowid_alias:
                return RegRef(reg_new, values.AFF_INTEGER)
            col = table.columns[e.column]
            coll = parse.find_collation(col.collation) if col.collation else None
            return RegRef(reg_new + 1 + e.column, col.affinity, coll, False)
        if not isinstance(e, ast.Node) or isinstance(e, (ast.Subquery, ast.Exists)):
            return e
        changes = {}
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, ast.Expr):
                nv = subst(v)
                if nv is not v:
                    changes[f.name] = nv
            elif isinstance(v, tuple):
                nv = tuple(_subst_item(x, subst) for x in v)
                if any(a is not b for a, b in zip(nv, v)):
                    changes[f.name] = nv
        return dataclasses.replace(e, **changes) if changes else e

    return subst(resolved)


def _subst_item(x: Any, fn: Any) -> Any:
    if isinstance(x, ast.Expr):
        return fn(x)
    if isinstance(x, tuple):
        return tuple(_subst_item(y, fn) for y in x)
    return x


def code_constant(parse: Any, expr: ast.Expr, target: int) -> None:
    """Code an expression that may not reference columns (VALUES, DEFAULT)."""
    from pyrite.compile.context import NameContext, SrcList
    from pyrite.compile.expr import code_expr
    from pyrite.compile.resolve import resolve_expr
    resolved = resolve_expr(parse, expr, NameContext(SrcList()))
    r = code_expr(parse, resolved, target)
    if r != target:
        parse.emit("SCopy", r, target)


def code_default(parse: Any, col: Any, target: int) -> None:
    """Load column ``col``'s DEFAULT (or NULL) into ``target``."""
    if col.default is None:
        parse.emit("Null", 0, target)
    else:
        code_constant(parse, col.default, target)


# ---------------------------------------------------------------------------
# Constraint checks (sqlite3GenerateConstraintChecks)
# ---------------------------------------------------------------------------

def _resolve_on_error(override: int, declared: int) -> int:
    if override != sch.OE_DEFAULT:
        return override
    if declared not in (sch.OE_NONE, sch.OE_DEFAULT):
        return declared
    return sch.OE_ABORT


def generate_row_delete(parse: Any, table: Any, data_cursor: int, idx_cursors: list[int],
                        count: bool = False, reg_rowid: int = 0, triggers: Any = None,
                        on_error: int = sch.OE_DEFAULT, returning: Any = None,
                        no_seek: int = -1) -> None:
    """Delete the row under ``data_cursor`` and its index entries
    (sqlite3GenerateRowDelete with sqlite3GenerateRowIndexDelete).  With
    ``reg_rowid`` (the row's rowid) the foreign key checks and actions of a
    deleted row are coded around it, and the DELETE ``triggers`` (a
    trigger.TriggerCall) fire before and after it: a BEFORE trigger may
    remove or move the row, so it is looked up again (a row gone is not
    deleted), and RAISE(IGNORE) skips the rest of this row's deletion.
    ``returning`` codes the RETURNING row, first of the AFTER triggers.
    ``no_seek`` is an index cursor that already rests on the row's entry
    (a REPLACE's conflicting index, SQLite's iIdxNoSeek): that entry is
    deleted where it is, right after the row, instead of sought again;
    the caller passes it only when no trigger or foreign key action can
    run in between and move the cursor."""
    from pyrite.compile import fkey
    from pyrite.compile.rowkey import code_seek_row
    from pyrite.compile.trigger import TRIGGER_AFTER, TRIGGER_BEFORE, code_row_triggers
    reg_old = 0
    row_done = parse.label()
    if triggers is not None:
        from pyrite.compile.returning import load_row
        reg_old = load_row(parse, table, data_cursor, reg_rowid)
        if triggers.has(TRIGGER_BEFORE):
            code_row_triggers(parse, triggers, TRIGGER_BEFORE, reg_old, 0, on_error, row_done)
            code_seek_row(parse, table, data_cursor, row_done, reg_rowid)
    if reg_rowid and fkey.fk_required(parse, table):
        if reg_old:
            fkey.fk_check(parse, table, reg_old, 0)
        else:
            reg_old = fkey.begin_row_delete(parse, table, data_cursor, reg_rowid)
    generate_row_index_delete(parse, table, data_cursor, idx_cursors, no_seek)
    parse.emit("Delete", data_cursor, OPFLAG_NCHANGE if count else 0, 0, table.name)
    if no_seek >= 0 and no_seek != data_cursor:
        parse.emit("Delete", no_seek, 0)
    if reg_old and reg_rowid and fkey.fk_required(parse, table):
        fkey.fk_actions(parse, table, reg_old)
    if returning is not None:
        returning()
    if triggers is not None:
        code_row_triggers(parse, triggers, TRIGGER_AFTER, reg_old, 0, on_error, row_done)
    parse.resolve(row_done)


def generate_row_index_delete(parse: Any, table: Any, data_cursor: int,
                              idx_cursors: list[int], no_seek: int = -1) -> None:
    """Delete the index entries of the row under ``data_cursor``
    (sqlite3GenerateRowIndexDelete), but for the cursors ``data_cursor``
    (a WITHOUT ROWID table's own b-tree) and ``no_seek``, whose entries
    the caller deletes where they are."""
    for idx, ic in zip(table.indexes, idx_cursors):
        if ic == data_cursor or ic == no_seek:
            continue
        n = len(idx.columns)
        regs = parse.alloc_reg(n)
        skip = parse.label()
        if idx.where is not None:
            from pyrite.compile.build import code_partial_filter
            code_partial_filter(parse, table, idx, data_cursor, skip)
        from pyrite.compile.build import code_index_key
        code_index_key(parse, table, idx, data_cursor, regs)
        parse.emit("IdxDelete", ic, regs, n)
        parse.resolve(skip)


def generate_constraint_checks(parse: Any, table: Any, data_cursor: int,
                               idx_cursors: list[int], reg_new: int, reg_old_rowid: int,
                               rowid_changed: bool, on_error: int, ignore_dest: int,
                               key_regs: list[int], changed_cols: set[int] | None = None,
                               upsert: Any = None) -> list[tuple[int, int] | None]:
    """Check NOT NULL, CHECK, rowid and UNIQUE constraints of the new row in
    ``reg_new``.. and build each index key into ``key_regs[i]`` (a register
    holding the MakeRecord'ed key; 0 skips an index an UPDATE leaves
    unchanged).  Returns, per index, the registers holding the key's fields
    (first, count) for complete_insertion's IdxInsert, None when not built.  ``reg_old_rowid`` is the rowid of the row
    being updated (0 for INSERT).  ``ignore_dest`` is where an IGNORE (and
    an UPSERT's DO NOTHING / DO UPDATE) goes; ``upsert`` is the INSERT's
    upsert.Upsert or None."""
    is_update = reg_old_rowid != 0
    key_fields: list[tuple[int, int] | None] = [None] * len(key_regs)
    # NOT NULL.
    for i, col in enumerate(table.columns):
        if i == table.rowid_alias or not col.not_null:
            continue
        if changed_cols is not None and i not in changed_cols:
            continue
        oe = _resolve_on_error(on_error, col.not_null_conflict)
        if oe == sch.OE_REPLACE and col.default is None:
            oe = sch.OE_ABORT
        reg = reg_new + 1 + i
        if oe == sch.OE_IGNORE:
            parse.emit("IsNull", reg, ignore_dest)
        elif oe == sch.OE_REPLACE:
            ok = parse.label()
            parse.emit("NotNull", reg, ok)
            code_default(parse, col, reg)
            parse.emit("HaltIfNull", errors.SQLITE_CONSTRAINT_NOTNULL, sch.OE_ABORT, reg,
                       f"{table.name}.{col.name}", P5_NOTNULL)
            parse.resolve(ok)
        else:
            parse.emit("HaltIfNull", errors.SQLITE_CONSTRAINT_NOTNULL, oe, reg,
                       f"{table.name}.{col.name}", P5_NOTNULL)
    # CHECK.
    if table.checks:
        from pyrite.compile.expr import code_if_true
        from pyrite.compile.checkdef import check_applies
        for chk in table.checks:
            if not check_applies(parse, table, chk.expr, changed_cols, rowid_changed):
                continue
            oe = _resolve_on_error(on_error, sch.OE_NONE)
            if oe == sch.OE_REPLACE:
                oe = sch.OE_ABORT
            expr = resolve_on_registers(parse, table, chk.expr, reg_new)
            ok = parse.label()
            with gencol.pure_context(parse, gencol.PURE_CHECK):
                code_if_true(parse, expr, ok, True)
            if oe == sch.OE_IGNORE:
                parse.emit("Goto", 0, ignore_dest)
            else:
                parse.emit("Halt", errors.SQLITE_CONSTRAINT_CHECK, oe, 0, chk.label, P5_CHECK)
            parse.resolve(ok)
    # Rowid and UNIQUE checks, in SQLite's order: normally the rowid first,
    # then the indexes; with ON CONFLICT targets (upsert.py) the targeted
    # constraints first, in the order of the clauses; a declared REPLACE on
    # the rowid that other constraints do not share goes last.
    from pyrite.compile.build import unique_error_text
    from pyrite.compile.upsert import OE_UPDATE, check_order
    for what in check_order(table, rowid_changed, on_error, upsert):
        if what < 0:
            _check_rowid(parse, table, data_cursor, idx_cursors, reg_new, reg_old_rowid,
                         on_error, ignore_dest, upsert)
            continue
        n_idx = what
        if not key_regs[n_idx]:
            continue        # an index an UPDATE leaves unchanged
        idx, ic = table.indexes[n_idx], idx_cursors[n_idx]
        n = len(idx.columns)
        regs = parse.alloc_reg(n)
        skip = parse.label()
        if idx.where is not None:
            from pyrite.compile.expr import code_if_false
            cond = resolve_on_registers(parse, table, idx.where, reg_new)
            parse.emit("Null", 0, key_regs[n_idx])
            with gencol.pure_context(parse, gencol.PURE_INDEX):
                code_if_false(parse, cond, skip, True)
        for i, c in enumerate(idx.columns):
            if c == sch.XN_ROWID or c == table.rowid_alias:
                parse.emit("SCopy", reg_new, regs + i)
            elif c == sch.XN_EXPR:
                gencol.code_index_expr_regs(parse, table, idx, i, reg_new, regs + i)
            else:
                parse.emit("SCopy", reg_new + 1 + c, regs + i)
        parse.emit("MakeRecord", regs, n, key_regs[n_idx], idx.affinity_string())
        key_fields[n_idx] = (regs, n)
        if idx.unique:
            oe = _resolve_on_error(on_error, idx.on_conflict)
            clause = upsert.clause_for(idx) if upsert is not None else None
            if clause is not None:
                oe = clause.action
            ok = skip
            parse.emit("NoConflict", ic, ok, regs, idx.n_key_col)
            replace_triggers = None
            if oe == sch.OE_REPLACE:
                replace_triggers = _replace_triggers(parse, table)
            # A plain REPLACE (no trigger, no foreign key work) deletes the
            # conflicting entry where NoConflict left the index cursor; when
            # that index is a WITHOUT ROWID table's own b-tree, the cursor
            # rests on the row itself and no row key is needed.
            no_seek = -1
            if oe == sch.OE_REPLACE and not is_update and replace_triggers is None \
                    and not _has_fkeys(parse, table):
                no_seek = ic
            if (is_update or oe in (sch.OE_REPLACE, OE_UPDATE)) and no_seek != data_cursor:
                from pyrite.compile.rowkey import code_index_row_key
                conflict_rowid = parse.alloc_reg()
                code_index_row_key(parse, table, idx, ic, conflict_rowid)
                if is_update:
                    parse.emit("Eq", conflict_rowid, ok, reg_old_rowid, None, 0)
            if oe == OE_UPDATE:
                assert upsert is not None and clause is not None
                upsert.code_do_update(clause, conflict_rowid, seek=True)
                parse.emit("Goto", 0, ignore_dest)
            elif oe == sch.OE_IGNORE:
                parse.emit("Goto", 0, ignore_dest)
            elif oe == sch.OE_REPLACE and no_seek >= 0:
                if no_seek != data_cursor:
                    from pyrite.compile.rowkey import code_seek_row
                    code_seek_row(parse, table, data_cursor, ok, conflict_rowid)
                generate_row_delete(parse, table, data_cursor, idx_cursors,
                                    on_error=sch.OE_REPLACE, no_seek=no_seek)
            elif oe == sch.OE_REPLACE:
                # Delete the conflicting row, then reposition the data cursor.
                from pyrite.compile.rowkey import code_seek_row
                code_seek_row(parse, table, data_cursor, ok, conflict_rowid)
                generate_row_delete(parse, table, data_cursor, idx_cursors,
                                    reg_rowid=conflict_rowid,
                                    triggers=replace_triggers,
                                    on_error=sch.OE_REPLACE)
                if is_update:
                    code_seek_row(parse, table, data_cursor, ok, reg_old_rowid)
            else:
                code = (errors.SQLITE_CONSTRAINT_PRIMARYKEY if idx.is_primary_key
                        else errors.SQLITE_CONSTRAINT_UNIQUE)
                parse.emit("Halt", code, oe, 0, unique_error_text(table, idx), P5_UNIQUE)
        parse.resolve(skip)
    return key_fields


def _has_fkeys(parse: Any, table: Any) -> bool:
    """Whether deleting a row of ``table`` involves foreign key work."""
    from pyrite.compile import fkey
    return bool(fkey.fk_required(parse, table))


def _replace_triggers(parse: Any, table: Any) -> Any:
    """The DELETE triggers a REPLACE's removal of a conflicting row fires:
    only with PRAGMA recursive_triggers on, as in SQLite."""
    from pyrite.compile.trigger import begin_triggers, recursive_triggers
    if not recursive_triggers(parse):
        return None
    return begin_triggers(parse, table, "DELETE")


def _check_rowid(parse: Any, table: Any, data_cursor: int, idx_cursors: list[int],
                 reg_new: int, reg_old_rowid: int, on_error: int, ignore_dest: int,
                 upsert: Any) -> None:
    """The uniqueness check of a new or changed rowid."""
    from pyrite.compile.upsert import OE_UPDATE
    is_update = reg_old_rowid != 0
    oe = _resolve_on_error(on_error, table.pk_conflict)
    clause = upsert.clause_for(None) if upsert is not None else None
    if clause is not None:
        oe = clause.action
    ok = parse.label()
    if is_update:
        parse.emit("Eq", reg_new, ok, reg_old_rowid, None, 0)
    parse.emit("NotExists", data_cursor, ok, reg_new)
    if oe == OE_UPDATE:
        upsert.code_do_update(clause, reg_new, seek=False)
        parse.emit("Goto", 0, ignore_dest)
    elif oe == sch.OE_IGNORE:
        parse.emit("Goto", 0, ignore_dest)
    elif oe == sch.OE_REPLACE:
        triggers = _replace_triggers(parse, table)
        if is_update or triggers is not None or _has_fkeys(parse, table):
            generate_row_delete(parse, table, data_cursor, idx_cursors, reg_rowid=reg_new,
                                triggers=triggers, on_error=sch.OE_REPLACE)
        else:
            # As SQLite: the row's index entries go, and the Insert that
            # follows overwrites the row in the table b-tree in place.
            generate_row_index_delete(parse, table, data_cursor, idx_cursors)
    else:
        name = table.columns[table.rowid_alias].name if table.rowid_alias >= 0 else "rowid"
        parse.emit("Halt", errors.SQLITE_CONSTRAINT_PRIMARYKEY, oe, 0,
                   f"{table.name}.{name}", P5_UNIQUE)
    parse.resolve(ok)


def sqlite_index_order(indexes: list[Any]) -> list[int]:
    """Positions of ``indexes`` (kept in creation order) in the order of
    SQLite's index list, which constraints are checked in (so the one
    reported among several violations is SQLite's): newest first, indexes
    whose own conflict clause is REPLACE after all the others."""
    newest_first = list(range(len(indexes) - 1, -1, -1))
    replace = [i for i in newest_first
               if getattr(indexes[i], "on_conflict", None) == sch.OE_REPLACE]
    return [i for i in newest_first if i not in replace] + replace


def _reads_row_before_record(parse: Any, table: Any, upsert: Any) -> bool:
    """Whether anything between the new row's registers and its record
    reads them with the column affinities applied: generated columns, a
    STRICT type check, CHECK constraints, index keys (and a WITHOUT ROWID
    table's row is one), an upsert's excluded.*, foreign key probes.  Else
    the row's MakeRecord applies the affinities, to the registers too (as
    SQLite's sqlite3TableAffinity then gives its affinity string to the
    MakeRecord instead of an OP_Affinity)."""
    from pyrite.compile import fkey
    return bool(table.indexes or table.checks or table.without_rowid or upsert is not None
                or gencol.has_generated(table) or getattr(table, "strict", False)
                or fkey.fk_required(parse, table))


def complete_insertion(parse: Any, table: Any, data_cursor: int, idx_cursors: list[int],
                       reg_new: int, key_regs: list[int], is_update: bool,
                       count: bool = True,
                       key_fields: list[tuple[int, int] | None] | None = None) -> None:
    """Write the index entries and the table row (sqlite3CompleteInsertion);
    a WITHOUT ROWID table's row is its PRIMARY KEY index entry.
    ``key_fields`` (from generate_constraint_checks) gives IdxInsert the
    unpacked key as P3/P4, as SQLite does."""
    for i, (idx, ic, kr) in enumerate(zip(table.indexes, idx_cursors, key_regs)):
        if not kr:
            continue        # an index an UPDATE leaves unchanged
        fields = key_fields[i] if key_fields is not None else None
        first, n = fields if fields is not None else (0, None)
        if ic == data_cursor:
            parse.emit("IdxInsert", ic, kr, first, n, OPFLAG_NCHANGE if count else 0)
        elif idx.where is not None:
            skip = parse.label()
            parse.emit("IsNull", kr, skip)
            parse.emit("IdxInsert", ic, kr, first, n, 0)
            parse.resolve(skip)
        else:
            parse.emit("IdxInsert", ic, kr, first, n, 0)
    if table.without_rowid:
        return
    first, n, aff = gencol.record_source(parse, table, reg_new)
    rec = parse.alloc_reg()
    parse.emit("MakeRecord", first, n, rec, aff)
    p5 = (OPFLAG_NCHANGE if count else 0) | (OPFLAG_ISUPDATE if is_update else OPFLAG_LASTROWID)
    parse.emit("Insert", data_cursor, rec, reg_new, table.name, p5)


# ---------------------------------------------------------------------------
# INSERT
# ---------------------------------------------------------------------------

def _count_select_columns(parse: Any, select: ast.Select) -> int:
    if select.with_ is not None:
        from pyrite.compile.cte import compile_with_select
        return compile_with_select(parse, select,
                                   lambda sel: _count_select_columns(parse, sel))
    core = select.core
    if isinstance(core, ast.Values):
        return len(core.rows[0]) if core.rows else 0
    n = 0
    tables: list[tuple[str, int]] = []

    def collect(item: Any) -> None:
        if isinstance(item, ast.Join):
            collect(item.left)
            collect(item.right)
        elif isinstance(item, ast.TableRef):
            from pyrite.compile.cte import cte_width
            width = cte_width(parse, item)
            if width is not None:
                tables.append((fold_name((item.alias or item.name)), width))
                return
            t = parse.db.find_table(item.name)
            ncol = len(t.columns) if t is not None else 0
            if t is not None and t.is_view and t.view_select is not None:
                ncol = _count_select_columns(parse, t.view_select)
            tables.append((fold_name((item.alias or item.name)), ncol))
        elif isinstance(item, ast.SubqueryRef):
            tables.append((fold_name((item.alias or "")), _count_select_columns(parse, item.select)))
    if core.from_ is not None:
        collect(core.from_)
    for rc in core.columns:
        if rc.star and rc.table is None:
            n += sum(c for _, c in tables)
        elif rc.star:
            n += sum(c for name, c in tables if name == fold_name(rc.table))
        else:
            n += 1
    return n


def _select_reads_table(select: ast.Select, table_name: str) -> bool:
    """True when ``select`` mentions ``table_name`` anywhere (xferOptimization
    aside, SQLite then materializes the SELECT first)."""
    low = fold_name(table_name)
    found = False

    def visit(node: Any) -> None:
        nonlocal found
        if found:
            return
        if isinstance(node, ast.TableRef) and fold_name(node.name) == low:
            found = True
            return
        if isinstance(node, ast.Node):
            for f in dataclasses.fields(node):
                visit(getattr(node, f.name))
        elif isinstance(node, (tuple, list)):
            for x in node:
                visit(x)
    visit(select)
    return found


def code_insert(parse: Any, stmt: ast.Insert) -> None:
    """INSERT [OR conflict] INTO table [(columns)] VALUES|SELECT|DEFAULT VALUES."""
    from pyrite.compile.context import SRT_COROUTINE, SRT_TABLE, SelectDest
    table = find_writable_table(parse, stmt.table.name, stmt.table.schema, "INSERT")
    if table.is_view:
        from pyrite.compile.trigger import code_view_insert
        code_view_insert(parse, stmt, table)
        return
    on_error = sch.conflict_code(stmt.or_)
    from pyrite.compile.trigger import TRIGGER_AFTER, TRIGGER_BEFORE, begin_triggers, \
        code_row_triggers
    triggers = begin_triggers(parse, table, "INSERT")
    from pyrite.compile.returning import begin_returning
    from pyrite.compile.upsert import begin_upsert
    returning = begin_returning(parse, table, stmt.returning)
    n_col = len(table.columns)

    # Which table column each supplied value goes to (aiColumn / ipkColumn).
    if stmt.columns is not None:
        targets: list[int] = []
        for name in stmt.columns:
            ci = table.column_index(name)
            if ci < 0:
                if fold_name(name) in ("rowid", "oid", "_rowid_") and table.rowid_alias < 0 \
                        and table.has_rowid:
                    ci = sch.XN_ROWID
                else:
                    parse.error(f"table {table.name} has no column named {name}")
            targets.append(ci)
    else:
        targets = [i for i, c in enumerate(table.columns)
                   if not c.hidden and getattr(c, "generated", None) is None]
    gencol.check_insert_targets(parse, table, targets)

    # Count the values supplied.
    select = stmt.select
    single_row: tuple[ast.Expr, ...] | None = None
    if stmt.default_values:
        n_values = 0
        targets = []
    elif select is not None and isinstance(select.core, ast.Values) and len(select.core.rows) == 1 \
            and not select.compounds and not select.order_by and select.limit is None:
        single_row = select.core.rows[0]
        n_values = len(single_row)
    else:
        n_values = _count_select_columns(parse, select)
    if not stmt.default_values:
        if stmt.columns is None and n_values != len(targets):
            parse.error(f"table {table.name} has {len(targets)} columns but "
                        f"{n_values} values were supplied")
        if stmt.columns is not None and n_values != len(targets):
            parse.error(f"{n_values} values for {len(targets)} columns")

    parse.begin_coding()
    parse.begin_row_count("rows inserted")
    parse.code_verify_schema(table.db_index, write=True)

    reg_new = parse.alloc_reg(n_col + 1)       # rowid, then the columns
    key_regs = [parse.alloc_reg() for _ in table.indexes]
    ignore_label = parse.label()
    src_regs = 0
    loop_top = None
    end_label = parse.label()
    eph_cursor = -1
    reg_yield = 0

    if select is not None and single_row is None:
        src_regs = parse.alloc_reg(n_values)
        if triggers is not None or _select_reads_table(select, table.name):
            # Materialize the rows first so the insert cannot see its own rows.
            eph_cursor = parse.alloc_cursor()
            parse.emit("OpenEphemeral", eph_cursor, n_values)
            from pyrite.compile.select import compile_select
            compile_select(parse, select, SelectDest(SRT_TABLE, eph_cursor))
        else:
            reg_yield = parse.alloc_reg()
            init = parse.current_addr()
            parse.emit("InitCoroutine", reg_yield, 0, init + 1)
            from pyrite.compile.select import compile_select
            info = compile_select(parse, select,
                                  SelectDest(SRT_COROUTINE, reg_yield, sdst=src_regs,
                                             n_sdst=n_values))
            if info.n_columns != n_values:
                parse.error(f"table {table.name} has {len(targets)} columns but "
                            f"{info.n_columns} values were supplied")
            parse.emit("EndCoroutine", reg_yield)
            parse.builder.change_p2(init, parse.current_addr())

    upsert = begin_upsert(parse, table, stmt)
    autoinc = autoincrement_begin(parse, table)
    data_cursor, idx_cursors = open_table_and_indices(parse, table)

    if eph_cursor >= 0:
        parse.emit("Rewind", eph_cursor, end_label)
        loop_top = parse.current_addr()
        for i in range(n_values):
            parse.emit("Column", eph_cursor, i, src_regs + i)
    elif reg_yield:
        loop_top = parse.emit("Yield", reg_yield, end_label)

    # Build the new row: value registers, defaults, rowid.
    supplied = {}
    for k, ci in enumerate(targets):
        supplied[ci] = k
    ipk = table.rowid_alias
    rowid_source = supplied.get(ipk) if ipk >= 0 else supplied.get(sch.XN_ROWID)
    for i, col in enumerate(table.columns):
        reg = reg_new + 1 + i
        if i == ipk:
            parse.emit("Null", 0, reg)    # the record stores NULL for the alias
            continue
        k = supplied.get(i)
        if k is None:
            code_default(parse, col, reg)
        elif single_row is not None:
            code_constant(parse, single_row[k], reg)
        else:
            parse.emit("SCopy", src_regs + k, reg)
    rowid_given = rowid_source is not None
    if triggers is not None and triggers.has(TRIGGER_BEFORE):
        # NEW for the BEFORE triggers: the rowid is -1 unless given (it is
        # not chosen yet), the columns with their affinities applied.
        reg_cols = parse.alloc_reg(n_col + 1)
        if rowid_given:
            if single_row is not None:
                code_constant(parse, single_row[rowid_source], reg_cols)
            else:
                parse.emit("SCopy", src_regs + rowid_source, reg_cols)
            have = parse.label()
            parse.emit("NotNull", reg_cols, have)
            parse.emit("Integer", -1, reg_cols)
            parse.resolve(have)
            parse.emit("MustBeInt", reg_cols, 0)
        else:
            parse.emit("Integer", -1, reg_cols)
        parse.emit("Copy", reg_new + 1, reg_cols + 1, n_col - 1)
        gencol.compute_columns(parse, table, reg_cols)
        parse.emit("Affinity", reg_cols + 1, n_col, 0, table.affinity_string())
        code_row_triggers(parse, triggers, TRIGGER_BEFORE, 0, reg_cols, on_error, ignore_label)
    if rowid_given:
        if single_row is not None:
            code_constant(parse, single_row[rowid_source], reg_new)
        else:
            parse.emit("SCopy", src_regs + rowid_source, reg_new)
        have = parse.label()
        done_rowid = parse.label()
        parse.emit("NotNull", reg_new, have)
        parse.emit("NewRowid", data_cursor, reg_new, autoinc + 1 if autoinc else 0)
        parse.emit("Goto", 0, done_rowid)
        parse.resolve(have)
        parse.emit("MustBeInt", reg_new, 0)
        parse.resolve(done_rowid)
    elif table.has_rowid:
        parse.emit("NewRowid", data_cursor, reg_new, autoinc + 1 if autoinc else 0)
    else:
        parse.emit("Null", 0, reg_new)
    if _reads_row_before_record(parse, table, upsert):
        parse.emit("Affinity", reg_new + 1, n_col, 0, table.affinity_string())
    gencol.compute_columns(parse, table, reg_new)
    from pyrite.compile.checkdef import code_type_check
    code_type_check(parse, table, reg_new + 1)

    if upsert is not None:
        upsert.data_cursor, upsert.idx_cursors = data_cursor, idx_cursors
        upsert.reg_new, upsert.returning = reg_new, returning
    key_fields = generate_constraint_checks(parse, table, data_cursor, idx_cursors, reg_new, 0,
                                            rowid_given, on_error, ignore_label, key_regs,
                                            upsert=upsert)
    from pyrite.compile import fkey
    if fkey.fk_required(parse, table):
        fkey.fk_check(parse, table, 0, reg_new, multi_write=fkey.insert_is_multi_write(
            parse, table, single_row is not None and returning is None, on_error))
    complete_insertion(parse, table, data_cursor, idx_cursors, reg_new, key_regs,
                       is_update=False, key_fields=key_fields)
    if autoinc:
        parse.emit("MemMax", autoinc + 1, reg_new)
    parse.count_row()
    # RETURNING fires first of the AFTER triggers (see update.py)
    if returning is not None:
        returning.code_row(reg_new)
    code_row_triggers(parse, triggers, TRIGGER_AFTER, 0, reg_new, on_error, ignore_label)
    parse.resolve(ignore_label)
    if eph_cursor >= 0:
        parse.emit("Next", eph_cursor, loop_top)
    elif reg_yield:
        parse.emit("Goto", 0, loop_top)
    parse.resolve(end_label)
    parse.finish_coding()


# ---------------------------------------------------------------------------
# AUTOINCREMENT (sqlite3AutoincrementBegin / sqlite3AutoincrementEnd)
# ---------------------------------------------------------------------------

def autoincrement_begin(parse: Any, table: Any) -> int:
    """For an AUTOINCREMENT table, the first of four registers of the
    statement (table name, largest rowid so far made an integer as
    sqlite3VdbeIntValue does, rowid of the sqlite_sequence row or NULL, the
    largest rowid as loaded); 0 for other tables.  As in SQLite, the
    registers belong to the top-level statement, shared by the trigger
    programs that insert into the table: the statement loads them from
    sqlite_sequence in its init section and writes them back at its end
    (:func:`code_autoincrement_load` / :func:`autoincrement_end`, called by
    Parse.finish_coding)."""
    if not table.autoincrement:
        return 0
    seq = _sequence_table(parse, table)
    if seq is None:
        parse.error("no such table: sqlite_sequence")
    top = parse.toplevel or parse
    key = f"{table.db_index}.{fold_name(table.name)}"
    if key not in top.autoinc:
        top.autoinc[key] = (table, top.alloc_reg(4))
        top.code_verify_schema(table.db_index, write=True)
    return top.autoinc[key][1]


def _sequence_table(parse: Any, table: Any) -> Any:
    """The sqlite_sequence table of the database ``table`` is in."""
    return parse.db.find_table("sqlite_sequence", parse.db.db_name(table.db_index))


def code_autoincrement_load(parse: Any, table: Any, reg: int) -> None:
    """Load the sqlite_sequence entry of ``table`` into ``reg``.. (see
    :func:`autoincrement_begin`)."""
    seq = _sequence_table(parse, table)
    cursor = parse.alloc_cursor()
    parse.emit("String8", 0, reg, 0, table.name)
    parse.emit("Null", 0, reg + 1, reg + 3)
    parse.emit("OpenRead", cursor, seq.root, table.db_index, 2)
    done = parse.label()
    empty = parse.label()
    parse.emit("Rewind", cursor, empty)
    top = parse.current_addr()
    name = parse.alloc_reg()
    nxt = parse.label()
    parse.emit("Column", cursor, 0, name)
    parse.emit("Ne", reg, nxt, name, None, 0x10)
    parse.emit("Rowid", cursor, reg + 2)
    parse.emit("Column", cursor, 1, reg + 1)
    parse.emit("AddImm", reg + 1, 0)
    parse.emit("Copy", reg + 1, reg + 3)
    parse.emit("Goto", 0, done)
    parse.resolve(nxt)
    parse.emit("Next", cursor, top)
    parse.resolve(empty)
    parse.emit("Integer", 0, reg + 1)
    parse.resolve(done)
    parse.emit("Close", cursor)


def autoincrement_end(parse: Any, table: Any, reg: int) -> None:
    """Write the largest rowid back to sqlite_sequence when it grew."""
    seq = _sequence_table(parse, table)
    cursor = parse.alloc_cursor()
    skip = parse.label()
    parse.emit("Le", reg + 3, skip, reg + 1, None, 0)
    parse.emit("OpenWrite", cursor, seq.root, table.db_index, 2)
    have = parse.label()
    parse.emit("NotNull", reg + 2, have)
    parse.emit("NewRowid", cursor, reg + 2)
    parse.resolve(have)
    rec = parse.alloc_reg()
    parse.emit("MakeRecord", reg, 2, rec)
    parse.emit("Insert", cursor, rec, reg + 2, None, 0x08)
    parse.emit("Close", cursor)
    parse.resolve(skip)
