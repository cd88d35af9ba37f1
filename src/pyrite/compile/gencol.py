"""Compiler layer: generated columns and index expressions.

SQLite's counterparts are the generated-column parts of ``build.c``
(sqlite3AddGenerated, sqlite3TableColumnToStorage), ``insert.c``
(sqlite3ComputeGeneratedColumns), ``expr.c`` (sqlite3ExprCodeGeneratedColumn)
and the checks of ``resolve.c`` (sqlite3ResolveSelfReference with
NC_GenCol / NC_IdxExpr).

Column numbering: a table's columns keep their declared numbers everywhere
in the compiler (register layout of a new row included); only the stored
record skips VIRTUAL columns, so a column's *storage* number is the count of
non-VIRTUAL columns before it (:func:`storage_column`).
"""

from __future__ import annotations
from pyrite.values import fold_name

import dataclasses
from typing import Any

from pyrite import values
from pyrite.schema import schema as sch
from pyrite.sql import ast

_ROWID_NAMES = ("rowid", "oid", "_rowid_")


# ---------------------------------------------------------------------------
# Column / storage numbering
# ---------------------------------------------------------------------------

def is_virtual(col: Any) -> bool:
    return getattr(col, "generated", None) is not None and not getattr(col, "stored", False)


def is_generated(col: Any) -> bool:
    return getattr(col, "generated", None) is not None


def has_virtual(table: Any) -> bool:
    return any(is_virtual(c) for c in getattr(table, "columns", ()))


def has_generated(table: Any) -> bool:
    return any(is_generated(c) for c in getattr(table, "columns", ()))


def storage_column(table: Any, ci: int) -> int:
    """The field number of table column ``ci`` in the stored record (for a
    WITHOUT ROWID table, its place in the PRIMARY KEY index's record:
    sqlite3TableColumnToIndex)."""
    if ci < 0:
        return ci
    if getattr(table, "without_rowid", False):
        pk = table.primary_key_index()
        if pk is not None and ci in pk.columns:
            return pk.columns.index(ci)
    cols = getattr(table, "columns", ())
    n = 0
    for i in range(min(ci, len(cols))):
        if not is_virtual(cols[i]):
            n += 1
    return n


def storage_affinity_string(table: Any) -> str:
    return "".join(c.affinity for c in table.columns if not is_virtual(c))


# ---------------------------------------------------------------------------
# CREATE TABLE / ALTER TABLE checks
# ---------------------------------------------------------------------------

def _walk(node: Any, fn: Any) -> None:
    fn(node)
    if isinstance(node, ast.Node):
        for f in dataclasses.fields(node):
            v = getattr(node, f.name)
            if isinstance(v, (ast.Node, tuple, list)):
                _walk(v, fn)
    elif isinstance(node, (tuple, list)):
        for x in node:
            _walk(x, fn)


def check_expr_shape(parse: Any, expr: ast.Expr, what: str, table: Any,
                     allow_dot: bool = False) -> None:
    """Errors SQLite raises while resolving a generated column / index
    expression: subqueries, parameters, the "." operator, the rowid."""
    def visit(e: Any) -> None:
        if isinstance(e, (ast.Subquery, ast.Exists)) or (
                isinstance(e, ast.In) and getattr(e, "select", None) is not None):
            parse.error(f"subqueries prohibited in {what}")
        if isinstance(e, ast.Variable):
            parse.error(f"parameters prohibited in {what}")
        if isinstance(e, ast.Column):
            if e.table is not None and not allow_dot:
                parse.error(f'the "." operator prohibited in {what}')
            if (fold_name(e.name) in _ROWID_NAMES and table.column_index(e.name) < 0
                    and what == "generated columns"):
                parse.error(f"no such column: {e.name}")
    _walk(expr, visit)


def check_deterministic(parse: Any, resolved: Any, what: str) -> None:
    from pyrite.compile.resolve import FuncRef
    from pyrite.vdbe.functions.base import DETERMINISTIC

    def visit(e: Any) -> None:
        if isinstance(e, FuncRef) and not (e.funcdef.flags & DETERMINISTIC):
            parse.error(f"non-deterministic functions prohibited in {what}")
    _walk(resolved, visit)


