"""Compiler layer: foreign key constraints.

SQLite's counterpart is ``fkey.c``: sqlite3FkCheck (the checks coded for a
row written to a child or a parent table), fkLookupParent (does the parent
row of a child key exist?), fkScanChildren (how many child rows refer to a
parent key?), sqlite3FkLocateIndex (the parent's PRIMARY KEY or UNIQUE
index a foreign key maps to), sqlite3FkRequired, sqlite3FkDropTable and the
ON DELETE / ON UPDATE actions (fkActionTrigger, sqlite3FkActions), plus the
foreign key pragmas of ``pragma.c`` (foreign_keys, defer_foreign_keys,
foreign_key_list, foreign_key_check).

Violations are counted, not raised at once: FkCounter adds to the
statement's counter for immediate constraints (checked when the statement
halts) or to the connection's counter for DEFERRABLE INITIALLY DEFERRED ones
(checked at COMMIT); see ``vdbe/ops/fkey.py``.  A child row whose parent is
missing adds one, and removing that child row (or inserting the parent)
takes one away again.  Only a single-row INSERT outside triggers raises at
once, as SQLite does.

Registers of a row (``reg_old``/``reg_new``) are laid out as insert.py's:
the rowid in ``reg``, column ``i`` in ``reg + 1 + i``.

The actions are coded inline at the place SQLite runs its action trigger
programs: CASCADE/SET NULL/SET DEFAULT become a nested DELETE or UPDATE of
the child table (two-pass, through a RowSet, as a trigger's DELETE/UPDATE
step), RESTRICT a scan that fails the statement on the first child row.
Each action is a subroutine (Gosub/Return) reading the parent row from
registers of its own; an action that reaches itself again (a
self-referencing or cyclic CASCADE) calls that subroutine, saving the
registers of the running call around it (FkPushFrame/FkPopFrame), so the
recursion happens at run time without Python recursion.  SQLite runs the
actions as trigger sub-programs (OP_Program) instead.
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any

from pyrite import errors, values
from pyrite.compile import gencol
from pyrite.schema import schema as sch
from pyrite.sql import ast

P5_FOREIGNKEY = 4          # Halt P5: P5_ConstraintFK
SQLITE_JUMPIFNULL = 0x10
SQLITE_NOTNULL = 0x90


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

def fk_enabled(parse: Any) -> bool:
    """PRAGMA foreign_keys is on (SQLITE_ForeignKeys: read when compiling)."""
    return bool(getattr(parse.db, "foreign_keys", False))


def _defer_fks(parse: Any) -> bool:
    return bool(getattr(parse.db, "defer_foreign_keys", False))


def _references(parse: Any, table: Any) -> list[sch.ForeignKey]:
    dbs = getattr(parse.db, "dbs", None)
    schema = dbs[table.db_index].schema if dbs is not None \
        else getattr(parse.db, "schema", None)
    if schema is None or not hasattr(schema, "fk_references"):
        return []
    return schema.fk_references(table.name)


def _table_ref(parse: Any, table: Any) -> ast.TableRef:
    """A FROM item naming ``table`` in its own database."""
    return ast.TableRef(table.name, parse.db.db_name(table.db_index))


def _is_self_reference(table: Any, fk: sch.ForeignKey) -> bool:
    """A table referring to itself: an UPDATE always checks its child keys
    (moving a row's parent key may orphan the row itself)."""
    return fold_name(fk.to) == fold_name(table.name)


def _child_modified(table: Any, fk: sch.ForeignKey, changed: set[int],
                    rowid_changed: bool) -> bool:
    """fkChildIsModified: does the UPDATE assign a child key column?"""
    for c in fk.from_cols:
        if c in changed or (c == table.rowid_alias and rowid_changed):
            return True
    return False


def _parent_modified(table: Any, fk: sch.ForeignKey, changed: set[int],
                     rowid_changed: bool) -> bool:
    """fkParentIsModified: does the UPDATE assign a parent key column?"""
    for key in fk.to_cols:
        for i, col in enumerate(table.columns):
            if i in changed or (i == table.rowid_alias and rowid_changed):
                if key is not None:
                    if fold_name(col.name) == fold_name(key):
                        return True
                elif col.primary_key:
                    return True
    return False


def fk_required(parse: Any, table: Any, changed: set[int] | None = None,
                rowid_changed: bool = False) -> bool:
    """sqlite3FkRequired: must an INSERT/DELETE (``changed`` None) or an
    UPDATE of ``changed`` columns of ``table`` code foreign key work?"""
    if not fk_enabled(parse):
        return False
    if changed is None:
        return bool(table.foreign_keys) or bool(_references(parse, table))
    for fk in table.foreign_keys:
        if _is_self_reference(table, fk) or _child_modified(table, fk, changed, rowid_changed):
            return True
    for fk in _references(parse, table):
        if _parent_modified(table, fk, changed, rowid_changed):
            return True
    return False


# ---------------------------------------------------------------------------
# The parent key (sqlite3FkLocateIndex)
# ---------------------------------------------------------------------------

def locate_index(parse: Any, parent: Any, fk: sch.ForeignKey, quiet: bool = False
                 ) -> tuple[bool, Any, list[int] | None]:
    """Find the parent key of ``fk`` in ``parent``: ``(ok, index, ai_col)``.

    ``index`` is None when the key is the parent's INTEGER PRIMARY KEY;
    otherwise ``ai_col[i]`` is the child column matched with the index's
    i-th column.  When no PRIMARY KEY or UNIQUE index with the default
    collations fits, raise "foreign key mismatch" (or, ``quiet``, answer
    ``ok`` False)."""
    n = len(fk.from_cols)
    key = fk.to_cols[0]
    if n == 1 and parent.rowid_alias >= 0 and not parent.is_view:
        ipk_name = parent.columns[parent.rowid_alias].name
        if key is None or fold_name(key) == fold_name(ipk_name):
            return True, None, None
    for idx in reversed(parent.indexes):
        if idx.n_key_col != n or not idx.unique or idx.where is not None:
            continue
        if key is None:
            if idx.is_primary_key:
                return True, idx, list(fk.from_cols)
            continue
        ai: list[int] = []
        for i in range(n):
            icol = idx.columns[i]
            if icol < 0:
                break
            dflt = parent.columns[icol].collation or "BINARY"
            if fold_name(idx.collations[i]) != fold_name(dflt):
                break
            name = fold_name(parent.columns[icol].name)
            j = next((j for j, c in enumerate(fk.to_cols) if c is not None and fold_name(c) == name),
                     -1)
            if j < 0:
                break
            ai.append(fk.from_cols[j])
        if len(ai) == n:
            return True, idx, ai
    if not quiet:
        parse.error(f'foreign key mismatch - "{fk.table.name}" referencing "{fk.to}"')
    return False, None, None


def _find_parent(parse: Any, fk: sch.ForeignKey, quiet: bool = False) -> Any:
    db = fk.table.db_index
    parent = parse.db.find_table(fk.to, parse.db.db_name(db))
    if parent is None and not quiet:
        parse.error(f"no such table: {parse.db.db_name(db)}.{fk.to}")
    return parent


def engine_row() -> Any:
    """The step result meaning "a row" (compile may not import the engine
    at module level)."""
    from pyrite.vdbe.vm import StepResult
    return StepResult.ROW


def _reg_of(table: Any, reg: int, col: int) -> int:
    """The register of column ``col`` (-1 or the INTEGER PRIMARY KEY: the rowid)."""
    if col < 0 or col == table.rowid_alias:
        return reg
    return reg + 1 + col


# ---------------------------------------------------------------------------
# Checks on the child side (fkLookupParent)
# ---------------------------------------------------------------------------

def _lookup_parent(parse: Any, parent: Any, idx: Any, fk: sch.ForeignKey,
                   ai_col: list[int], reg_data: int, n_incr: int, multi_write: bool) -> None:
    """Code: when the child key in ``reg_data``.. is not NULL and no parent
    row has it, add ``n_incr`` to the constraint counter (or, for the
    single-row INSERT case, fail at once)."""
    child = fk.table
    ok = parse.label()
    if n_incr < 0:
        parse.emit("FkIfZero", int(fk.deferred), ok)
    for c in ai_col:
        parse.emit("IsNull", _reg_of(child, reg_data, c), ok)
    cursor = parse.alloc_cursor()
    if idx is None:
        tmp = parse.alloc_reg()
        parse.emit("SCopy", _reg_of(child, reg_data, ai_col[0]), tmp)
        must_be_int = parse.emit("MustBeInt", tmp, 0)
        if parent is child and n_incr == 1:
            # A row may be its own parent.
            parse.emit("Eq", reg_data, ok, tmp, None, SQLITE_NOTNULL)
        parse.emit("OpenRead", cursor, parent.root, parent.db_index, len(parent.columns))
        not_exists = parse.emit("NotExists", cursor, 0, tmp)
        parse.emit("Goto", 0, ok)
        parse.builder.change_p2(not_exists, parse.current_addr())
        parse.builder.change_p2(must_be_int, parse.current_addr())
    else:
        n = len(ai_col)
        regs = parse.alloc_reg(n)
        parse.emit("OpenRead", cursor, idx.root, parent.db_index, idx.key_info)
        for i, c in enumerate(ai_col):
            parse.emit("Copy", _reg_of(child, reg_data, c), regs + i)
        if parent is child and n_incr == 1:
            # The row being inserted may be its own parent: compare without
            # affinity (a child value of another type never matches itself).
            probe = parse.label()
            for i, c in enumerate(ai_col):
                pcol = idx.columns[i]
                parse.emit("Ne", _reg_of(child, reg_data, c), probe,
                           _reg_of(parent, reg_data, pcol), None, SQLITE_JUMPIFNULL)
            parse.emit("Goto", 0, ok)
            parse.resolve(probe)
        parse.emit("Affinity", regs, n, 0, idx.affinity_string()[:n])
        parse.emit("Found", cursor, ok, regs, n)
    if not fk.deferred and not _defer_fks(parse) and not multi_write:
        parse.emit("Halt", errors.SQLITE_CONSTRAINT_FOREIGNKEY, sch.OE_ABORT, 0, None,
                   P5_FOREIGNKEY)
    else:
        parse.emit("FkCounter", int(fk.deferred), n_incr)
    parse.resolve(ok)
    parse.emit("Close", cursor)


# ---------------------------------------------------------------------------
# Checks on the parent side (fkScanChildren)
# ---------------------------------------------------------------------------

def _child_src(parse: Any, child: Any) -> tuple[Any, Any]:
    from pyrite.compile.context import NameContext, SrcItem, SrcList
    item = SrcItem(name=child.name, alias=None, table=child, cursor=parse.alloc_cursor())
    return item, NameContext(SrcList([item]))


def _parent_value(parse: Any, parent: Any, reg_data: int, pcol: int,
                  trigger: bool = False) -> Any:
    """exprTableRegister: the parent key value held in a register, with the
    parent column's affinity and collation.  With ``trigger``, the value as
    an action's program sees ``old.col``/``new.col`` (TK_TRIGGER): no
    affinity, and the column's collation (BINARY by default) without the
    precedence of an explicit COLLATE."""
    from pyrite.compile.expr import RegRef
    if pcol < 0 or pcol == parent.rowid_alias:
        return RegRef(reg_data, values.AFF_INTEGER)
    col = parent.columns[pcol]
    coll = parse.find_collation(col.collation) if col.collation else None
    if trigger:
        return RegRef(reg_data + 1 + pcol, values.AFF_NONE, coll or values.BINARY, False)
    return RegRef(reg_data + 1 + pcol, col.affinity, coll, True)


def _child_key_where(parse: Any, parent: Any, idx: Any, fk: sch.ForeignKey,
                     ai_col: list[int] | None, reg_data: int, nc: Any) -> Any:
    """``parent-key = child-key AND ...`` resolved against the child table
    (the parent value on the left: its affinity and collation apply)."""
    from pyrite.compile.resolve import lookup_column
    child = fk.table
    where: Any = None
    for i in range(len(fk.from_cols)):
        pcol = idx.columns[i] if idx is not None else -1
        ccol = ai_col[i] if ai_col else fk.from_cols[0]
        right = lookup_column(parse, ast.Column(child.columns[ccol].name), nc)
        eq = ast.Binary("=", _parent_value(parse, parent, reg_data, pcol), right)
        where = eq if where is None else ast.Binary("AND", where, eq)
    return where


def _scan_children(parse: Any, parent: Any, idx: Any, fk: sch.ForeignKey,
                   ai_col: list[int] | None, reg_data: int, n_incr: int) -> None:
    """Code: add ``n_incr`` to the counter for each child row whose key
    equals the parent key in ``reg_data``.. (the row itself excepted when a
    self-referencing table gains a parent row)."""
    from pyrite.compile.expr import RegRef
    from pyrite.compile.resolve import ColumnRef
    from pyrite.compile.where import where_begin
    skip = None
    if n_incr < 0:
        skip = parse.emit("FkIfZero", int(fk.deferred), 0)
    child = fk.table
    item, nc = _child_src(parse, child)
    where = _child_key_where(parse, parent, idx, fk, ai_col, reg_data, nc)
    if parent is child and n_incr > 0:
        ne = ast.Binary("!=", RegRef(reg_data, values.AFF_INTEGER),
                        ColumnRef(cursor=item.cursor, column=-1, item=item,
                                  affinity=values.AFF_INTEGER, name="rowid"))
        where = ast.Binary("AND", where, ne)
    saved = parse.current_nc
    parse.current_nc = nc
    try:
        info = where_begin(parse, nc.src_list, where)
        parse.emit("FkCounter", int(fk.deferred), n_incr)
        info.end()
    finally:
        parse.current_nc = saved
    if skip is not None:
        parse.builder.change_p2(skip, parse.current_addr())


# ---------------------------------------------------------------------------
# sqlite3FkCheck
# ---------------------------------------------------------------------------

def fk_check(parse: Any, table: Any, reg_old: int, reg_new: int,
             changed: set[int] | None = None, rowid_changed: bool = False,
             multi_write: bool = True, drop: bool = False) -> None:
    """Code the foreign key checks for a row of ``table`` being removed (its
    values in ``reg_old``..) and/or written (``reg_new``..).  ``changed`` is
    the set of columns an UPDATE assigns (None for INSERT/DELETE);
    ``multi_write`` False for a single-row INSERT; ``drop`` for the implicit
    DELETE of DROP TABLE (a missing parent then counts as empty)."""
    if not fk_enabled(parse):
        return
    drop = drop or bool(getattr(parse, "fk_disable_triggers", False))
    for fk in table.foreign_keys:
        if changed is not None and not _is_self_reference(table, fk) \
                and not _child_modified(table, fk, changed, rowid_changed):
            continue
        parent = _find_parent(parse, fk, quiet=drop)
        ok = False
        idx = ai = None
        if parent is not None:
            ok, idx, ai = locate_index(parse, parent, fk, quiet=drop)
        if not ok:
            if parent is None and reg_old:
                # DROP TABLE of a child whose parent is gone: each row with
                # a non-NULL key had been counted once; take it back.
                done = parse.label()
                for c in fk.from_cols:
                    parse.emit("IsNull", _reg_of(table, reg_old, c), done)
                parse.emit("FkCounter", int(fk.deferred), -1)
                parse.resolve(done)
            continue
        ai_col = list(ai) if ai is not None else [fk.from_cols[0]]
        if reg_old:
            _lookup_parent(parse, parent, idx, fk, ai_col, reg_old, -1, multi_write)
        if reg_new and not _in_set_null_action(parse, fk):
            _lookup_parent(parse, parent, idx, fk, ai_col, reg_new, 1, multi_write)
    for fk in _references(parse, table):
        if changed is not None and not _parent_modified(table, fk, changed, rowid_changed):
            continue
        if not fk.deferred and not _defer_fks(parse) and not multi_write and not reg_old:
            # A single new parent row cannot resolve an immediate violation
            # still pending in this statement: there is none.
            continue
        ok, idx, ai = locate_index(parse, table, fk, quiet=drop)
        if not ok:
            continue
        if reg_new:
            _scan_children(parse, table, idx, fk, ai, reg_new, -1)
        if reg_old:
            _scan_children(parse, table, idx, fk, ai, reg_old, 1)


def _in_set_null_action(parse: Any, fk: sch.ForeignKey) -> bool:
    """isSetNullAction: are we coding the SET NULL action of ``fk`` itself
    (its new child keys are NULL by construction)?"""
    stack = getattr(parse, "fk_action_stack", None) or []
    return bool(stack) and stack[-1].fk is fk and stack[-1].action == sch.OE_SETNULL


# ---------------------------------------------------------------------------
# Pragmas
# ---------------------------------------------------------------------------

def pragma_foreign_keys(parse: Any, name: str, value: Any) -> None:
    """PRAGMA foreign_keys / defer_foreign_keys [= bool].  Like SQLite's
    flag pragmas this takes effect while the statement is prepared;
    foreign_keys cannot change inside a transaction (silently)."""
    from pyrite.compile.pragma import _int_value, _result_rows
    db = parse.db
    attr = "foreign_keys" if name == "foreign_keys" else "defer_foreign_keys"
    if value is None:
        _result_rows(parse, [name], [(1 if getattr(db, attr, False) else 0,)])
        return
    on = bool(_int_value(value))
    if attr == "foreign_keys" and not getattr(db, "autocommit", True):
        return
    setattr(db, attr, on)
    if attr == "defer_foreign_keys" and not on:
        db.fk_deferred_imm = 0


def pragma_foreign_key_list(parse: Any, name: str, value: Any) -> None:
    """PRAGMA foreign_key_list(table): one row per key column."""
    from pyrite.compile.pragma import _result_rows
    if value is None:
        return
    from pyrite.compile.pragma import _schema_name
    table = parse.db.find_table(str(value), _schema_name(parse))
    if table is None or table.is_view:
        return
    parse.code_verify_schema(table.db_index, write=False)
    rows = []
    for i, fk in enumerate(table.foreign_keys):
        for j, (c, to) in enumerate(zip(fk.from_cols, fk.to_cols, strict=True)):
            rows.append((i, j, fk.to, table.columns[c].name, to,
                         sch.FK_ACTION_NAMES[fk.on_update], sch.FK_ACTION_NAMES[fk.on_delete],
                         "NONE"))
    if rows:
        _result_rows(parse, ["id", "seq", "table", "from", "to", "on_update", "on_delete",
                             "match"], rows)


def pragma_foreign_key_check(parse: Any, name: str, value: Any) -> None:
    """PRAGMA foreign_key_check[(table)]: a row (table, rowid, parent, fkid)
    for each child row whose parent key is missing."""
    collect = getattr(parse, "collect_rows", None)
    if collect is not None:
        # The pragma_foreign_key_check table: run the pragma's program.
        sql = "PRAGMA foreign_key_check" + ("" if value is None else
                                            "(\"" + str(value).replace('"', '""') + "\")")
        stmt, _ = parse.db.prepare(sql)
        rows = []
        try:
            while stmt.step() == engine_row():
                rows.append(stmt.row())
        finally:
            stmt.finalize()
        collect(["table", "rowid", "parent", "fkid"], rows)
        return
    from pyrite.compile.pragma import _pragma_db, _schema_name
    db = _pragma_db(parse)
    if value is not None:
        table = parse.db.find_table(str(value), _schema_name(parse))
        if table is None:
            parse.error(f"no such table: {value}")
        db = table.db_index
        tables = [table]
    else:
        # SQLite walks its table hash, which holds the newest table first.
        tables = list(parse.db.dbs[db].schema.tables.values())[::-1]
    parse.code_verify_schema(db, write=False)
    parse.set_result_columns(["table", "rowid", "parent", "fkid"], [None] * 4)
    res = parse.alloc_reg(4)
    for table in tables:
        if table.is_view or not table.foreign_keys:
            continue
        plans = []
        for fk in table.foreign_keys:
            parent = _find_parent(parse, fk, quiet=True)
            if parent is None:
                plans.append((fk, None, None, None))
                continue
            _, idx, ai = locate_index(parse, parent, fk)
            plans.append((fk, parent, idx, ai))
        cursor = parse.alloc_cursor()
        from pyrite.compile.rowkey import open_table
        open_table(parse, "OpenRead", cursor, table)
        parent_cursors = []
        for _fk, parent, idx, _ai in plans:
            pc = parse.alloc_cursor()
            parent_cursors.append(pc)
            if parent is None:
                continue
            if idx is None:
                parse.emit("OpenRead", pc, parent.root, parent.db_index, len(parent.columns))
            else:
                parse.emit("OpenRead", pc, idx.root, parent.db_index, idx.key_info)
        parse.emit("String8", 0, res, 0, table.name)
        top = parse.emit("Rewind", cursor, 0)
        for k, ((fk, parent, idx, ai), pc) in enumerate(zip(plans, parent_cursors, strict=True)):
            ok = parse.label()
            cols = ai if ai is not None else fk.from_cols
            n = len(cols)
            regs = parse.alloc_reg(n)
            for j, c in enumerate(cols):
                if c == table.rowid_alias:
                    parse.emit("Rowid", cursor, regs + j)
                elif gencol.is_virtual(table.columns[c]):
                    gencol.code_virtual_column(parse, table, cursor, c, regs + j)
                else:
                    parse.emit("Column", cursor, gencol.storage_column(table, c), regs + j)
                parse.emit("IsNull", regs + j, ok)
            if parent is not None and idx is not None:
                parse.emit("Affinity", regs, n, 0, idx.affinity_string()[:n])
                parse.emit("Found", pc, ok, regs, n)
            elif parent is not None:
                jump = parse.current_addr() + 2
                parse.emit("SeekRowid", pc, jump, regs)
                parse.emit("Goto", 0, ok)
            if table.has_rowid:
                parse.emit("Rowid", cursor, res + 1)
            else:
                parse.emit("Null", 0, res + 1)
            parse.emit("String8", 0, res + 2, 0, fk.to)
            parse.emit("Integer", k, res + 3)
            parse.emit("ResultRow", res, 4)
            parse.resolve(ok)
        parse.emit("Next", cursor, top + 1)
        parse.builder.change_p2(top, parse.current_addr())


# ---------------------------------------------------------------------------
# Hooks for insert.py / delete.py / update.py
# ---------------------------------------------------------------------------

def insert_is_multi_write(parse: Any, table: Any, single_row: bool, on_error: int) -> bool:
    """Whether an INSERT may write more than one row (pParse->isMultiWrite):
    anything but a single VALUES row without REPLACE conflict handling."""
    if not single_row or getattr(parse, "fk_action_stack", None):
        return True
    if on_error == sch.OE_REPLACE or table.pk_conflict == sch.OE_REPLACE:
        return True
    if any(idx.on_conflict == sch.OE_REPLACE for idx in table.indexes):
        return True
    parse.fk_single_write = True
    return False


def begin_row_delete(parse: Any, table: Any, data_cursor: int, reg_rowid: int) -> int:
    """Before a row is deleted: load it into registers and code its checks;
    returns the register block (for :func:`fk_actions` after the delete)."""
    from pyrite.compile.returning import load_row
    reg_old = load_row(parse, table, data_cursor, reg_rowid)
    fk_check(parse, table, reg_old, 0)
    return reg_old


def fk_actions(parse: Any, table: Any, reg_old: int, reg_new: int = 0,
               changed: set[int] | None = None, rowid_changed: bool = False) -> None:
    """sqlite3FkActions: the ON DELETE (``changed`` None) or ON UPDATE actions
    of the foreign keys referring to ``table`` for the row that was in
    ``reg_old``.. (now ``reg_new``.. for an UPDATE)."""
    if not fk_enabled(parse):
        return
    for fk in _references(parse, table):
        if changed is not None and not _parent_modified(table, fk, changed, rowid_changed):
            continue
        action = fk.on_delete if changed is None else fk.on_update
        if action == sch.OE_NONE or (action == sch.OE_RESTRICT and _defer_fks(parse)):
            continue
        ok, idx, ai = locate_index(parse, table, fk, quiet=True)
        if not ok:
            continue
        stack = parse.__dict__.setdefault("fk_action_stack", [])
        frame = next((f for f in stack if f.fk is fk and f.action == action), None)
        if frame is not None:
            _code_recursive_call(parse, table, frame, reg_old, reg_new)
            continue
        n = len(table.columns) + 1
        frame = _ActionFrame(fk, action, parse.label(), parse.alloc_reg())
        reg_count = parse.alloc_reg()
        frame.reg_old = parse.alloc_reg(n)
        parse.emit("Copy", reg_old, frame.reg_old, n - 1)
        if changed is not None:
            frame.reg_new = parse.alloc_reg(n)
            parse.emit("Copy", reg_new, frame.reg_new, n - 1)
        after = parse.label()
        parse.emit("Gosub", frame.ret, frame.entry)
        parse.emit("Goto", 0, after)
        parse.resolve(frame.entry)
        parse.emit("FkBeginCount", reg_count)
        stack.append(frame)
        saved = getattr(parse, "fk_disable_triggers", False)
        parse.fk_disable_triggers = False      # actions run as fresh trigger programs
        try:
            _code_action(parse, table, fk, idx, ai, action, frame.reg_old, frame.reg_new,
                         changed is not None)
        finally:
            stack.pop()
            parse.fk_disable_triggers = saved
        parse.emit("FkEndCount", reg_count)
        parse.emit("Return", frame.ret)
        parse.resolve(after)
        # The frame: every register the action's code allocated.
        n_frame = parse.builder.n_registers + 1 - frame.ret
        for addr in frame.calls:
            parse.builder.change_p2(addr, n_frame)


class _ActionFrame:
    """An action being coded: its subroutine entry, return register (the
    first register of its frame), the registers holding the parent row, and
    the FkPushFrame/FkPopFrame instructions of its recursive calls (their
    frame size is known once the action is coded)."""

    def __init__(self, fk: sch.ForeignKey, action: int, entry: int, ret: int) -> None:
        self.fk = fk
        self.action = action
        self.entry = entry
        self.ret = ret
        self.reg_old = 0
        self.reg_new = 0
        self.calls: list[int] = []


def _code_recursive_call(parse: Any, table: Any, frame: _ActionFrame, reg_old: int,
                         reg_new: int) -> None:
    """Run an action again from inside itself: save its frame, pass the
    row, Gosub, restore."""
    n = len(table.columns) + 1
    frame.calls.append(parse.emit("FkPushFrame", frame.ret, 0))
    parse.emit("Copy", reg_old, frame.reg_old, n - 1)
    if frame.reg_new:
        parse.emit("Copy", reg_new, frame.reg_new, n - 1)
    parse.emit("Gosub", frame.ret, frame.entry)
    frame.calls.append(parse.emit("FkPopFrame", frame.ret, 0))


def _code_action(parse: Any, parent: Any, fk: sch.ForeignKey, idx: Any, ai: list[int] | None,
                 action: int, reg_old: int, reg_new: int, is_update: bool) -> None:
    """The body of fkActionTrigger's program, coded inline: for the child
    rows whose key equals the old parent key, RESTRICT fails, CASCADE
    deletes them (ON DELETE) or copies the new key (ON UPDATE), SET NULL and
    SET DEFAULT assign their key columns."""
    skip = parse.label()
    if is_update:
        # WHEN NOT (old.k IS new.k AND ...): nothing to do if the key kept its value.
        changed = parse.label()
        for i in range(len(fk.from_cols)):
            pcol = idx.columns[i] if idx is not None else -1
            col = parent.columns[pcol] if pcol >= 0 else None
            coll = parse.find_collation(col.collation) if col is not None and col.collation \
                else None
            parse.emit("Ne", _reg_of(parent, reg_new, pcol), changed,
                       _reg_of(parent, reg_old, pcol), coll, 0x80)
        parse.emit("Goto", 0, skip)
        parse.resolve(changed)
    child = fk.table
    where: Any = None
    for i in range(len(fk.from_cols)):
        pcol = idx.columns[i] if idx is not None else -1
        ccol = ai[i] if ai else fk.from_cols[0]
        eq = ast.Binary("=", _parent_value(parse, parent, reg_old, pcol, trigger=True),
                        ast.Column(child.columns[ccol].name))
        where = eq if where is None else ast.Binary("AND", where, eq)
    if action == sch.OE_RESTRICT:
        _code_restrict(parse, child, where)
    elif action == sch.OE_CASCADE and not is_update:
        _code_child_delete(parse, child, where)
    else:
        exprs: dict[int, Any] = {}
        for i in range(len(fk.from_cols)):
            pcol = idx.columns[i] if idx is not None else -1
            ccol = ai[i] if ai else fk.from_cols[0]
            if action == sch.OE_CASCADE:
                value: Any = _parent_value(parse, parent, reg_new, pcol, trigger=True)
            elif action == sch.OE_SETDFLT and child.columns[ccol].default is not None \
                    and not child.columns[ccol].is_generated:
                value = child.columns[ccol].default
            else:
                value = ast.Literal(None)
            exprs[sch.XN_ROWID if ccol == child.rowid_alias else ccol] = value
        _code_child_update(parse, child, where, exprs)
    parse.resolve(skip)


def _code_restrict(parse: Any, child: Any, where: Any) -> None:
    """SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed') FROM child WHERE ..."""
    from pyrite.compile.resolve import resolve_expr
    from pyrite.compile.where import where_begin
    _, nc = _child_src(parse, child)
    resolved = resolve_expr(parse, where, nc)
    saved = parse.current_nc
    parse.current_nc = nc
    try:
        info = where_begin(parse, nc.src_list, resolved)
        parse.emit("Halt", errors.SQLITE_CONSTRAINT_TRIGGER, sch.OE_ABORT, 0,
                   "FOREIGN KEY constraint failed", 0)
        info.end()
    finally:
        parse.current_nc = saved


def _code_child_delete(parse: Any, child: Any, where: Any) -> None:
    """DELETE FROM child WHERE ... (a trigger step: its changes count in
    total_changes() only, see FkBeginCount)."""
    from pyrite.compile.delete import collect_rowids
    from pyrite.compile.insert import generate_row_delete, open_table_and_indices
    from pyrite.compile.rowkey import code_seek_row
    keys = collect_rowids(parse, _table_ref(parse, child), child, where)
    data_cursor, idx_cursors = open_table_and_indices(parse, child)
    rowid = parse.alloc_reg()
    done = parse.label()
    next_row = keys.code_read(parse, done, rowid)
    code_seek_row(parse, child, data_cursor, next_row, rowid)
    generate_row_delete(parse, child, data_cursor, idx_cursors, count=True, reg_rowid=rowid,
                        triggers=_child_triggers(parse, child, "DELETE"), on_error=sch.OE_ABORT)
    keys.code_next(parse)
    parse.resolve(done)


def _child_triggers(parse: Any, child: Any, op: str, changed: set[str] | None = None) -> Any:
    """The child table's own triggers, which an action's DELETE or UPDATE
    fires like any other (they run with ABORT conflict handling, as the
    action itself does)."""
    if getattr(parse, "fk_disable_triggers", False):
        return None
    from pyrite.compile.trigger import begin_triggers
    return begin_triggers(parse, child, op, changed)


def _code_child_update(parse: Any, child: Any, where: Any, exprs: dict[int, Any]) -> None:
    """UPDATE child SET key = ... WHERE ... (a trigger step, OR ABORT)."""
    from pyrite.compile.context import NameContext, SrcItem, SrcList
    from pyrite.compile.delete import collect_rowids
    from pyrite.compile.insert import open_table_and_indices
    from pyrite.compile.resolve import resolve_expr
    from pyrite.compile.update import Assignments, code_update_row, make_value_coder
    from pyrite.compile.rowkey import code_seek_row
    keys = collect_rowids(parse, _table_ref(parse, child), child, where)
    data_cursor, idx_cursors = open_table_and_indices(parse, child)
    reg_old = parse.alloc_reg()
    done = parse.label()
    next_row = keys.code_read(parse, done, reg_old)
    code_seek_row(parse, child, data_cursor, next_row, reg_old)
    item = SrcItem(name=child.name, alias=None, table=child, cursor=data_cursor)
    nc = NameContext(SrcList([item]))
    assign = Assignments(exprs=dict(exprs))
    code_value = make_value_coder(parse, assign, lambda e: resolve_expr(parse, e, nc), nc)
    changed = {fold_name(child.columns[c].name) if c != sch.XN_ROWID
               else fold_name(child.columns[child.rowid_alias].name) for c in exprs}
    code_update_row(parse, child, data_cursor, idx_cursors, reg_old, assign, code_value,
                    sch.OE_ABORT, next_row,
                    triggers=_child_triggers(parse, child, "UPDATE", changed))
    keys.code_next(parse)
    parse.resolve(done)


def fk_drop_table(parse: Any, table: Any) -> None:
    """sqlite3FkDropTable: before DROP TABLE drops a parent (or a child of a
    deferred constraint), delete its rows as DELETE would, missing parents
    and mismatched keys ignored, then fail on immediate violations before
    the schema changes."""
    if not fk_enabled(parse) or table.is_view:
        return
    skip = None
    if not _references(parse, table):
        if not any(fk.deferred for fk in table.foreign_keys) and not _defer_fks(parse):
            return
        skip = parse.label()
        parse.emit("FkIfZero", 1, skip)
    from pyrite.compile.delete import collect_rowids
    from pyrite.compile.insert import generate_row_delete, open_table_and_indices
    parse.fk_disable_triggers = True
    try:
        from pyrite.compile.rowkey import code_seek_row
        keys = collect_rowids(parse, _table_ref(parse, table), table, None)
        data_cursor, idx_cursors = open_table_and_indices(parse, table)
        rowid = parse.alloc_reg()
        done = parse.label()
        next_row = keys.code_read(parse, done, rowid)
        code_seek_row(parse, table, data_cursor, next_row, rowid)
        generate_row_delete(parse, table, data_cursor, idx_cursors, count=False,
                            reg_rowid=rowid)
        keys.code_next(parse)
        parse.resolve(done)
        parse.emit("Close", data_cursor)
        for c in idx_cursors:
            if c != data_cursor:
                parse.emit("Close", c)
    finally:
        parse.fk_disable_triggers = False
    if not _defer_fks(parse):
        parse.emit("FkIfZero", 0, parse.current_addr() + 2)
        parse.emit("Halt", errors.SQLITE_CONSTRAINT_FOREIGNKEY, sch.OE_ABORT, 0, None,
                   P5_FOREIGNKEY)
    if skip is not None:
        parse.resolve(skip)