def validate_table(parse: Any, table: Any, stmt: ast.CreateTable | None = None) -> None:
    """CREATE TABLE checks of generated columns (sqlite3AddGenerated,
    sqlite3EndTable)."""
    from pyrite.compile.build import resolve_on_table
    if stmt is not None:
        for cdef in stmt.columns:
            gen = None
            default_before = False
            for c in cdef.constraints:
                if isinstance(c, ast.DefaultConstraint):
                    if gen is not None:
                        parse.error("cannot use DEFAULT on a generated column")
                    default_before = True
                elif isinstance(c, ast.GeneratedConstraint):
                    gen = c
                    if default_before:
                        parse.error(f'error in generated column "{cdef.name}"')
    gens = [c for c in table.columns if is_generated(c)]
    if not gens:
        return
    for ci in table.pk_columns:
        if is_generated(table.columns[ci]):
            parse.error("generated columns cannot be part of the PRIMARY KEY")
    if table.rowid_alias >= 0 and is_generated(table.columns[table.rowid_alias]):
        parse.error("generated columns cannot be part of the PRIMARY KEY")
    for col in gens:
        resolved = resolve_on_table(parse, table, -999, col.generated)
        check_expr_shape(parse, col.generated, "generated columns", table)
        _check_current_time(parse, col.generated, "generated columns")
        check_deterministic(parse, resolved, "generated columns")
    if all(is_generated(c) for c in table.columns):
        parse.error("must have at least one non-generated column")


# ---------------------------------------------------------------------------
# Reading a VIRTUAL column through a table cursor
# ---------------------------------------------------------------------------

def _busy(parse: Any) -> list[tuple[int, int, str]]:
    busy = getattr(parse, "_gencol_busy", None)
    if busy is None:
        busy = []
        parse._gencol_busy = busy
    return busy


def code_virtual_column(parse: Any, table: Any, cursor: int, ci: int, target: int) -> int:
    """Compute virtual column ``ci`` of the row under ``cursor`` into
    ``target`` with the column's affinity (sqlite3ExprCodeGeneratedColumn)."""
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.expr import code_expr
    col = table.columns[ci]
    key = (id(table), ci, col.name)
    busy = _busy(parse)
    if key in busy:
        # SQLite names the column whose expression closed the loop.
        parse.error(f'generated column loop on "{busy[-1][2]}"')
    busy.append(key)
    try:
        resolved = resolve_on_table(parse, table, cursor, col.generated)
        with pure_context(parse, PURE_GENCOL):
            r = code_expr(parse, resolved, target)
        if r != target:
            parse.emit("SCopy", r, target)
    finally:
        busy.pop()
    _code_affinity(parse, col, target)
    return target


def _code_affinity(parse: Any, col: Any, reg: int) -> None:
    if col.affinity not in (values.AFF_BLOB, values.AFF_NONE):
        parse.emit("Affinity", reg, 1, 0, col.affinity)


# ---------------------------------------------------------------------------
# A new row in registers: compute the generated columns
# ---------------------------------------------------------------------------

def _referenced_columns(table: Any, expr: ast.Expr) -> list[int]:
    out: list[int] = []

    def visit(e: Any) -> None:
        if isinstance(e, ast.Column) and e.table is None:
            ci = table.column_index(e.name)
            if ci >= 0:
                out.append(ci)
    _walk(expr, visit)
    return out


def compute_columns(parse: Any, table: Any, reg_new: int) -> None:
    """Fill the generated columns of the new row held in ``reg_new``..,
    each after the generated columns it uses (sqlite3ComputeGeneratedColumns)."""
    if not has_generated(table):
        return
    from pyrite.compile.expr import code_expr
    from pyrite.compile.insert import resolve_on_registers
    done: set[int] = set()
    busy: list[int] = []

    def compute(ci: int) -> None:
        if ci in done:
            return
        col = table.columns[ci]
        if ci in busy:
            parse.error(f'generated column loop on "{table.columns[busy[-1]].name}"')
        busy.append(ci)
        for dep in _referenced_columns(table, col.generated):
            if is_generated(table.columns[dep]):
                compute(dep)
        busy.pop()
        reg = reg_new + 1 + ci
        resolved = resolve_on_registers(parse, table, col.generated, reg_new)
        with pure_context(parse, PURE_GENCOL):
            r = code_expr(parse, resolved, reg)
        if r != reg:
            parse.emit("SCopy", r, reg)
        _code_affinity(parse, col, reg)
        done.add(ci)

    for i, col in enumerate(table.columns):
        if is_generated(col):
            compute(i)


def record_source(parse: Any, table: Any, reg_new: int) -> tuple[int, int, str]:
    """(first register, count, affinity string) of the stored record of the
    new row in ``reg_new``..: VIRTUAL columns are left out."""
    n = len(table.columns)
    if getattr(table, "without_rowid", False):
        pk = table.primary_key_index()
        base = parse.alloc_reg(len(pk.columns))
        for k, i in enumerate(pk.columns):
            parse.emit("SCopy", reg_new + 1 + i, base + k)
        return base, len(pk.columns), pk.affinity_string()
    if not has_virtual(table):
        return reg_new + 1, n, table.affinity_string()
    stored = [i for i, c in enumerate(table.columns) if not is_virtual(c)]
    base = parse.alloc_reg(len(stored))
    for k, i in enumerate(stored):
        parse.emit("SCopy", reg_new + 1 + i, base + k)
    return base, len(stored), storage_affinity_string(table)


# ---------------------------------------------------------------------------
# DML checks
# ---------------------------------------------------------------------------

def check_insert_targets(parse: Any, table: Any, targets: list[int]) -> None:
    for ci in targets:
        if ci >= 0 and is_generated(table.columns[ci]):
            parse.error(f'cannot INSERT into generated column "{table.columns[ci].name}"')


def check_update_column(parse: Any, table: Any, ci: int) -> None:
    if ci >= 0 and is_generated(table.columns[ci]):
        parse.error(f'cannot UPDATE generated column "{table.columns[ci].name}"')


# ---------------------------------------------------------------------------
# Index keys
# ---------------------------------------------------------------------------

def code_index_expr(parse: Any, table: Any, index: Any, i: int, cursor: int,
                    target: int) -> None:
    """Code index expression field ``i`` of the row under ``cursor``."""
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.expr import code_expr
    resolved = resolve_on_table(parse, table, cursor, index.exprs[i])
    with pure_context(parse, PURE_INDEX):
        r = code_expr(parse, resolved, target)
    if r != target:
        parse.emit("SCopy", r, target)


def code_index_expr_regs(parse: Any, table: Any, index: Any, i: int, reg_new: int,
                         target: int) -> None:
    """Code index expression field ``i`` of the new row in ``reg_new``.."""
    from pyrite.compile.expr import code_expr
    from pyrite.compile.insert import resolve_on_registers
    resolved = resolve_on_registers(parse, table, index.exprs[i], reg_new)
    with pure_context(parse, PURE_INDEX):
        r = code_expr(parse, resolved, target)
    if r != target:
        parse.emit("SCopy", r, target)


# ---------------------------------------------------------------------------
# ALTER TABLE
# ---------------------------------------------------------------------------

def check_altered_table(parse: Any, table: Any, new_sql: str, verb: str) -> Any:
    """Check the generated columns of ``table`` as ``new_sql`` (the CREATE
    TABLE text after ALTER TABLE ADD/DROP COLUMN) defines it; errors read
    "error in table T after <verb>: ..." as SQLite's renameTestSchema."""
    from pyrite import errors
    from pyrite.sql.parser import parse as parse_sql
    try:
        stmt = parse_sql(new_sql)[0]
        assert isinstance(stmt, ast.CreateTable)
        new = sch.table_from_ast(stmt, new_sql)
        validate_table(parse, new, stmt)
        from pyrite.compile.build import resolve_on_table
        from pyrite.compile.checkdef import validate_checks
        validate_checks(parse, new)
        for chk in new.checks:
            resolve_on_table(parse, new, -999, chk.expr)
    except errors.Error as e:
        parse.error(f"error in table {table.name} after {verb}: {e}")
    return new


def code_added_column_check(parse: Any, table: Any, new: Any) -> None:
    """After ADD COLUMN of a NOT NULL generated column or to a table with
    CHECK constraints, fail on the first existing row that violates a NOT
    NULL or CHECK constraint of the new definition (SQLite runs
    pragma_quick_check: "NOT NULL constraint failed" / "CHECK constraint
    failed")."""
    from pyrite import errors
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.expr import code_expr, code_if_true
    cursor = parse.alloc_cursor()
    from pyrite.compile.rowkey import table_p4
    parse.emit("OpenRead", cursor, table.root, table.db_index, table_p4(new))
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    reg = parse.alloc_reg()
    for i, col in enumerate(new.columns):
        if not col.not_null or i == new.rowid_alias:
            continue
        r = code_expr(parse, resolve_on_table(parse, new, cursor, ast.Column(col.name)), reg)
        ok = parse.label()
        parse.emit("NotNull", r, ok)
        parse.emit("Halt", errors.SQLITE_ERROR, sch.OE_ABORT, 0, "NOT NULL constraint failed")
        parse.resolve(ok)
    for chk in new.checks:
        ok = parse.label()
        expr = resolve_on_table(parse, new, cursor, chk.expr)
        with pure_context(parse, PURE_CHECK):
            code_if_true(parse, expr, ok, True)
        parse.emit("Halt", errors.SQLITE_ERROR, sch.OE_ABORT, 0, "CHECK constraint failed")
        parse.resolve(ok)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    parse.emit("Close", cursor)


# ---------------------------------------------------------------------------
# Functions coded inside a CHECK constraint, index expression or generated
# column (SQLite's OP_PureFunc): 'now' in a date function is an error there
# ---------------------------------------------------------------------------

PURE_CHECK = "a CHECK constraint"
PURE_INDEX = "an index"
PURE_GENCOL = "a generated column"

_pure_cache: dict[tuple[int, str], Any] = {}


def pure_funcdef(fd: Any, where: str) -> Any:
    """A FuncDef calling ``fd`` with the connection marked as evaluating
    ``where`` (read by sqlite3NotPureFunc's counterpart, :func:`not_pure`)."""
    key = (id(fd), where)
    hit = _pure_cache.get(key)
    if hit is not None and hit[0] is fd:
        return hit[1]
    from pyrite.vdbe.functions.base import NEEDS_CONTEXT, FuncDef
    inner = fd.func
    pass_ctx = bool(fd.flags & NEEDS_CONTEXT)

    def call(ctx: Any, *args: Any) -> Any:
        saved = getattr(ctx, "pure_context", None)
        try:
            ctx.pure_context = (fd.name, where)
        except AttributeError:
            pass
        try:
            return inner(ctx, *args) if pass_ctx else inner(*args)
        finally:
            try:
                ctx.pure_context = saved
            except AttributeError:
                pass
    new = FuncDef(fd.name, fd.n_arg, call, fd.flags | NEEDS_CONTEXT, fd.min_arg)
    _pure_cache[key] = (fd, new)
    return new


class pure_context:
    """``with pure_context(parse, where):`` code functions as OP_PureFunc."""

    def __init__(self, parse: Any, where: str) -> None:
        self.parse = parse
        self.where = where

    def __enter__(self) -> None:
        self.saved = getattr(self.parse, "pure_context", None)
        self.saved_factor = self.parse.ok_const_factor
        self.parse.pure_context = self.where
        self.parse.ok_const_factor = False

    def __exit__(self, *exc: Any) -> None:
        self.parse.pure_context = self.saved
        self.parse.ok_const_factor = self.saved_factor


# ---------------------------------------------------------------------------
# CREATE INDEX on expressions
# ---------------------------------------------------------------------------

def _check_current_time(parse: Any, expr: Any, what: str) -> None:
    def visit(e: Any) -> None:
        if isinstance(e, ast.CurrentTime):
            parse.error(f"non-deterministic functions prohibited in {what}")
    _walk(expr, visit)


def validate_index(parse: Any, table: Any, index: Any) -> None:
    """Checks of an index's expressions (sqlite3ResolveSelfReference with
    NC_IdxExpr): no subqueries, parameters, "." or non-deterministic
    functions; every name a column of the table."""
    from pyrite.compile.build import resolve_on_table
    what = "index expressions"
    for e in index.exprs:
        if e is None:
            continue
        resolved = resolve_on_table(parse, table, -999, e)
        check_expr_shape(parse, e, what, table)
        _check_current_time(parse, e, what)
        check_deterministic(parse, resolved, what)
    if index.where is not None:
        what = "partial index WHERE clauses"
        resolved = resolve_on_table(parse, table, -999, index.where)
        check_expr_shape(parse, index.where, what, table, allow_dot=True)
        _check_current_time(parse, index.where, what)
        check_deterministic(parse, resolved, what)


# ---------------------------------------------------------------------------
# The planner: a WHERE operand that is an index expression
# ---------------------------------------------------------------------------

def same_expr(a: Any, b: Any) -> bool:
    """Structural equality of two resolved expressions (sqlite3ExprCompare)."""
    from pyrite.compile.resolve import ColumnRef, FuncRef
    if type(a) is not type(b):
        return False
    if isinstance(a, ColumnRef):
        return a.cursor == b.cursor and a.column == b.column and a.depth == b.depth
    if isinstance(a, FuncRef):
        return (fold_name(a.name) == fold_name(b.name) and len(a.args) == len(b.args)
                and all(same_expr(x, y) for x, y in zip(a.args, b.args)))
    if isinstance(a, (ast.Subquery, ast.Exists)):
        return False
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        for f in dataclasses.fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if isinstance(x, str) and isinstance(y, str) and f.name in ("op", "name"):
                if x.upper() != y.upper():
                    return False
            elif not same_expr(x, y):
                return False
        return True
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same_expr(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def index_expr_keys(parse: Any, item: Any, expr: Any) -> list[tuple[str, int, int]]:
    """Keys ("expr", id(index), field) of the index expression fields of
    ``item``'s table that ``expr`` (resolved) equals."""
    table = item.table
    if not getattr(table, "indexes", None) or getattr(table, "is_ephemeral", False):
        return []
    out = []
    for ix in table.indexes:
        exprs = getattr(ix, "exprs", None) or ()
        for pos in range(len(exprs)):
            resolved = index_expr_resolved(parse, item, ix, pos)
            if resolved is not None and same_expr(resolved, expr):
                out.append(("expr", id(ix), pos))
    return out


def index_expr_resolved(parse: Any, item: Any, ix: Any, pos: int) -> Any:
    """Index field ``pos`` of ``ix`` (an expression) resolved against
    ``item``'s cursor; None when the field is a plain column."""
    exprs = getattr(ix, "exprs", None) or ()
    if pos >= len(exprs) or exprs[pos] is None:
        return None
    cache = getattr(parse, "_idx_expr_cache", None)
    if cache is None:
        cache = parse._idx_expr_cache = {}
    k = (id(ix), pos, item.cursor)
    resolved = cache.get(k)
    if resolved is None:
        from pyrite.compile.build import resolve_on_table
        try:
            resolved = resolve_on_table(parse, item.table, item.cursor, exprs[pos])
        except Exception:
            return None
        cache[k] = resolved
    return resolved


def plan_column_key(index: Any, pos: int, tcol: int) -> Any:
    """What a constraint's ``column`` must be to serve index field ``pos``."""
    return ("expr", id(index), pos) if tcol == sch.XN_EXPR else tcol


def affected_columns(table: Any, changed: set[int], rowid_changed: bool = False) -> set[int]:
    """``changed`` plus the generated columns whose expressions use a changed
    column, transitively (sqlite3Update's aXRef marking of generated columns)."""
    if not has_generated(table):
        return changed
    out = set(changed)
    if rowid_changed and table.rowid_alias >= 0:
        out.add(table.rowid_alias)
    grew = True
    while grew:
        grew = False
        for i, col in enumerate(table.columns):
            if i in out or not is_generated(col):
                continue
            if any(d in out for d in _referenced_columns(table, col.generated)):
                out.add(i)
                grew = True
    if rowid_changed and table.rowid_alias >= 0 and table.rowid_alias not in changed:
        out.discard(table.rowid_alias)
    return out
